package cn.onecard.simulators.filebank;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bank's folders under its root. {@code in/} and {@code out/} are the exchange (and the only
 * places the SFTP user may touch); {@code in/processed/} and {@code in/rejected/} hold what the bank
 * has answered or could not recognise; {@code out/done/} and {@code out/error/} are the gateway's.
 */
record BankDirectories(Path root, Path in, Path processed, Path rejected, Path out) {

    static BankDirectories create(Path root) throws IOException {
        Path absolute = root.toAbsolutePath().normalize();
        Path in = absolute.resolve("in");
        Path out = absolute.resolve("out");
        BankDirectories dirs = new BankDirectories(absolute, in, in.resolve("processed"), in.resolve("rejected"), out);
        for (Path dir : new Path[] {in, dirs.processed(), dirs.rejected(), out, out.resolve("done"), out.resolve("error")}) {
            Files.createDirectories(dir);
        }
        return dirs;
    }
}
