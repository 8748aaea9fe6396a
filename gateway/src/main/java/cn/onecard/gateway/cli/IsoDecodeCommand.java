package cn.onecard.gateway.cli;

import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.IsoMessage;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {"Decode one frame, given in hex, into JSON.",
                "The frame is whole (length header, TPDU and header included); spaces and line breaks between digits are ignored.",
                "The JSON: dialect, TPDU, header, MTI, fields by number, sub-fields by name, binary values in hex.",
                "Card numbers show their first 6 and last 4 digits; tracks, PIN blocks, keys, names and identity numbers show"
                        + " as stars, unless --reveal.",
                "A frame the dialect cannot read: exit 2, naming the field where reading stopped, never a value."})
final class IsoDecodeCommand implements Callable<Integer> {

    private final CliContext context;

    @Option(names = "--dialect", required = true, paramLabel = "NAME", description = "the frame's dialect (iso8583 dialects lists them)")
    String dialectName;

    @Option(names = "--reveal", description = "show sensitive values in clear, as encode needs them (mind where the output goes)")
    boolean reveal;

    @Mixin
    DialectOptions dialectOptions;

    @Option(names = "--in", paramLabel = "FILE", description = "the frame in hex, at most 1 MiB of text (default: standard input)")
    String in;

    @Option(names = "--out", paramLabel = "FILE", description = "the JSON (default: standard output)")
    String out;

    IsoDecodeCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        Dialect dialect = dialectOptions.dialects(context).get(dialectName);
        byte[] frame = IsoText.frameFromHex(CliFiles.readAll(context, in, "input", IsoText.INPUT_BYTES_MAX));
        IsoMessage message = dialect.decode(frame);
        CliFiles.writeText(context, out, IsoText.toJson(dialect.describe(message, reveal)));
        return ExitCode.OK;
    }
}
