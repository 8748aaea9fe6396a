package cn.onecard.gateway.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Option;

/** A clear key in hex, on the command line or, better, in a file that the process list does not show. */
final class KeyHexOptions {

    @Option(names = "--key", paramLabel = "HEX",
            description = "the key in hex (other users can see it in the process list; prefer --key-file)")
    String hex;

    @Option(names = "--key-file", paramLabel = "FILE", description = "a file whose first line is the key in hex")
    String file;

    String read(CliContext context) throws IOException {
        return read(context, hex, file);
    }

    /** The hex given, or the first line of the file; for groups that give these options other names ({@link MacKeyOptions}). */
    static String read(CliContext context, String hex, String file) throws IOException {
        if (hex != null) {
            return hex;
        }
        String content = new String(CliFiles.readSmallFile(context, file, "key file"), StandardCharsets.US_ASCII);
        return content.lines().findFirst().orElse("").strip();
    }
}
