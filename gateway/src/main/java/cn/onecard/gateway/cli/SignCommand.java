package cn.onecard.gateway.cli;

import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2StreamSigner;
import java.io.InputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "sign", mixinStandardHelpOptions = true,
        description = "Sign the input with SM2 (SM3 digest with ZA): a DER signature, or 64-byte r||s with --raw.")
final class SignCommand implements Callable<Integer> {

    private final CliContext context;

    @Option(names = "--key", required = true, paramLabel = "PRIVATE.pem", description = "SM2 private key")
    String keyFile;

    @Mixin
    SignatureOptions signature;

    @Option(names = "--in", paramLabel = "FILE", description = "data to sign (default: standard input)")
    String in;

    @Option(names = "--out", paramLabel = "FILE", description = "signature file (default: standard output)")
    String out;

    SignCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        Sm2PrivateKey key = Sm2PrivateKey.fromPem(CliFiles.readPem(context, keyFile, "private key file"));
        byte[] signed;
        try (InputStream input = CliFiles.openInput(context, in);
             Sm2StreamSigner signer = key.newSigner(signature.format())) {
            CliFiles.feed(input, signer::update);
            signed = signer.sign();
        }
        try (CliOutput output = CliOutput.open(context, out)) {
            output.stream().write(signed);
            output.commit();
        }
        return ExitCode.OK;
    }
}
