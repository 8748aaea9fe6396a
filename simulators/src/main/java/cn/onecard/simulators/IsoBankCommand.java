package cn.onecard.simulators;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.simulators.filebank.Accounts;
import cn.onecard.simulators.isobank.IsoBankDialect;
import cn.onecard.simulators.isobank.IsoBankFaults;
import cn.onecard.simulators.isobank.IsoBankHost;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code iso-bank}: one ISO 8583 bank host standalone (docs/simulators/iso-bank.md), until the
 * process is killed, with the world's bank control routes ({@code /banks/{CODE}/faults|ledger|open|close})
 * on an HTTP port of its own.
 */
@Command(name = "iso-bank", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs one agent bank's online core on an ISO 8583 line (agent-bcd or agent-ascii87) until stopped.")
final class IsoBankCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--dialect", defaultValue = "agent-bcd", converter = DialectConverter.class,
            description = "agent-bcd (SM4 MAC key) or agent-ascii87 (TDES MAC key) (default: ${DEFAULT-VALUE})")
    IsoBankDialect dialect;

    @Option(names = "--code", defaultValue = "ISO", description = "the bank's code, in the control routes (default: ${DEFAULT-VALUE})")
    String code;

    @Option(names = "--accounts", required = true, description = "accounts CSV: card_number,name,id_number,state,balance_fen")
    Path accountsFile;

    @Option(names = "--ledger", required = true, paramLabel = "FILE", description = "the bank's books, created when absent, replayed when present")
    Path ledgerFile;

    @Option(names = "--mac-key-file", paramLabel = "HEXFILE",
            description = "the MAC key shared with the gateway, 32 hex digits; printed by check value only")
    Path macKeyFile;

    @Option(names = "--zone-master-key-file", paramLabel = "HEXFILE",
            description = "instead of --mac-key-file: an SM4 zone master key, 32 hex digits; each connection signs on and "
                    + "gets fresh working keys under it")
    Path zoneMasterKeyFile;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "listen address of the line and control (default: ${DEFAULT-VALUE})")
    String bindHost;

    @Option(names = "--port", defaultValue = "0", description = "ISO 8583 port, 0 for any free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--control-port", defaultValue = "0", description = "HTTP control port, 0 for any free one (default: ${DEFAULT-VALUE})")
    int controlPort;

    @Option(names = "--seed", description = "seed of the fault draws (default: a fresh one, printed)")
    Long seed;

    @Option(names = "--busy", defaultValue = "0", paramLabel = "ODDS", description = "odds a request is answered busy and not acted on")
    double busy;

    @Option(names = "--late", defaultValue = "0", paramLabel = "ODDS", description = "odds an answer is held back --late-by after acting")
    double late;

    @Option(names = "--late-by", defaultValue = "5s", paramLabel = "D", converter = Serving.DurationConverter.class,
            description = "how long a late answer is held back (default: ${DEFAULT-VALUE})")
    Duration lateBy;

    @Option(names = "--drop-answer", defaultValue = "0", paramLabel = "ODDS", description = "odds a request is acted on and not answered")
    double dropAnswer;

    @Option(names = "--answer-twice", defaultValue = "0", paramLabel = "ODDS", description = "odds an answer is sent twice")
    double answerTwice;

    @Option(names = "--cut-answer", defaultValue = "0", paramLabel = "ODDS", description = "odds half an answer is sent and the connection closed")
    double cutAnswer;

    @Option(names = "--garble-answer", defaultValue = "0", paramLabel = "ODDS", description = "odds one byte of an answer is flipped")
    double garbleAnswer;

    @Option(names = "--refuse-connections", description = "close every new connection as soon as it is accepted")
    boolean refuseConnections;

    @Override
    public Integer call() throws Exception {
        start().serveUntilKilled();
        return SimulatorsMain.OK;
    }

    /** Starts the host and its control port and prints one line saying where they listen. */
    StandaloneBank<IsoBankHost> start() throws Exception {
        IsoBankFaults faults = new IsoBankFaults(busy, late, lateBy, dropAnswer, answerTwice, cutAnswer, garbleAnswer,
                refuseConnections);
        if ((macKeyFile == null) == (zoneMasterKeyFile == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --mac-key-file or --zone-master-key-file");
        }
        SymmetricKey key = macKeyFile != null ? KeyFiles.hexKeyFile(macKeyFile, dialect.macKeyAlgorithm())
                : KeyFiles.hexKeyFile(zoneMasterKeyFile, KeyAlgorithm.SM4);
        Accounts accounts = Accounts.load(accountsFile);
        long faultSeed = seed != null ? seed : new SecureRandom().nextLong();
        IsoBankHost.Config config = new IsoBankHost.Config(dialect.dialect(), accounts, ledgerFile).faults(faults).seed(faultSeed)
                .bind(new InetSocketAddress(bindHost, port));
        IsoBankHost host = IsoBankHost.start(macKeyFile != null ? config.macKey(key) : config.zoneMasterKey(key));
        StandaloneBank<IsoBankHost> running = StandaloneBank.control(host, bindHost, controlPort,
                new BankControlRoutes(Map.of(), Map.of(code, host), Map.of()));
        PrintWriter out = spec.commandLine().getOut();
        out.println("iso-bank " + code + " " + dialect + " ready: iso8583 " + bindHost + ":" + host.address().getPort()
                + ", control http://" + bindHost + ":" + running.controlPort() + BankControlRoutes.PATH + code
                + ", " + accounts.size() + " accounts, ledger " + ledgerFile
                + (macKeyFile != null ? ", MAC key" : ", zone master key") + " check value "
                + HexFormat.of().withUpperCase().formatHex(key.checkValue())
                + ", faults " + faults + ", fault seed " + faultSeed);
        out.flush();
        return running;
    }

    /** {@code agent-bcd}, {@code agent-ascii87}. */
    static final class DialectConverter implements CommandLine.ITypeConverter<IsoBankDialect> {
        @Override
        public IsoBankDialect convert(String text) {
            try {
                return IsoBankDialect.named(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
