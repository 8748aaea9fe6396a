package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class DigestFeedTest {

    @Test
    void offloadedFeed_deliversEveryByteInOrder() throws Exception {
        ByteArrayOutputStream fed = new ByteArrayOutputStream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (DigestFeed feed = DigestFeed.offloaded(fed::write, 100)) {
            for (int i = 0; i < 1000; i++) {
                byte[] buffer = feed.buffer();
                int length = i % 100 + 1;
                for (int j = 0; j < length; j++) {
                    buffer[j] = (byte) (i + j);
                }
                expected.write(buffer, 0, length);
                feed.submit(buffer, length);
            }
            feed.finish();
        }
        assertThat(fed.toByteArray()).isEqualTo(expected.toByteArray());
    }

    /** A pooled signer is handed back right after close(): no update may still be running then. */
    @Test
    void close_returnsOnlyAfterTheUpdateInProgressHasFinished() throws Exception {
        CountDownLatch updateStarted = new CountDownLatch(1);
        CountDownLatch releaseUpdate = new CountDownLatch(1);
        AtomicBoolean updateFinished = new AtomicBoolean();
        DigestFeed feed = DigestFeed.offloaded((data, offset, length) -> {
            updateStarted.countDown();
            awaitIgnoringInterrupts(releaseUpdate); // as SM3 does: an update does not stop when interrupted
            updateFinished.set(true);
        }, 16);
        feed.submit(feed.buffer(), 16);
        updateStarted.await();

        AtomicBoolean finishedWhenCloseReturned = new AtomicBoolean();
        Thread closer = Thread.ofPlatform().start(() -> {
            feed.close();
            finishedWhenCloseReturned.set(updateFinished.get());
        });
        while (closer.getState() == Thread.State.NEW || closer.getState() == Thread.State.RUNNABLE) {
            Thread.onSpinWait();
        }
        Thread.State whileUpdateRuns = closer.getState();
        releaseUpdate.countDown();
        closer.join();

        assertThat(whileUpdateRuns).as("close() must wait for the worker").isNotEqualTo(Thread.State.TERMINATED);
        assertThat(finishedWhenCloseReturned).isTrue();
    }

    @Test
    void aWorkerThatDiesOfAnError_wakesTheCallerInsteadOfHangingIt() {
        DigestFeed feed = DigestFeed.offloaded((data, offset, length) -> {
            throw new StackOverflowError("simulated");
        }, 8);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100; i++) {
                feed.submit(feed.buffer(), 8);
            }
            feed.finish();
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("digest thread failed");
        feed.close();
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
