package cn.onecard.gateway.cli;

import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Generate an SM2 key pair (curve sm2p256v1) as PEM files OpenSSL 3 reads: PKCS#8 private "
                + "(written readable by its owner only), SubjectPublicKeyInfo public.")
final class KeygenCommand implements Callable<Integer> {

    private final CliContext context;

    @Option(names = "--private", required = true, paramLabel = "FILE", description = "private key file to write")
    String privateFile;

    @Option(names = "--public", required = true, paramLabel = "FILE", description = "public key file to write")
    String publicFile;

    @Option(names = "--force", description = "replace existing files")
    boolean force;

    KeygenCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        if (context.resolve(privateFile).equals(context.resolve(publicFile))) {
            throw new CliInputException("--private and --public must be different files");
        }
        Sm2KeyPair pair = Sm2.generateKeyPair();
        CliFiles.writeSecretFile(context.resolve(privateFile), pair.privateKey().toPem(), force);
        CliFiles.writeNewFile(context.resolve(publicFile), pair.publicKey().toPem(), force);
        return ExitCode.OK;
    }
}
