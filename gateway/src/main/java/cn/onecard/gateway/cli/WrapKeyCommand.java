package cn.onecard.gateway.cli;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.KeyUsage;
import cn.onecard.crypto.MasterKey;
import cn.onecard.crypto.SymmetricKey;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "wrap-key", mixinStandardHelpOptions = true,
        description = {"Wrap a clear key under the master key for storage at rest.",
                "Reads the key's hex from standard input; the text form is in docs/crypto.md. The master key comes from ONECARD_MASTER_KEYSTORE (with",
                "ONECARD_MASTER_KEYSTORE_PASSWORD_FILE) or ONECARD_MASTER_KEY. Prints the OCK1 text form."})
final class WrapKeyCommand implements Callable<Integer> {

    private final CliContext context;

    @Option(names = "--usage", required = true, paramLabel = "zmk|tmk|pik|mak|tdk|dek", description = "what the key is for")
    String usage;

    @Option(names = "--algorithm", required = true, paramLabel = "sm4|tdes|des", description = "the key's algorithm")
    String algorithm;

    @Option(names = "--label", required = true, paramLabel = "LABEL", description = "name, [A-Za-z0-9._-]{1,64}")
    String label;

    WrapKeyCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        KeyUsage keyUsage = switch (usage.toLowerCase(Locale.ROOT)) {
            case "zmk" -> KeyUsage.ZONE_MASTER;
            case "tmk" -> KeyUsage.TERMINAL_MASTER;
            case "pik", "zpk" -> KeyUsage.PIN;
            case "mak" -> KeyUsage.MAC;
            case "tdk" -> KeyUsage.TRACK;
            case "dek" -> KeyUsage.DATA;
            default -> throw new CliInputException("--usage must be one of zmk, tmk, pik, mak, tdk, dek");
        };
        KeyAlgorithm keyAlgorithm;
        try {
            keyAlgorithm = KeyAlgorithm.valueOf(algorithm.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliInputException("--algorithm must be sm4, tdes or des");
        }
        String line = new BufferedReader(new InputStreamReader(context.in(), StandardCharsets.US_ASCII)).readLine();
        if (line == null || line.isBlank()) {
            throw new CliInputException("expected the clear key in hex on standard input");
        }
        MasterKey master = MasterKey.fromEnvironment(context.environment());
        SymmetricKey key = SymmetricKey.fromHex(keyAlgorithm, line);
        try {
            context.out().println(master.wrap(key, keyUsage, label).encode());
        } finally {
            key.destroy();
            master.destroy();
        }
        return ExitCode.OK;
    }
}
