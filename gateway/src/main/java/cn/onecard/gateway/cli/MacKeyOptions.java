package cn.onecard.gateway.cli;

import java.io.IOException;
import picocli.CommandLine.Option;

/**
 * The MAC key of iso8583 encode: {@link KeyHexOptions} under names that say which key it is, since
 * the message being encoded may itself carry keys.
 */
final class MacKeyOptions {

    @Option(names = "--mac-key", paramLabel = "HEX",
            description = "the MAC key in hex (other users can see it in the process list; prefer --mac-key-file)")
    String hex;

    @Option(names = "--mac-key-file", paramLabel = "FILE", description = "a file whose first line is the MAC key in hex")
    String file;

    String read(CliContext context) throws IOException {
        return KeyHexOptions.read(context, hex, file);
    }
}
