package cn.onecard.simulators;

import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.simulators.filebank.Accounts;
import cn.onecard.simulators.httpbank.HttpBankFaults;
import cn.onecard.simulators.httpbank.HttpBankHost;
import cn.onecard.simulators.httpbank.ServerCertificate;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code http-bank}: one HTTP bank standalone (docs/simulators/http-bank.md), until the process is
 * killed, with the world's bank control routes ({@code /banks/{CODE}/faults|ledger|open|close}) on
 * an HTTP port of its own.
 */
@Command(name = "http-bank", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs one agent bank's HTTP/JSON API (SM2-signed, over HTTPS with its own certificate) until stopped.")
final class HttpBankCommand implements Callable<Integer> {

    static final String APP_ID = "onecard-gateway";

    @Spec
    private CommandSpec spec;

    @Option(names = "--code", defaultValue = "HTTP", description = "the bank's code, in the control routes (default: ${DEFAULT-VALUE})")
    String code;

    @Option(names = "--accounts", required = true, description = "accounts CSV: card_number,name,id_number,state,balance_fen")
    Path accountsFile;

    @Option(names = "--ledger", required = true, paramLabel = "FILE", description = "the bank's books, created when absent, replayed when present")
    Path ledgerFile;

    @Option(names = "--keys", required = true, paramLabel = "DIR",
            description = "the bank's SM2 pair (sm2-*.pem) and TLS certificate (tls-*.pem), made when absent")
    Path keysDir;

    @Option(names = "--gateway-public-key", required = true, paramLabel = "PEM", description = "the gateway's SM2 public key: requests must verify under it")
    Path gatewayPublicKey;

    @Option(names = "--app-id", defaultValue = APP_ID, description = "the gateway's app id (X-App-Id) (default: ${DEFAULT-VALUE})")
    String appId;

    @Option(names = "--path-prefix", defaultValue = "/openapi", description = "the API's path prefix (default: ${DEFAULT-VALUE})")
    String pathPrefix;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "listen address of the API and control (default: ${DEFAULT-VALUE})")
    String bindHost;

    @Option(names = "--port", defaultValue = "0", description = "HTTPS port, 0 for any free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--control-port", defaultValue = "0", description = "HTTP control port, 0 for any free one (default: ${DEFAULT-VALUE})")
    int controlPort;

    @Option(names = "--seed", description = "seed of the fault draws (default: a fresh one, printed)")
    Long seed;

    @Option(names = "--busy", defaultValue = "0", paramLabel = "ODDS", description = "odds a request is answered BUSY and not acted on")
    double busy;

    @Option(names = "--delay", defaultValue = "0ms", paramLabel = "D", converter = Serving.DurationConverter.class,
            description = "how long every answer is held back after acting (default: ${DEFAULT-VALUE})")
    Duration delay;

    @Option(names = "--late", defaultValue = "0", paramLabel = "ODDS", description = "odds an answer is held back --late-by more")
    double late;

    @Option(names = "--late-by", defaultValue = "15s", paramLabel = "D", converter = Serving.DurationConverter.class,
            description = "how long a late answer is held back (default: ${DEFAULT-VALUE})")
    Duration lateBy;

    @Option(names = "--drop-answer", defaultValue = "0", paramLabel = "ODDS", description = "odds a request is acted on and the connection closed unanswered")
    double dropAnswer;

    @Option(names = "--reset-connection", defaultValue = "0", paramLabel = "ODDS", description = "odds a request is acted on and the connection reset")
    double resetConnection;

    @Option(names = "--malformed-answer", defaultValue = "0", paramLabel = "ODDS", description = "odds a request is acted on and garbage answered")
    double malformedAnswer;

    @Option(names = "--unsigned-answer", defaultValue = "0", paramLabel = "ODDS", description = "odds an answer lacks its signature headers")
    double unsignedAnswer;

    @Option(names = "--badly-signed-answer", defaultValue = "0", paramLabel = "ODDS", description = "odds an answer is signed by another key")
    double badlySignedAnswer;

    @Option(names = "--refuse-connections", description = "start with the listener stopped (POST /banks/CODE/open starts it)")
    boolean refuseConnections;

    @Override
    public Integer call() throws Exception {
        start().serveUntilKilled();
        return SimulatorsMain.OK;
    }

    /** Starts the bank and its control port and prints one line saying where they listen. */
    StandaloneBank<HttpBankHost> start() throws Exception {
        HttpBankFaults faults = new HttpBankFaults(busy, delay, late, lateBy, dropAnswer, resetConnection, malformedAnswer,
                unsignedAnswer, badlySignedAnswer, refuseConnections);
        Sm2KeyPair bankKeys = KeyFiles.sm2Pair(keysDir);
        ServerCertificate certificate = KeyFiles.serverCertificate(keysDir, code, List.of(bindHost));
        Accounts accounts = Accounts.load(accountsFile);
        long faultSeed = seed != null ? seed : new SecureRandom().nextLong();
        HttpBankHost host = HttpBankHost.start(new HttpBankHost.Config(accounts, ledgerFile, bankKeys.privateKey(),
                KeyFiles.publicKey(gatewayPublicKey), certificate).appId(appId).pathPrefix(pathPrefix).faults(faults)
                .seed(faultSeed).bind(new InetSocketAddress(bindHost, port)));
        StandaloneBank<HttpBankHost> running = StandaloneBank.control(host, bindHost, controlPort,
                new BankControlRoutes(Map.of(), Map.of(), Map.of(code, host)));
        PrintWriter out = spec.commandLine().getOut();
        out.println("http-bank " + code + " ready: " + host.baseUri() + ", control http://" + bindHost + ":"
                + running.controlPort() + BankControlRoutes.PATH + code + ", " + accounts.size() + " accounts, ledger "
                + ledgerFile + ", certificate " + keysDir.resolve("tls-certificate.pem") + " sha256 " + certificate.fingerprint()
                + ", bank key " + keysDir.resolve("sm2-public.pem") + ", faults " + faults + ", fault seed " + faultSeed);
        out.flush();
        return running;
    }
}
