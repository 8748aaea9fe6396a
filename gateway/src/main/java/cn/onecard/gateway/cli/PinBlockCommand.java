package cn.onecard.gateway.cli;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.PinBlocks;
import cn.onecard.crypto.SymmetricKey;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "pinblock", mixinStandardHelpOptions = true,
        description = {"An ISO 9564 format 0 PIN block encrypted under a PIN key, in hex.",
                "8 bytes under 3DES, 16 under SM4 (the format 0 block followed by eight FF bytes; docs/crypto.md).",
                "For test cards: a PIN on a command line is visible to other users; --pin - reads it from standard input."})
final class PinBlockCommand implements Callable<Integer> {

    private final CliContext context;

    @Option(names = "--pan", required = true, paramLabel = "PAN", description = "card number, 13 to 19 digits")
    String pan;

    @Option(names = "--pin", required = true, paramLabel = "PIN", description = "4 to 12 digits, or - to read a line from standard input")
    String pin;

    @ArgGroup(exclusive = true, multiplicity = "1")
    KeyHexOptions keyOptions;

    @Option(names = "--alg", required = true, paramLabel = "3des|sm4", description = "PIN key algorithm")
    String algorithm;

    @Option(names = "--out", paramLabel = "FILE", description = "where to write the hex block (default: standard output)")
    String out;

    PinBlockCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        KeyAlgorithm keyAlgorithm = switch (algorithm) {
            case "3des" -> KeyAlgorithm.TDES;
            case "sm4" -> KeyAlgorithm.SM4;
            default -> throw new CliInputException("--alg must be 3des or sm4");
        };
        SymmetricKey key = SymmetricKey.fromHex(keyAlgorithm, keyOptions.read(context));
        char[] pinDigits = pin.equals("-") ? readPinLine() : pin.toCharArray();
        try {
            byte[] block = PinBlocks.encrypt(key, pan, pinDigits);
            CliFiles.writeText(context, out, HexFormat.of().withUpperCase().formatHex(block) + "\n");
        } finally {
            Arrays.fill(pinDigits, '\0');
            key.destroy();
        }
        return ExitCode.OK;
    }

    private char[] readPinLine() throws java.io.IOException {
        String line = new BufferedReader(new InputStreamReader(context.in(), StandardCharsets.US_ASCII)).readLine();
        return line == null ? new char[0] : line.strip().toCharArray();
    }
}
