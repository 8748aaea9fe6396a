package cn.onecard.gateway.cli;

import cn.onecard.crypto.CryptoException;
import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.crypto.MalformedInputException;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.VerificationFailedException;
import java.io.InputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "open", mixinStandardHelpOptions = true,
        description = {"Open a OneCard envelope, releasing nothing unless it verifies.",
                "Nothing is written until every tag and the sender's signature verify: --out FILE",
                "appears whole or not at all; to standard output the content is staged in a",
                "private temporary file first."},
        // docs/crypto.md lists the same lines; CryptoCliTest holds the two together.
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "0:opened: every tag and the sender's signature verified, and the content was written",
                "1:envelope refused: some byte of it is not as the sender sealed it (altered, cut short, extended),"
                        + " or the input is not a version 1 envelope at all; nothing was written",
                "2:bad usage or unreadable input: an unknown option, a missing or unreadable file, a key file that is"
                        + " not an SM2 key, an output that cannot be written; an --out file is left as it was",
                "3:not for these keys: the envelope names another recipient key than --key's or another sender key"
                        + " than --from's (an altered key id looks the same); nothing was decrypted"})
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
        } catch (CryptoException refused) {
            throw new CliRefusalException(exitCodeFor(refused), refused.getMessage(), refused);
        }
        return ExitCode.OK;
    }

    /**
     * Past the key files, every refusal is the envelope's. A flipped header byte and a file that never
     * was an envelope cannot be told apart, so both are exit 1; only the key ids tell "not for these
     * keys", which needs other keys rather than another copy of the file.
     */
    static int exitCodeFor(CryptoException refused) {
        return switch (refused) {
            case VerificationFailedException failed -> switch (failed.reason()) {
                case WRONG_RECIPIENT, WRONG_SENDER -> ExitCode.WRONG_KEY;
                case SIGNATURE_INVALID, TAG_MISMATCH, DECRYPTION_FAILED, TRUNCATED, TRAILING_DATA, STRUCTURE_ALTERED,
                     CHECK_VALUE_MISMATCH, MAC_MISMATCH -> ExitCode.VERIFICATION_FAILED;
            };
            case MalformedInputException notAsSealed -> ExitCode.VERIFICATION_FAILED;
            default -> ExitCode.BAD_INPUT;
        };
    }
}
