package cn.onecard.adapters.file;

import java.io.IOException;
import java.util.List;

/**
 * The bank's side of a file exchange: folders {@code in/}, {@code out/}, {@code out/done/} and
 * {@code out/error/} under one root, addressed by relative paths such as {@code out/NAME}. Every
 * failure is an {@link IOException}; an implementation with a connection reconnects on the next
 * call after one broke. Calls are serialised per transport.
 */
interface BankFileTransport extends AutoCloseable {

    String INBOX = "in";
    String OUTBOX = "out";
    String DONE = "out/done";
    String ERROR = "out/error";

    /** Names of the regular files directly in {@code folder}, sorted. */
    List<String> list(String folder) throws IOException;

    boolean exists(String path) throws IOException;

    /** The whole file; refused with {@link FileTooLargeException} beyond {@code bytesMax}. */
    byte[] read(String path, long bytesMax) throws IOException;

    /** Creates or truncates {@code path} and writes {@code content} to it (durably, where the transport can). */
    void write(String path, byte[] content) throws IOException;

    /**
     * Renames within the root. With {@code replace}, an existing target is replaced (atomically
     * where the server can); without, an existing target fails the call.
     */
    void rename(String from, String to, boolean replace) throws IOException;

    void remove(String path) throws IOException;

    /** Creates the folder if it does not exist. */
    void createFolder(String folder) throws IOException;

    /** For messages: where this transport points, without credentials. */
    String describe();

    @Override
    void close();

    /** A file larger than the reader accepts. */
    final class FileTooLargeException extends IOException {
        FileTooLargeException(String path, long bytesMax) {
            super(path + " is larger than " + bytesMax + " bytes");
        }
    }

    /** Checks a relative path: folders and a name, no '..', no absolute paths, no empty parts. */
    static String checkPath(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.contains("\\")) {
            throw new IllegalArgumentException("not a relative path: " + path);
        }
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..") || part.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("not a relative path: " + path);
            }
        }
        return path;
    }
}
