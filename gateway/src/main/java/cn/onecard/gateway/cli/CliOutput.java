package cn.onecard.gateway.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A command's output: standard output, or a file that appears whole or not at all. The file is
 * written beside its destination and renamed onto it by {@link #commit()}; closing without
 * committing (a refusal, an I/O error) deletes it and leaves any existing file as it was.
 */
final class CliOutput implements AutoCloseable {

    private final OutputStream stream;
    private final Path staging;
    private final Path destination;
    private boolean committed;

    private CliOutput(OutputStream stream, Path staging, Path destination) {
        this.stream = stream;
        this.staging = staging;
        this.destination = destination;
    }

    static CliOutput open(CliContext context, String file) throws IOException {
        if (file == null || file.equals("-")) {
            return new CliOutput(new StandardOutput(context), null, null);
        }
        Path destination = context.resolve(file).toAbsolutePath();
        Path staging = Files.createTempFile(destination.getParent(), "." + destination.getFileName() + ".", ".partial");
        return new CliOutput(Files.newOutputStream(staging), staging, destination);
    }

    OutputStream stream() {
        return stream;
    }

    void commit() throws IOException {
        stream.flush();
        if (staging != null) {
            stream.close();
            Files.move(staging, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        committed = true;
    }

    @Override
    public void close() throws IOException {
        if (staging == null) {
            stream.flush();
            return;
        }
        try {
            stream.close();
        } finally {
            if (!committed) {
                Files.deleteIfExists(staging);
            }
        }
    }

    /** Standard output, never closed by a command. */
    private static final class StandardOutput extends OutputStream {
        private final CliContext context;

        StandardOutput(CliContext context) {
            this.context = context;
        }

        @Override
        public void write(int b) {
            context.out().write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            context.out().write(bytes, offset, length);
        }

        @Override
        public void flush() {
            context.out().flush();
        }
    }
}
