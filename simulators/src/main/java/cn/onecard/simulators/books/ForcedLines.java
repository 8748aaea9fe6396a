package cn.onecard.simulators.books;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * An append-only file of ASCII lines, the online bank simulators' books: a line is written under its
 * owner's lock, and forced to disk by {@link #forceWritten} before the answer it stands for is sent.
 * Forcing is shared: one force covers every line written before it began, so many exchanges at once
 * cost a force each only when they come one at a time (a group commit, as a database's). Opening
 * replays every complete line; an unfinished last line (a crash mid-write, whose answer was never
 * sent) is cut off, and any line the reader refuses stops the opening. {@link #write} is not
 * thread-safe: its owner writes under its own lock; {@link #forceWritten} is called outside it.
 */
public final class ForcedLines implements AutoCloseable {

    private static final Pattern FEN = Pattern.compile("0|[1-9]\\d{0,17}");

    private final FileChannel channel;
    /** The end of the lines written so far. */
    private final AtomicLong written;
    /** The end of the lines known forced to disk. */
    private volatile long forced;
    private final ReentrantLock forcing = new ReentrantLock();

    private ForcedLines(FileChannel channel, long end) {
        this.channel = channel;
        this.written = new AtomicLong(end);
        this.forced = end;
    }

    /**
     * Opens (or creates) {@code file} and hands each complete line to {@code replay}, in order.
     *
     * @throws IllegalStateException when {@code replay} refuses a line, naming the line number
     */
    public static ForcedLines open(Path file, Consumer<String> replay) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
            int complete = text.lastIndexOf('\n') + 1;
            if (complete < text.length()) {
                channel.truncate(complete);
                channel.force(true);
            }
            channel.position(complete);
            String[] lines = text.substring(0, complete).split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isEmpty()) {
                    continue;
                }
                try {
                    replay.accept(lines[i]);
                } catch (RuntimeException e) {
                    throw new IllegalStateException("ledger " + file + " line " + (i + 1) + " is damaged (" + e.getMessage()
                            + "); the bank will not start on books it cannot read");
                }
            }
            return new ForcedLines(channel, complete);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A line's space-separated fields, refused unless there are exactly {@code count}. */
    public static String[] fields(String line, int count) {
        String[] parts = line.split(" ", -1);
        if (parts.length != count) {
            throw new IllegalArgumentException("expected " + count + " parts, got " + parts.length);
        }
        return parts;
    }

    /** An amount field: a whole number of fen, 0 or more, without a sign or leading zeros. */
    public static long fen(String text) {
        if (!FEN.matcher(text).matches()) {
            throw new IllegalArgumentException("an amount is a whole number of fen");
        }
        return Long.parseLong(text);
    }

    /** Writes the line; it is on disk once a later {@link #forceWritten} returns. */
    public void write(String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        written.set(channel.position());
    }

    /** Returns once every line written before the call is on disk, forcing the file unless another call's force covers them. */
    public void forceWritten() throws IOException {
        long target = written.get();
        if (forced >= target) {
            return;
        }
        forcing.lock();
        try {
            if (forced >= target) {
                return; // the force that held the lock covered these lines too
            }
            long upTo = written.get();
            channel.force(false);
            forced = upTo;
        } finally {
            forcing.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
