package cn.onecard.gateway.cli;

import cn.onecard.crypto.Sm3;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A guided tour of the ground floor everything stands on: a treasury and a bank exchanging a signed
 * instruction and a sealed batch file, each step run through the operator CLI exactly as an
 * operator would type it.
 */
@Command(name = "tour", mixinStandardHelpOptions = true,
        description = "A guided crypto round trip (keys, sign, verify, seal, open) through the operator CLI.")
final class CryptoTourCommand implements Callable<Integer> {

    private final CliContext context;

    @Option(names = "--items", defaultValue = "10000", paramLabel = "N", description = "items in the demo batch file (default: ${DEFAULT-VALUE})")
    int items;

    @Option(names = "--dir", paramLabel = "DIR", description = "keep the demo's files here (default: a temporary directory, removed at the end)")
    String directory;

    private PrintStream out;
    private Path workspace;
    private int step;

    CryptoTourCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        if (items < 1 || items > 10_000_000) {
            throw new CliInputException("--items must be 1 to 10,000,000");
        }
        out = context.out();
        workspace = directory == null ? Files.createTempDirectory("onecard-demo") : Files.createDirectories(context.resolve(directory));
        try {
            return runSteps();
        } finally {
            if (directory == null) {
                deleteTree(workspace);
            }
        }
    }

    private int runSteps() throws IOException {
        out.println("OneCard Gateway demo: the crypto round trip between a treasury and an agent bank");
        out.println("(a whole batch paid end to end: ./onecard demo)");
        out.println("working in " + workspace);

        heading("The treasury and the agent bank each generate an SM2 key pair (PEM, as OpenSSL 3 writes)");
        expect(0, "crypto", "keygen", "--private", "treasury.key.pem", "--public", "treasury.pub.pem");
        expect(0, "crypto", "keygen", "--private", "bank.key.pem", "--public", "bank.pub.pem");

        heading("The treasury signs a payment instruction (SM2 with SM3, ID 1234567812345678, DER)");
        String instruction = "{\"batchId\":\"DEMO-202611-0001\",\"programCode\":\"GDBH\",\"period\":\"202611\","
                + "\"itemCount\":1,\"totalAmountFen\":9000}\n";
        Files.writeString(workspace.resolve("instruction.json"), instruction);
        expect(0, "crypto", "sign", "--key", "treasury.key.pem", "--in", "instruction.json", "--out", "instruction.sig");
        note("signature: " + Files.size(workspace.resolve("instruction.sig")) + " bytes");

        heading("The bank verifies it, and refuses a copy whose amount was changed");
        expect(0, "crypto", "verify", "--key", "treasury.pub.pem", "--sig", "instruction.sig", "--in", "instruction.json");
        Files.writeString(workspace.resolve("tampered.json"), instruction.replace("9000", "90000"));
        expect(1, "crypto", "verify", "--key", "treasury.pub.pem", "--sig", "instruction.sig", "--in", "tampered.json");

        heading("The treasury seals a batch file of " + items + " items for the bank (SM4-GCM, key wrapped with SM2, signed)");
        Path batch = writeDemoBatch(workspace.resolve("batch.csv"));
        long started = System.nanoTime();
        expect(0, "crypto", "seal", "--to", "bank.pub.pem", "--sign-key", "treasury.key.pem", "--in", "batch.csv",
                "--out", "batch.csv.ocev");
        note(String.format("%,d bytes sealed into %,d bytes in %d ms", Files.size(batch),
                Files.size(workspace.resolve("batch.csv.ocev")), (System.nanoTime() - started) / 1_000_000));

        heading("The bank opens it; a stranger's key cannot, and a cut envelope is refused");
        expect(0, "crypto", "open", "--key", "bank.key.pem", "--from", "treasury.pub.pem", "--in", "batch.csv.ocev",
                "--out", "batch-opened.csv");
        expect(0, "crypto", "keygen", "--private", "stranger.key.pem", "--public", "stranger.pub.pem");
        expect(3, "crypto", "open", "--key", "stranger.key.pem", "--from", "treasury.pub.pem", "--in", "batch.csv.ocev",
                "--out", "stolen.csv");
        byte[] sealed = Files.readAllBytes(workspace.resolve("batch.csv.ocev"));
        Files.write(workspace.resolve("cut.ocev"), Arrays.copyOf(sealed, sealed.length / 2));
        expect(1, "crypto", "open", "--key", "bank.key.pem", "--from", "treasury.pub.pem", "--in", "cut.ocev",
                "--out", "cut.csv");

        heading("Both sides compare SM3 digests");
        String original = sm3(batch);
        String opened = sm3(workspace.resolve("batch-opened.csv"));
        note("sent:     " + original);
        note("received: " + opened);
        boolean identical = original.equals(opened) && Files.notExists(workspace.resolve("stolen.csv"))
                && Files.notExists(workspace.resolve("cut.csv"));
        out.println();
        out.println(identical ? "Demo finished: every step behaved as expected." : "Demo FAILED: the opened file differs.");
        return identical ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
    }

    /** Runs one CLI command in the workspace, shows it and its output, and checks its exit status. */
    private void expect(int expectedExit, String... args) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        CliContext child = new CliContext(InputStream.nullInputStream(), new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8), context.environment(), workspace);
        out.println("   $ onecard " + String.join(" ", args));
        int exit = Cli.run(child, args);
        stdout.toString(StandardCharsets.UTF_8).lines().forEach(line -> out.println("     " + line));
        stderr.toString(StandardCharsets.UTF_8).lines().forEach(line -> out.println("     " + line));
        out.println("     (exit " + exit + (exit == expectedExit ? ", as expected)" : ", expected " + expectedExit + ")"));
        if (exit != expectedExit) {
            throw new CliInputException("demo step 'onecard " + String.join(" ", args) + "' exited " + exit
                    + " instead of " + expectedExit);
        }
    }

    private void heading(String text) {
        out.println();
        out.println(++step + ". " + text);
    }

    private void note(String text) {
        out.println("     " + text);
    }

    /** Synthetic items only: generated numbers, not real people or cards. */
    private Path writeDemoBatch(Path file) throws IOException {
        try (var writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            writer.write("itemId,programCode,period,cardNumber,amountFen\n");
            for (int i = 1; i <= items; i++) {
                writer.write(String.format("DEMO-%08d,GDBH,202611,62179900%011d,%d%n", i, i, 5_000 + i % 7 * 1_000));
            }
        }
        return file;
    }

    private static String sm3(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return HexFormat.of().formatHex(Sm3.digest(in));
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
