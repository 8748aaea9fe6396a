package cn.onecard.simulators.books;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online banks' books: lines written by many threads under their owner's lock, each thread
 * waiting for its force before it would answer, are all there when the file is opened again, in the
 * order they were written; a half-written last line is cut off; a damaged line stops the opening.
 */
class ForcedLinesTest {

    @TempDir
    Path dir;

    @Test
    void linesWrittenAtOnceByManyThreads_areAllThereAfterTheirForces_inTheirOrder() throws Exception {
        Path file = dir.resolve("books.log");
        Object owner = new Object();
        List<String> order = new ArrayList<>();
        try (ForcedLines lines = ForcedLines.open(file, line -> { }); ExecutorService threads = Executors.newFixedThreadPool(8)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < 200; i++) {
                        synchronized (owner) {
                            String line = "PAID " + thread + "-" + i;
                            lines.write(line);
                            order.add(line);
                        }
                        lines.forceWritten();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get();
            }
        }
        List<String> replayed = new ArrayList<>();
        try (ForcedLines reopened = ForcedLines.open(file, replayed::add)) {
            reopened.forceWritten(); // nothing written since the opening: returns at once
        }
        assertThat(replayed).hasSize(1_600).isEqualTo(order);
    }

    @Test
    void anUnfinishedLastLine_isCutOff_andADamagedLineStopsTheOpening() throws Exception {
        Path file = dir.resolve("books.log");
        Files.writeString(file, "PAID 1\nPAID 2\nPAI");
        List<String> replayed = new ArrayList<>();
        try (ForcedLines lines = ForcedLines.open(file, replayed::add)) {
            lines.write("PAID 3");
            lines.forceWritten();
        }
        assertThat(Files.readString(file)).isEqualTo("PAID 1\nPAID 2\nPAID 3\n");
        assertThat(replayed).containsExactly("PAID 1", "PAID 2");
        assertThatThrownBy(() -> ForcedLines.open(file, line -> {
            if (line.endsWith("2")) {
                throw new IllegalArgumentException("bad amount");
            }
        })).hasMessageContaining("line 2");
    }
}
