package cn.onecard.gateway.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "iso8583", mixinStandardHelpOptions = true,
        description = {"ISO 8583 frames: decode to JSON, encode from JSON, list the dialects. Starts no server.",
                "Data comes from --in FILE or standard input and goes to --out FILE or standard output.",
                "Exit status: 0 done, 2 bad usage or bad input (a frame the dialect cannot read, a message it cannot write)."},
        subcommands = {IsoDecodeCommand.class, IsoEncodeCommand.class, IsoDialectsCommand.class})
final class IsoCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
