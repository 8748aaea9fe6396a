package cn.onecard.gateway.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command may touch of the world: its standard streams, environment and working
 * directory. Injected, so that tests run commands in-process with their own.
 */
public record CliContext(InputStream in, PrintStream out, PrintStream err, Map<String, String> environment,
                         Path workingDirectory) {

    public static CliContext system() {
        return new CliContext(System.in, System.out, System.err, System.getenv(), Path.of("").toAbsolutePath());
    }

    /** A path as the user typed it, resolved against the working directory. */
    public Path resolve(String path) {
        return workingDirectory.resolve(path);
    }
}
