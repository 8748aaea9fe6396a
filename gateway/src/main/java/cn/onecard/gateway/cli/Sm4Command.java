package cn.onecard.gateway.cli;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.Sm4;
import cn.onecard.crypto.Sm4Mode;
import cn.onecard.crypto.Sm4Padding;
import cn.onecard.crypto.SymmetricKey;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "sm4", mixinStandardHelpOptions = true,
        description = {"SM4 encryption and decryption of the input, streamed.",
                "ECB takes no IV and is unpadded unless --padding pkcs7; CBC pads with PKCS#7 by default;",
                "CTR takes a 16-byte initial counter; GCM a 12-byte nonce, and writes ciphertext then the 16-byte tag.",
                "GCM decryption writes nothing until the tag has verified (exit 1 if it does not)."})
final class Sm4Command implements Callable<Integer> {

    enum Operation { encrypt, decrypt }

    private final CliContext context;

    @Parameters(index = "0", paramLabel = "encrypt|decrypt", description = "what to do")
    Operation operation;

    @Option(names = "--mode", required = true, paramLabel = "ecb|cbc|ctr|gcm", description = "mode of operation")
    Sm4Mode mode;

    @ArgGroup(exclusive = true, multiplicity = "1")
    KeyHexOptions keyOptions;

    @Option(names = "--iv", paramLabel = "HEX", description = "IV (CBC), initial counter (CTR) or nonce (GCM)")
    String ivHex;

    @Option(names = "--aad", paramLabel = "HEX", description = "GCM associated data")
    String aadHex;

    @Option(names = "--padding", paramLabel = "pkcs7|none", description = "ECB/CBC padding (default: none for ECB, pkcs7 for CBC)")
    Sm4Padding padding;

    @Option(names = "--in", paramLabel = "FILE", description = "input (default: standard input)")
    String in;

    @Option(names = "--out", paramLabel = "FILE", description = "output (default: standard output)")
    String out;

    Sm4Command(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        SymmetricKey key = SymmetricKey.fromHex(KeyAlgorithm.SM4, keyOptions.read(context));
        byte[] iv = ivHex == null ? null : parseHex("--iv", ivHex);
        if (aadHex != null && mode != Sm4Mode.GCM) {
            throw new CliInputException("--aad applies to GCM only");
        }
        byte[] aad = aadHex == null ? null : parseHex("--aad", aadHex);
        Sm4Padding chosen = padding == null ? mode.defaultPadding() : padding;
        boolean encrypt = operation == Operation.encrypt;
        if (mode == Sm4Mode.GCM && !encrypt) {
            if (chosen != Sm4Padding.NONE) {
                throw new CliInputException("GCM is not padded");
            }
            try (InputStream input = CliFiles.openInput(context, in)) {
                if (out != null && !out.equals("-")) {
                    Sm4.decryptGcm(key, iv, aad, input, context.resolve(out));
                } else {
                    CliFiles.releaseToStandardOutput(context, staged -> Sm4.decryptGcm(key, iv, aad, input, staged));
                }
            } finally {
                key.destroy();
            }
            return ExitCode.OK;
        }
        try (InputStream input = CliFiles.openInput(context, in);
             CliOutput cliOutput = CliOutput.open(context, out)) {
            OutputStream output = cliOutput.stream();
            if (mode == Sm4Mode.GCM) {
                if (chosen != Sm4Padding.NONE) {
                    throw new CliInputException("GCM is not padded");
                }
                Sm4.encryptGcm(key, iv, aad, input, output);
            } else if (encrypt) {
                Sm4.encrypt(mode, chosen, key, iv, input, output);
            } else {
                Sm4.decrypt(mode, chosen, key, iv, input, output);
            }
            cliOutput.commit();
        } finally {
            key.destroy();
        }
        return ExitCode.OK;
    }

    private static byte[] parseHex(String option, String hex) {
        try {
            return HexFormat.of().parseHex(hex.strip());
        } catch (IllegalArgumentException e) {
            throw new CliInputException(option + " must be hex digits");
        }
    }
}
