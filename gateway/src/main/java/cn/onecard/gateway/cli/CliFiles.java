package cn.onecard.gateway.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** File handling shared by the commands: --in/--out with standard streams as defaults, key files, limits. */
final class CliFiles {

    /** Key, signature and PEM files are small; reading one larger than this is refused, not attempted. */
    static final int SMALL_FILE_BYTES_MAX = 64 * 1024;
    /** Inputs read whole into memory (a signature's message, a MAC's data) stay under this. */
    static final int IN_MEMORY_BYTES_MAX = 256 * 1024 * 1024;

    private CliFiles() {
    }

    static InputStream openInput(CliContext context, String file) throws IOException {
        return file == null || file.equals("-") ? context.in() : Files.newInputStream(context.resolve(file));
    }

    /** Feeds a stream to its end into {@code sink} (a signer, a verifier) in 64 KiB pieces. */
    static void feed(InputStream in, Sink sink) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            sink.update(buffer, 0, n);
        }
    }

    interface Sink {
        void update(byte[] data, int offset, int length);
    }

    static byte[] readAll(CliContext context, String file, String what) throws IOException {
        return readAll(context, file, what, IN_MEMORY_BYTES_MAX);
    }

    /** Reads at most {@code maxBytes} (whole MiB) and refuses anything longer, without reading on to its end. */
    static byte[] readAll(CliContext context, String file, String what, int maxBytes) throws IOException {
        try (InputStream in = openInput(context, file)) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new CliInputException(what + " is larger than " + maxBytes / (1024 * 1024) + " MiB");
            }
            return bytes;
        }
    }

    /** Reads at most 64 KiB, whatever the file is (a device, a pipe), and refuses anything longer. */
    static byte[] readSmallFile(CliContext context, String file, String what) throws IOException {
        try (InputStream in = Files.newInputStream(context.resolve(file))) {
            byte[] bytes = in.readNBytes(SMALL_FILE_BYTES_MAX + 1);
            if (bytes.length > SMALL_FILE_BYTES_MAX) {
                throw new CliInputException(what + " " + file + " is larger than " + SMALL_FILE_BYTES_MAX / 1024 + " KiB");
            }
            return bytes;
        }
    }

    /** Writes content that may only be released once verified: first to a private file, then to standard output. */
    static void releaseToStandardOutput(CliContext context, VerifiedWriter writer) throws IOException {
        Path directory = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? Files.createTempDirectory("onecard-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
                : Files.createTempDirectory("onecard-");
        Path staged = directory.resolve("content");
        try {
            writer.writeTo(staged);
            Files.copy(staged, context.out());
            CliOutput.checkStandardOutput(context);
        } finally {
            Files.deleteIfExists(staged);
            Files.deleteIfExists(directory);
        }
    }

    /** Writes to a file that appears only if the content verified. */
    interface VerifiedWriter {
        void writeTo(Path destination) throws IOException;
    }

    static String readPem(CliContext context, String file, String what) throws IOException {
        return new String(readSmallFile(context, file, what), StandardCharsets.US_ASCII);
    }

    static void writeText(CliContext context, String file, String text) throws IOException {
        try (CliOutput output = CliOutput.open(context, file)) {
            output.stream().write(text.getBytes(StandardCharsets.UTF_8));
            output.commit();
        }
    }
}
