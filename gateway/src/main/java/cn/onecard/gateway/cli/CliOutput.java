package cn.onecard.gateway.cli;

import cn.onecard.crypto.StagedFile;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A command's output: standard output, or a file that appears whole or not at all
 * ({@link StagedFile}). {@link #commit()} publishes it; closing without committing (a refusal, an
 * I/O error) leaves no file and any existing one as it was. A write error on standard output (a
 * full disk behind a redirection, a closed pipe) fails the command instead of passing unnoticed.
 */
final class CliOutput implements AutoCloseable {

    private final CliContext context;
    private final StagedFile file;
    private final OutputStream stream;

    private CliOutput(CliContext context, StagedFile file, OutputStream stream) {
        this.context = context;
        this.file = file;
        this.stream = stream;
    }

    static CliOutput open(CliContext context, String file) throws IOException {
        if (file == null || file.equals("-")) {
            return new CliOutput(context, null, new StandardOutput(context));
        }
        StagedFile staged = StagedFile.beside(context.resolve(file));
        return new CliOutput(context, staged, staged.stream());
    }

    OutputStream stream() {
        return stream;
    }

    void commit() throws IOException {
        if (file != null) {
            file.publish();
        } else {
            checkStandardOutput(context);
        }
    }

    @Override
    public void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }

    /** PrintStream swallows write errors; this brings them back as a failure of the command. */
    static void checkStandardOutput(CliContext context) throws IOException {
        if (context.out().checkError()) {
            throw new IOException("standard output could not be written (full disk or closed pipe)");
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
