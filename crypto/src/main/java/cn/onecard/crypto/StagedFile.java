package cn.onecard.crypto;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A file that appears whole or not at all, for content that may only be released once verified:
 * written to a private (owner-only) file beside its destination, then {@link #publish() published}
 * by an atomic rename after being forced to disk, or deleted by {@link #close()} if never published.
 * A crash in between leaves a ".NAME.*.staging" file; whoever owns the directory removes those on
 * start-up. Not thread-safe.
 */
public final class StagedFile implements AutoCloseable {

    static final String SUFFIX = ".staging";

    private final Path staging;
    private final Path destination;
    private final FileChannel channel;
    private final OutputStream stream;
    private boolean published;

    private StagedFile(Path staging, Path destination) throws IOException {
        this.staging = staging;
        this.destination = destination;
        this.channel = FileChannel.open(staging, StandardOpenOption.WRITE);
        this.stream = new BufferedOutputStream(Channels.newOutputStream(channel), 256 * 1024);
    }

    public static StagedFile beside(Path destination) throws IOException {
        Path target = destination.toAbsolutePath();
        Path staging = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", SUFFIX, ownerOnly());
        try {
            return new StagedFile(staging, target);
        } catch (IOException e) {
            Files.deleteIfExists(staging);
            throw e;
        }
    }

    public OutputStream stream() {
        return stream;
    }

    /** Forces the content to disk, renames it onto the destination and forces the directory entry. */
    public void publish() throws IOException {
        stream.flush();
        channel.force(true);
        channel.close();
        Files.move(staging, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        published = true;
        forceDirectory(destination.getParent());
    }

    @Override
    public void close() throws IOException {
        if (published) {
            return;
        }
        try {
            channel.close();
        } finally {
            Files.deleteIfExists(staging);
        }
    }

    static FileAttribute<?>[] ownerOnly() {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
        }
        return new FileAttribute<?>[0];
    }

    /** Makes a rename durable where the platform allows opening a directory; elsewhere a no-op. */
    private static void forceDirectory(Path directory) {
        try (FileChannel handle = FileChannel.open(directory, StandardOpenOption.READ)) {
            handle.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported on this platform: the rename itself is still atomic
        }
    }
}
