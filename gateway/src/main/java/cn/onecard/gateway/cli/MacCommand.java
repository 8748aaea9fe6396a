package cn.onecard.gateway.cli;

import cn.onecard.crypto.MacAlgorithm;
import cn.onecard.crypto.SymmetricKey;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "mac", mixinStandardHelpOptions = true,
        description = {"MAC of the input, in hex.",
                "pos-ecb-des and pos-ecb-sm4 give the 8 ASCII characters of field 64",
                "(printed as their hex bytes); x919 gives 8 bytes; sm4-cmac 16 bytes.",
                "Keys: pos-ecb-des 8, 16 or 24 bytes; x919 16; pos-ecb-sm4 and sm4-cmac 16."})
final class MacCommand implements Callable<Integer> {

    private final CliContext context;

    @Option(names = "--alg", required = true, paramLabel = "pos-ecb-des|pos-ecb-sm4|x919|sm4-cmac", description = "MAC algorithm")
    String algorithmName;

    @ArgGroup(exclusive = true, multiplicity = "1")
    KeyHexOptions keyOptions;

    @Option(names = "--in", paramLabel = "FILE", description = "MAC data (default: standard input)")
    String in;

    @Option(names = "--out", paramLabel = "FILE", description = "where to write the hex MAC (default: standard output)")
    String out;

    MacCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        MacAlgorithm algorithm = MacAlgorithm.fromConfigName(algorithmName);
        byte[] data = CliFiles.readAll(context, in, "MAC data");
        String keyHex = keyOptions.read(context);
        int keyBytes = keyHex.strip().length() / 2;
        SymmetricKey key = SymmetricKey.fromHex(algorithm.keyAlgorithmFor(keyBytes), keyHex);
        try {
            CliFiles.writeText(context, out, HexFormat.of().withUpperCase().formatHex(algorithm.compute(key, data)) + "\n");
        } finally {
            key.destroy();
        }
        return ExitCode.OK;
    }
}
