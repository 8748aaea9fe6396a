package cn.onecard.gateway.cli;

import cn.onecard.crypto.EnvelopeSealer;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "seal", mixinStandardHelpOptions = true,
        description = {"Seal the input in a signed, encrypted OneCard envelope.",
                "SM4-GCM content under a fresh key, the key wrapped for the recipient's SM2 key, the whole signed",
                "with the sender's (format: docs/crypto.md). Streams any size in flat memory."})
final class SealCommand implements Callable<Integer> {

    private final CliContext context;

    @Option(names = "--to", required = true, paramLabel = "RECIPIENT-PUBLIC.pem", description = "recipient's SM2 public key")
    String recipientFile;

    @Option(names = "--sign-key", required = true, paramLabel = "SENDER-PRIVATE.pem", description = "sender's SM2 private key")
    String senderFile;

    @Option(names = "--label", paramLabel = "TEXT", description = "name for the content (default: the input file's name): "
            + "printable ASCII without / and \\, CJK ideographs and common Chinese punctuation (docs/crypto.md, Labels)")
    String label;

    @Option(names = "--in", paramLabel = "FILE", description = "content (default: standard input)")
    String in;

    @Option(names = "--out", paramLabel = "FILE", description = "envelope (default: standard output)")
    String out;

    SealCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        Sm2PublicKey recipient = Sm2PublicKey.fromPem(CliFiles.readPem(context, recipientFile, "recipient key file"));
        Sm2PrivateKey sender = Sm2PrivateKey.fromPem(CliFiles.readPem(context, senderFile, "sender key file"));
        String contentLabel = label != null ? label : in == null || in.equals("-") ? "" : Path.of(in).getFileName().toString();
        try (InputStream input = CliFiles.openInput(context, in);
             CliOutput output = CliOutput.open(context, out)) {
            new EnvelopeSealer().seal(input, output.stream(), recipient, sender, contentLabel);
            output.commit();
        }
        return ExitCode.OK;
    }
}
