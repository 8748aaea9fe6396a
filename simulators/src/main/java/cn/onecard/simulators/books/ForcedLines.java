package cn.onecard.simulators.books;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * An append-only file of ASCII lines, each forced to disk before {@link #append} returns: the online
 * bank simulators' books. Opening replays every complete line; an unfinished last line (a crash
 * mid-write, whose answer was never sent) is cut off, and any line the reader refuses stops the
 * opening. Not thread-safe: its owner appends under its own lock.
 */
public final class ForcedLines implements AutoCloseable {

    private static final Pattern FEN = Pattern.compile("0|[1-9]\\d{0,17}");

    private final FileChannel channel;

    private ForcedLines(FileChannel channel) {
        this.channel = channel;
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
            return new ForcedLines(channel);
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

    /** Writes the line and forces it to disk. */
    public void append(String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
