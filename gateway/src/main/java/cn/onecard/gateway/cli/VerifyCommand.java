package cn.onecard.gateway.cli;

import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.Sm2StreamVerifier;
import cn.onecard.crypto.VerificationFailedException;
import java.io.InputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify an SM2 signature over the input: prints 'Verified OK' and exits 0, or exits 1.",
                "A file that is not a signature at all (not strict DER, not 64 bytes with --raw, r or s out of range)",
                "is bad input: exit 2, with the reason."})
final class VerifyCommand implements Callable<Integer> {

    private final CliContext context;

    @Option(names = "--key", required = true, paramLabel = "PUBLIC.pem", description = "signer's SM2 public key")
    String keyFile;

    @Option(names = "--sig", required = true, paramLabel = "FILE", description = "signature file")
    String signatureFile;

    @Mixin
    SignatureOptions signature;

    @Option(names = "--in", paramLabel = "FILE", description = "signed data (default: standard input)")
    String in;

    VerifyCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        Sm2PublicKey key = Sm2PublicKey.fromPem(CliFiles.readPem(context, keyFile, "public key file"));
        byte[] signatureBytes = CliFiles.readSmallFile(context, signatureFile, "signature file");
        boolean valid;
        try (InputStream input = CliFiles.openInput(context, in);
             Sm2StreamVerifier verifier = key.newVerifier(signature.format())) {
            CliFiles.feed(input, verifier::update);
            valid = verifier.verify(signatureBytes);
        }
        if (!valid) {
            throw new VerificationFailedException(VerificationFailedException.Reason.SIGNATURE_INVALID, "signature does not verify");
        }
        context.out().println("Verified OK");
        CliOutput.checkStandardOutput(context);
        return ExitCode.OK;
    }
}
