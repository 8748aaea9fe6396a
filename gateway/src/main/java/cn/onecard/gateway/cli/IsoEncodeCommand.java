package cn.onecard.gateway.cli;

import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.MacRule;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "encode", mixinStandardHelpOptions = true,
        description = {"Encode a message given as JSON into one frame, in hex.",
                "The JSON is what decode --reveal prints (clear values); the frame is one line of upper-case hex, length header,"
                        + " TPDU and header included.",
                "With a MAC key, the MAC is computed if the dialect's MAC rule requires one for the MTI or the JSON has a MAC"
                        + " field; without one, a MAC the JSON holds is written as it is.",
                "A message the dialect cannot write: exit 2, naming the field."})
final class IsoEncodeCommand implements Callable<Integer> {

    private final CliContext context;

    @Option(names = "--dialect", required = true, paramLabel = "NAME", description = "the frame's dialect (iso8583 dialects lists them)")
    String dialectName;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    MacKeyOptions macKeyOptions;

    @Mixin
    DialectOptions dialectOptions;

    @Option(names = "--in", paramLabel = "FILE", description = "the message as JSON, at most 1 MiB (default: standard input)")
    String in;

    @Option(names = "--out", paramLabel = "FILE", description = "the frame in hex (default: standard output)")
    String out;

    IsoEncodeCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        Dialect dialect = dialectOptions.dialects(context).get(dialectName);
        if (macKeyOptions != null && dialect.macRule().isEmpty()) {
            throw new CliInputException("dialect " + dialect.name() + " has no MAC rule; leave out the MAC key");
        }
        byte[] json = CliFiles.readAll(context, in, "input", IsoText.INPUT_BYTES_MAX);
        IsoMessage message = dialect.fromDescription(IsoText.messageFromJson(json));
        byte[] frame;
        if (macKeyOptions == null) {
            frame = dialect.encode(message);
        } else {
            MacRule rule = dialect.macRule().orElseThrow();
            String keyHex = macKeyOptions.read(context);
            SymmetricKey key = SymmetricKey.fromHex(rule.algorithm().keyAlgorithmFor(keyHex.strip().length() / 2), keyHex);
            try {
                frame = dialect.encode(message, key);
            } finally {
                key.destroy();
            }
        }
        CliFiles.writeText(context, out, HexFormat.of().withUpperCase().formatHex(frame) + "\n");
        return ExitCode.OK;
    }
}
