package cn.onecard.simulators.filebank;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import cn.onecard.crypto.CryptoException;
import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.SymmetricKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code file-bank}: runs one simulated file bank until the process is stopped, with an HTTP control
 * port for faults, the ledger, and opening and closing the bank (docs/simulators/file-bank.md).
 */
@Command(name = "file-bank", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs one agent bank's batch-file core behind SFTP (layout LYB or ABC) until stopped.")
public final class FileBankCommand implements Callable<Integer> {

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

    @Spec
    private CommandSpec spec;

    @Option(names = "--bank", required = true, description = "the layout: ${COMPLETION-CANDIDATES}")
    private FileBankKind kind;

    @Option(names = "--root", required = true, description = "the bank's directory: in/, out/, ledger.jsonl")
    private Path root;

    @Option(names = "--accounts", required = true, description = "accounts CSV: card_number,name,id_number,state,balance_fen")
    private Path accountsFile;

    @Option(names = "--gateway-public-key", required = true, paramLabel = "PEM",
            description = "the gateway's SM2 public key: verifies payment files, receives ABC results")
    private Path gatewayPublicKeyFile;

    @Option(names = "--bank-private-key", required = true, paramLabel = "PEM",
            description = "the bank's SM2 private key: signs or seals result files")
    private Path bankPrivateKeyFile;

    @Option(names = "--unit", description = "LYB: the gateway's payer unit number at the bank")
    private String unitNumber;

    @Option(names = "--data-key-file", paramLabel = "FILE", description = "LYB: file holding the SM4 data key, 32 hex digits")
    private Path dataKeyFile;

    @Option(names = "--authorized-key", required = true, paramLabel = "FILE",
            description = "the gateway's SSH public key(s), OpenSSH authorized_keys format")
    private Path authorizedKeyFile;

    @Option(names = "--host-key", paramLabel = "PEM",
            description = "SSH host key, PKCS#8 PEM; an ECDSA P-256 key is made if absent (default: ROOT/ssh_host_ecdsa_key.pem)")
    private Path hostKeyFile;

    @Option(names = "--user", defaultValue = "gateway", description = "the SFTP user name (default: ${DEFAULT-VALUE})")
    private String userName;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "listen address (default: ${DEFAULT-VALUE})")
    private String bindHost;

    @Option(names = "--port", defaultValue = "0", description = "SFTP port, 0 for any free one (default: ${DEFAULT-VALUE})")
    private int sftpPort;

    @Option(names = "--control-port", defaultValue = "0", description = "HTTP control port, 0 for any free one (default: ${DEFAULT-VALUE})")
    private int controlPort;

    @Option(names = "--poll-interval", defaultValue = "1s", paramLabel = "DURATION",
            description = "how often in/ is scanned: 500ms, 2s, 1m or ISO-8601 (default: ${DEFAULT-VALUE})")
    private String pollInterval;

    @Option(names = "--processing-day", paramLabel = "yyyy-MM-dd",
            description = "run the bank's clock on this day (Asia/Shanghai) instead of today")
    private String processingDay;

    @Option(names = "--seed", description = "seed of the fault draws (default: a fresh one, printed)")
    private Long seed;

    /** A running bank and its control port. */
    record Running(FileBankSimulator bank, FileBankControl control) implements AutoCloseable {
        @Override
        public void close() {
            try {
                control.close();
            } finally {
                bank.close();
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        Running running;
        try {
            running = start();
        } catch (IOException | IllegalArgumentException | CryptoException e) {
            spec.commandLine().getErr().println("file-bank: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            running.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /** Starts the bank and its control port and prints where they listen. */
    Running start() throws IOException {
        FileBankOptions options = options();
        FileBankSimulator bank = FileBankSimulator.start(options);
        FileBankControl control;
        try {
            control = FileBankControl.start(bank, new InetSocketAddress(bindHost, controlPort));
        } catch (IOException | RuntimeException e) {
            bank.close();
            throw e;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(options);
        out.println("file-bank " + kind + " ready: sftp " + bindHost + ":" + bank.port() + " user " + userName
                + " host key " + bank.hostKeyFingerprint() + ", control http://" + bindHost + ":" + control.port()
                + ", fault seed " + options.faultSeed());
        out.flush();
        return new Running(bank, control);
    }

    FileBankOptions options() throws IOException {
        FileBankOptions.Builder builder = FileBankOptions.builder()
                .kind(kind)
                .bindHost(bindHost)
                .sftpPort(sftpPort)
                .root(root)
                .clock(clock())
                .accountsFile(accountsFile)
                .gatewayPublicKey(Sm2PublicKey.fromPem(read(gatewayPublicKeyFile)))
                .bankPrivateKey(Sm2PrivateKey.fromPem(read(bankPrivateKeyFile)))
                .hostKeyFile(hostKeyFile != null ? hostKeyFile : root.resolve("ssh_host_ecdsa_key.pem"))
                .authorizedKeyFile(authorizedKeyFile)
                .userName(userName)
                .pollInterval(parseDuration(pollInterval))
                .faultSeed(seed != null ? seed : System.nanoTime());
        if (kind == FileBankKind.LYB) {
            if (dataKeyFile == null) {
                throw new ParameterException(spec.commandLine(), "an LYB bank needs --data-key-file");
            }
            builder.unitNumber(unitNumber)
                    .lybDataKey(SymmetricKey.fromHex(KeyAlgorithm.SM4, read(dataKeyFile).strip()));
        } else if (unitNumber != null || dataKeyFile != null) {
            throw new ParameterException(spec.commandLine(), "an ABC bank takes no --unit and no --data-key-file");
        }
        return builder.build();
    }

    private Clock clock() {
        Clock system = Clock.system(FileBankOptions.BANK_ZONE);
        if (processingDay == null) {
            return system;
        }
        LocalDate day;
        try {
            day = LocalDate.parse(processingDay);
        } catch (DateTimeParseException e) {
            throw new ParameterException(spec.commandLine(), "--processing-day must be yyyy-MM-dd");
        }
        LocalDate today = LocalDate.now(system);
        return Clock.offset(system, Duration.ofDays(day.toEpochDay() - today.toEpochDay()));
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII);
    }

    /** {@code 500ms}, {@code 2s}, {@code 1m}, or ISO-8601 such as {@code PT0.5S}. */
    static Duration parseDuration(String text) {
        Matcher matcher = SHORT_DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                default -> Duration.ofMinutes(amount);
            };
        }
        try {
            return Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (500ms, 2s, 1m or ISO-8601)");
        }
    }

    /** Runs the command on its own, for a bank in its own process. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new FileBankCommand()).execute(args));
    }
}
