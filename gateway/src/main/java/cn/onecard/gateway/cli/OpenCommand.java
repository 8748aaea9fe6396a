package cn.onecard.gateway.cli;

import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import java.io.InputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "open", mixinStandardHelpOptions = true,
        description = {"Open a OneCard envelope, releasing nothing unless it verifies.",
                "Nothing is written until every tag and the sender's signature verify:",
                "--out FILE appears whole or not at all; to standard output the content is staged in a private",
                "temporary file first. Exit 1 if the envelope was altered, cut, is for another key or from another sender."})
final class OpenCommand implements Callable<Integer> {

    private final CliContext context;

    @Option(names = "--key", required = true, paramLabel = "RECIPIENT-PRIVATE.pem", description = "your SM2 private key")
    String recipientFile;

    @Option(names = "--from", required = true, paramLabel = "SENDER-PUBLIC.pem", description = "the sender's SM2 public key")
    String senderFile;

    @Option(names = "--in", paramLabel = "FILE", description = "envelope (default: standard input)")
    String in;

    @Option(names = "--out", paramLabel = "FILE", description = "content (default: standard output)")
    String out;

    OpenCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        Sm2PrivateKey recipient = Sm2PrivateKey.fromPem(CliFiles.readPem(context, recipientFile, "recipient key file"));
        Sm2PublicKey sender = Sm2PublicKey.fromPem(CliFiles.readPem(context, senderFile, "sender key file"));
        EnvelopeOpener opener = new EnvelopeOpener();
        try (InputStream input = CliFiles.openInput(context, in)) {
            if (out != null && !out.equals("-")) {
                opener.open(input, context.resolve(out), recipient, sender);
            } else {
                CliFiles.releaseToStandardOutput(context, staged -> opener.open(input, staged, recipient, sender));
            }
        }
        return ExitCode.OK;
    }
}
