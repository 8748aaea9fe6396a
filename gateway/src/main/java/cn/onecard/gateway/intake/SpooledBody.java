package cn.onecard.gateway.intake;

import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.commons.io.output.DeferredFileOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request body read whole before anything is done with it: every byte fed to the request's
 * signature verifier as it arrives, kept in memory up to a threshold and beyond it in an owner-only
 * file, refused past the size limit ({@code BODY_TOO_LARGE}) or when it arrives slower than the
 * minimum rate ({@code BODY_TOO_SLOW}). Parsing starts only once the signature holds; closing the
 * body deletes its file.
 */
public final class SpooledBody implements AutoCloseable {

    /**
     * How bodies are read.
     *
     * @param bytesMax          the largest body taken
     * @param memoryBytesMax    bodies up to this stay in memory; larger ones go to a file
     * @param minBytesPerSecond the slowest average rate accepted once {@code rateGrace} has passed
     * @param rateGrace         how long a body may arrive at any rate (a slow start, a small body)
     * @param directory         where larger bodies are spooled: created owner-only
     * @param spool             the room all spooled bodies share on disk
     */
    public record Limits(long bytesMax, int memoryBytesMax, long minBytesPerSecond, Duration rateGrace, Path directory,
            SpoolRoom spool) {
        public Limits {
            if (bytesMax < 1 || memoryBytesMax < 1 || minBytesPerSecond < 0 || rateGrace.isNegative()) {
                throw new IllegalArgumentException("body limits must be positive");
            }
        }
    }

    /**
     * The bytes all bodies being read may hold in spool files at once: the spool shares its disk with
     * the database, which unauthenticated senders must never fill.
     */
    public static final class SpoolRoom {
        private final long bytesMax;
        private final AtomicLong taken = new AtomicLong();

        public SpoolRoom(long bytesMax) {
            if (bytesMax < 0) {
                throw new IllegalArgumentException("spool room must not be negative");
            }
            this.bytesMax = bytesMax;
        }

        boolean take(long bytes) {
            if (taken.addAndGet(bytes) > bytesMax) {
                taken.addAndGet(-bytes);
                return false;
            }
            return true;
        }

        void give(long bytes) {
            taken.addAndGet(-bytes);
        }

        /** Bytes of spool files now. */
        public long taken() {
            return taken.get();
        }
    }

    private static final Logger log = LoggerFactory.getLogger(SpooledBody.class);
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final String FILE_PREFIX = "body-";
    private static final String FILE_SUFFIX = ".spool";

    private final DeferredFileOutputStream spool;
    private final long size;
    private final Runnable giveRoomBack;
    private boolean closed;

    private SpooledBody(DeferredFileOutputStream spool, long size, Runnable giveRoomBack) {
        this.spool = spool;
        this.size = size;
        this.giveRoomBack = giveRoomBack;
    }

    /**
     * Reads {@code in} to its end, feeding {@code signature} every byte. {@code nanoTime} is the clock
     * the rate is measured with ({@link System#nanoTime()} but in tests).
     */
    public static SpooledBody read(InputStream in, RequestAuthenticator.SignedRequest signature, Limits limits,
            LongSupplier nanoTime) {
        DeferredFileOutputStream spool = DeferredFileOutputStream.builder().setThreshold(limits.memoryBytesMax())
                .setDirectory(limits.directory()).setPrefix(FILE_PREFIX).setSuffix(FILE_SUFFIX).get();
        long started = nanoTime.getAsLong();
        long size = 0;
        long spooled = 0;
        byte[] chunk = new byte[CHUNK_BYTES];
        try {
            for (int n; (n = readSome(in, chunk)) >= 0; ) {
                size += n;
                if (size > limits.bytesMax()) {
                    throw new ApiException(ApiCode.BODY_TOO_LARGE, "the body is larger than " + limits.bytesMax() + " bytes");
                }
                signature.update(chunk, 0, n);
                // the spool file holds the whole body once it passes the threshold, the bytes before it included
                long toSpool = size <= limits.memoryBytesMax() ? 0 : size - n <= limits.memoryBytesMax() ? size : n;
                if (toSpool > 0) {
                    if (!limits.spool().take(toSpool)) {
                        throw new ApiException(ApiCode.SERVICE_UNAVAILABLE, "the gateway holds as many large bodies as it "
                                + "may at once; retry later");
                    }
                    spooled += toSpool;
                }
                writeSpool(spool, chunk, n);
                requireRate(size, nanoTime.getAsLong() - started, limits);
            }
            closeSpool(spool);
            long room = spooled;
            return new SpooledBody(spool, size, () -> limits.spool().give(room));
        } catch (RuntimeException e) {
            discard(spool);
            limits.spool().give(spooled);
            throw e;
        }
    }

    /** A read from the client: a fault is the sender's (broken framing, a cut connection) or its slowness. */
    private static int readSome(InputStream in, byte[] chunk) {
        try {
            return in.read(chunk);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** A write to the spool: a fault is the gateway's (a full disk), and the request may be sent again. */
    private static void writeSpool(DeferredFileOutputStream spool, byte[] chunk, int n) {
        try {
            spool.write(chunk, 0, n);
        } catch (IOException e) {
            throw spoolFailed(e);
        }
    }

    private static void closeSpool(DeferredFileOutputStream spool) {
        try {
            spool.close();
        } catch (IOException e) {
            throw spoolFailed(e);
        }
    }

    private static ApiException spoolFailed(IOException e) {
        log.warn("cannot spool a request body under the spool folder ({}); answered SERVICE_UNAVAILABLE",
                e.getClass().getSimpleName());
        return new ApiException(ApiCode.SERVICE_UNAVAILABLE, "the gateway cannot hold the body now; retry later");
    }

    private static void requireRate(long bytes, long elapsedNanos, Limits limits) {
        long graceNanos = limits.rateGrace().toNanos();
        // bytes per second below the minimum, once the grace has passed (compared without dividing)
        if (elapsedNanos > graceNanos && bytes < limits.minBytesPerSecond() * (elapsedNanos / 1_000_000_000.0)) {
            throw new ApiException(ApiCode.BODY_TOO_SLOW, "the body arrives slower than " + limits.minBytesPerSecond()
                    + " bytes a second");
        }
    }

    private static ApiException unreadable(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SocketTimeoutException) {
                return new ApiException(ApiCode.BODY_TOO_SLOW, "the body stopped arriving");
            }
        }
        return new ApiException(ApiCode.MALFORMED_REQUEST, "the body could not be read as sent (its HTTP framing is broken "
                + "or the connection was cut)");
    }

    /**
     * Makes the spool folder owner-only (created if missing) and deletes the bodies a stopped node left
     * in it; run once at start. Files created in it are owner-only too ({@link Files#createTempFile}).
     */
    public static Path prepareDirectory(Path directory) {
        try {
            Files.createDirectories(directory);
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
            try (DirectoryStream<Path> left = Files.newDirectoryStream(directory, FILE_PREFIX + "*" + FILE_SUFFIX)) {
                for (Path file : left) {
                    Files.deleteIfExists(file);
                }
            }
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the body spool folder " + directory, e);
        }
    }

    private static void discard(DeferredFileOutputStream spool) {
        try {
            spool.close();
        } catch (IOException ignored) {
            // the file is deleted below whatever its stream says
        }
        Path file = spool.getPath();
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a spool file left behind is deleted at the next start (prepareDirectory)
            }
        }
    }

    /** The body's bytes, from the start. */
    public InputStream open() throws IOException {
        return spool.toInputStream();
    }

    public long size() {
        return size;
    }

    /** Where the body is spooled; null while it is in memory. */
    Path file() {
        return spool.isInMemory() ? null : spool.getPath();
    }

    @Override
    public void close() {
        discard(spool);
        if (!closed) {
            closed = true;
            giveRoomBack.run();
        }
    }
}
