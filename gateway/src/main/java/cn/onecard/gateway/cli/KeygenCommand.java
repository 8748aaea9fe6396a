package cn.onecard.gateway.cli;

import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.crypto.StagedFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

    /** Both files are checked and staged before either is published, so a failure replaces neither. */
    @Override
    public Integer call() throws Exception {
        Path privatePath = context.resolve(privateFile).toAbsolutePath().normalize();
        Path publicPath = context.resolve(publicFile).toAbsolutePath().normalize();
        if (privatePath.equals(publicPath)) {
            throw new CliInputException("--private and --public must be different files");
        }
        for (Path path : new Path[]{privatePath, publicPath}) {
            if (!force && Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                throw new CliInputException(path + " exists; use --force to replace it");
            }
        }
        Sm2KeyPair pair = Sm2.generateKeyPair();
        try (StagedFile privateStaged = StagedFile.beside(privatePath);
             StagedFile publicStaged = StagedFile.beside(publicPath)) {
            privateStaged.stream().write(pair.privateKey().toPem().getBytes(StandardCharsets.US_ASCII));
            publicStaged.stream().write(pair.publicKey().toPem().getBytes(StandardCharsets.US_ASCII));
            privateStaged.publish();
            publicStaged.publish();
        }
        if (Files.getFileStore(publicPath).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(publicPath, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return ExitCode.OK;
    }
}
