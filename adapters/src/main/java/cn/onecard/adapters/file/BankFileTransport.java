package cn.onecard.adapters.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The bank's side of a file exchange: folders {@code in/}, {@code out/}, {@code out/done/} and
 * {@code out/error/} under one root, addressed by relative paths such as {@code out/NAME}. Every
 * failure is an {@link IOException}; an implementation with a connection reconnects on the next
 * call after one broke. Calls are serialised per transport. The part other parties' folders need
 * is public as {@link RemoteFolder}.
 */
interface BankFileTransport extends RemoteFolder {

    String INBOX = "in";
    String OUTBOX = "out";
    String DONE = "out/done";
    String ERROR = "out/error";
    int COPY_BUFFER_BYTES = 64 * 1024;

    static BankFileTransport of(FileTransportConfig config) {
        return switch (config) {
            case FileTransportConfig.LocalDirectory local -> new LocalDirectoryTransport(local.root());
            case FileTransportConfig.Sftp sftp -> new SftpTransport(sftp);
        };
    }

    boolean exists(String path) throws IOException;

    /** The whole file; refused with {@link FileTooLargeException} beyond {@code bytesMax}. */
    default byte[] read(String path, long bytesMax) throws IOException {
        java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
        download(path, content, bytesMax);
        return content.toByteArray();
    }

    void remove(String path) throws IOException;

    /** Copies {@code in} to {@code sink}; refuses with {@link FileTooLargeException} once more than {@code bytesMax} came. */
    static long copyAtMost(InputStream in, OutputStream sink, String path, long bytesMax) throws IOException {
        byte[] buffer = new byte[COPY_BUFFER_BYTES];
        long copied = 0;
        for (int n; (n = in.read(buffer)) != -1; ) {
            copied += n;
            if (copied > bytesMax) {
                throw new FileTooLargeException(path, bytesMax);
            }
            sink.write(buffer, 0, n);
        }
        return copied;
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
