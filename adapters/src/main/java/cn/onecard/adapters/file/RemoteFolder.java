package cn.onecard.adapters.file;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Folders another party keeps for us, reached as a {@link FileTransportConfig} says: an SFTP server
 * (whose host key must be configured) or a local directory. The file banks' transport, opened for a
 * party that is not a bank (the treasury's inbox). Paths are relative to the configured root, as
 * {@code folder/NAME}, without {@code ..}. Every failure is an {@link IOException}; an SFTP folder
 * reconnects on the call after one broke. Calls are serialised.
 */
public interface RemoteFolder extends AutoCloseable {

    /** Opens the folders {@code config} points to; reads key files now, connects on the first call. */
    static RemoteFolder open(FileTransportConfig config) {
        return BankFileTransport.of(config);
    }

    /** Names of the regular files directly in {@code folder}, sorted. */
    List<String> list(String folder) throws IOException;

    /**
     * Copies the file to {@code sink} and returns its size. A file larger than {@code bytesMax} is
     * refused with {@link FileTooLargeException} from its size alone, before any content is read.
     */
    long download(String path, OutputStream sink, long bytesMax) throws IOException;

    /** Creates or truncates {@code path} and writes {@code content} to it (durably, where the transport can). */
    void write(String path, byte[] content) throws IOException;

    /**
     * Renames within the root. With {@code replace}, an existing target is replaced (atomically
     * where the server can); without, an existing target fails the call.
     */
    void rename(String from, String to, boolean replace) throws IOException;

    /** Creates the folder, and the folders above it, where they do not exist. */
    void createFolder(String folder) throws IOException;

    /** For messages: where this points, without credentials. */
    String describe();

    @Override
    void close();

    /** A file larger than the reader accepts. */
    final class FileTooLargeException extends IOException {
        FileTooLargeException(String path, long bytesMax) {
            super(path + " is larger than " + bytesMax + " bytes");
        }
    }
}
