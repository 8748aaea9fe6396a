package cn.onecard.benchmarks.crypto;

import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.crypto.EnvelopeSealer;
import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.crypto.Sm3;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Seals and opens one large file and reports time, throughput and peak heap. Run it with a small
 * heap (-Xmx64m) to show that memory stays flat: {@code java -Xmx64m -cp onecard-benchmarks.jar
 * cn.onecard.benchmarks.crypto.EnvelopeLargeFile [size MiB] [directory]}. Prints RESULT lines for
 * {@link CryptoReport}.
 */
public final class EnvelopeLargeFile {

    private static final int MIB = 1024 * 1024;

    private EnvelopeLargeFile() {
    }

    public static void main(String[] args) throws IOException {
        long sizeMib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        Path directory = Files.createTempDirectory(args.length > 1 ? Path.of(args[1]) : Path.of(System.getProperty("java.io.tmpdir")),
                "envelope-large");
        Path plain = directory.resolve("content.bin");
        Path sealed = directory.resolve("content.bin.ocev");
        Path opened = directory.resolve("opened.bin");
        try {
            writeContent(plain, sizeMib);
            Sm2KeyPair treasury = Sm2.generateKeyPair();
            Sm2KeyPair bank = Sm2.generateKeyPair();
            long bytes = Files.size(plain);

            resetPeaks();
            long start = System.nanoTime();
            try (InputStream in = Files.newInputStream(plain);
                 OutputStream out = new BufferedOutputStream(Files.newOutputStream(sealed), 256 * 1024)) {
                new EnvelopeSealer().seal(in, out, bank.publicKey(), treasury.privateKey(), "large");
            }
            report("seal", bytes, System.nanoTime() - start, peakHeapUsed());

            resetPeaks();
            start = System.nanoTime();
            try (InputStream in = Files.newInputStream(sealed)) {
                new EnvelopeOpener().open(in, opened, bank.privateKey(), treasury.publicKey());
            }
            report("open", bytes, System.nanoTime() - start, peakHeapUsed());

            String before = sm3(plain);
            String after = sm3(opened);
            System.out.println("RESULT identical=" + before.equals(after) + " maxHeapMiB=" + Runtime.getRuntime().maxMemory() / MIB
                    + " sizeMiB=" + sizeMib);
            if (!before.equals(after)) {
                throw new IllegalStateException("opened content differs from the original");
            }
        } finally {
            for (Path path : new Path[]{plain, sealed, opened}) {
                Files.deleteIfExists(path);
            }
            Files.deleteIfExists(directory);
        }
    }

    private static void writeContent(Path file, long sizeMib) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        byte[] buffer = new byte[MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long i = 0; i < sizeMib; i++) {
                random.nextBytes(buffer);
                out.write(buffer);
            }
        }
    }

    private static void report(String operation, long bytes, long nanos, long peakHeapBytes) {
        double seconds = nanos / 1e9;
        System.out.printf("RESULT operation=%s bytes=%d seconds=%.2f mbPerSecond=%.1f peakHeapMiB=%.1f%n",
                operation, bytes, seconds, bytes / seconds / 1e6, peakHeapBytes / (double) MIB);
    }

    private static void resetPeaks() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** Sum of the heap pools' peaks: an upper bound on the heap in use at any one moment. */
    private static long peakHeapUsed() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .mapToLong(pool -> pool.getPeakUsage().getUsed())
                .sum();
    }

    private static String sm3(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return HexFormat.of().formatHex(Sm3.digest(in));
        }
    }
}
