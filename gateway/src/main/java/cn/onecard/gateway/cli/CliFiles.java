package cn.onecard.gateway.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    static byte[] readAll(CliContext context, String file, String what) throws IOException {
        try (InputStream in = openInput(context, file)) {
            byte[] bytes = in.readNBytes(IN_MEMORY_BYTES_MAX + 1);
            if (bytes.length > IN_MEMORY_BYTES_MAX) {
                throw new CliInputException(what + " is larger than " + IN_MEMORY_BYTES_MAX / (1024 * 1024) + " MiB");
            }
            return bytes;
        }
    }

    static byte[] readSmallFile(CliContext context, String file, String what) throws IOException {
        Path path = context.resolve(file);
        if (Files.isRegularFile(path) && Files.size(path) > SMALL_FILE_BYTES_MAX) {
            throw new CliInputException(what + " " + file + " is larger than " + SMALL_FILE_BYTES_MAX / 1024 + " KiB");
        }
        return Files.readAllBytes(path);
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

    /** Writes a new file, readable by its owner only; refuses to replace one unless {@code force}. */
    static void writeSecretFile(Path path, String content, boolean force) throws IOException {
        checkNotThere(path, force);
        Files.deleteIfExists(path);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(path);
        }
        Files.writeString(path, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }

    static void writeNewFile(Path path, String content, boolean force) throws IOException {
        checkNotThere(path, force);
        Files.writeString(path, content, StandardCharsets.US_ASCII);
    }

    private static void checkNotThere(Path path, boolean force) {
        if (!force && Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new CliInputException(path + " exists; use --force to replace it");
        }
    }
}
