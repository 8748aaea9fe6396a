package cn.onecard.gateway.cli;

import cn.onecard.crypto.Sm3;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sm3", mixinStandardHelpOptions = true, description = "SM3 digest of the input, in hex.")
final class Sm3Command implements Callable<Integer> {

    private final CliContext context;

    @Option(names = "--in", paramLabel = "FILE", description = "data (default: standard input)")
    String in;

    @Option(names = "--out", paramLabel = "FILE", description = "where to write the hex digest (default: standard output)")
    String out;

    Sm3Command(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        byte[] digest;
        try (InputStream input = CliFiles.openInput(context, in)) {
            digest = Sm3.digest(input);
        }
        CliFiles.writeText(context, out, HexFormat.of().formatHex(digest) + "\n");
        return ExitCode.OK;
    }
}
