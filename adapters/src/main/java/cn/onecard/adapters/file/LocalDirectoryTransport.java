package cn.onecard.adapters.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/** The bank's folders as a local directory (tests, or a share mounted by the operating system). */
final class LocalDirectoryTransport implements BankFileTransport {

    private final Path root;

    LocalDirectoryTransport(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    private Path resolve(String path) {
        Path resolved = root.resolve(BankFileTransport.checkPath(path)).normalize();
        if (!resolved.startsWith(root)) {
            throw new IllegalArgumentException("path leads outside the root: " + path);
        }
        return resolved;
    }

    @Override
    public synchronized List<String> list(String folder) throws IOException {
        try (Stream<Path> files = Files.list(resolve(folder))) {
            return files.filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                    .map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public synchronized boolean exists(String path) {
        return Files.exists(resolve(path), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public synchronized long download(String path, OutputStream sink, long bytesMax) throws IOException {
        Path file = resolve(path);
        if (Files.size(file) > bytesMax) {
            throw new FileTooLargeException(path, bytesMax);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return BankFileTransport.copyAtMost(in, sink, path, bytesMax);
        }
    }

    @Override
    public synchronized void write(String path, byte[] content) throws IOException {
        try (FileChannel channel = FileChannel.open(resolve(path), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    @Override
    public synchronized void rename(String from, String to, boolean replace) throws IOException {
        Path source = resolve(from);
        Path target = resolve(to);
        if (replace) {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } else {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(to);
            }
            Files.move(source, target);
        }
    }

    @Override
    public synchronized void remove(String path) throws IOException {
        Files.delete(resolve(path));
    }

    @Override
    public synchronized void createFolder(String folder) throws IOException {
        Files.createDirectories(resolve(folder));
    }

    @Override
    public String describe() {
        return "directory " + root;
    }

    @Override
    public void close() {
        // nothing held
    }
}
