package cn.onecard.simulators.httpbank;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.simulators.filebank.Accounts;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Notifier;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Random;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent bank's HTTP/JSON API in the profile of docs/http-bank.md (docs/simulators/http-bank.md),
 * on WireMock over HTTPS with the bank's own certificate: card accounts from the file banks' accounts
 * CSV, account verification, credits, status queries and reversals, every request's SM2 signature
 * checked and every answer signed, an append-only ledger forced to disk before each answer, and
 * faults drawn from one seed ({@link HttpBankFaults}). Thread-safe.
 */
public final class HttpBankHost implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpBankHost.class);
    /** Jetty's request threads: enough for the gateway's in-flight credits while some answers are held late. */
    static final int REQUEST_THREADS = 64;
    private static final Pattern PATH_PREFIX = Pattern.compile("(/[A-Za-z0-9._-]+)*");

    /** What a host needs. */
    public static final class Config {
        private final Accounts accounts;
        private final Path ledgerFile;
        private final Sm2PrivateKey bankKey;
        private final Sm2PublicKey gatewayKey;
        private final ServerCertificate certificate;
        private String appId = "onecard-gateway";
        private String pathPrefix = "/openapi";
        private InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private HttpBankFaults faults = HttpBankFaults.NONE;
        private long seed = new SecureRandom().nextLong();
        private Clock clock = Clock.systemUTC();

        /**
         * @param ledgerFile  the bank's books; created when absent, replayed when present
         * @param bankKey     signs every answer
         * @param gatewayKey  every request's signature must verify under it
         * @param certificate the server's TLS certificate, which the gateway pins
         */
        public Config(Accounts accounts, Path ledgerFile, Sm2PrivateKey bankKey, Sm2PublicKey gatewayKey,
                      ServerCertificate certificate) {
            this.accounts = Objects.requireNonNull(accounts, "accounts");
            this.ledgerFile = Objects.requireNonNull(ledgerFile, "ledgerFile");
            this.bankKey = Objects.requireNonNull(bankKey, "bankKey");
            this.gatewayKey = Objects.requireNonNull(gatewayKey, "gatewayKey");
            this.certificate = Objects.requireNonNull(certificate, "certificate");
        }

        /** The gateway's application id ({@code X-App-Id}); default {@code onecard-gateway}. */
        public Config appId(String id) {
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("the app id is empty");
            }
            this.appId = id;
            return this;
        }

        /** The API's path prefix, {@code ""} or like {@code /openapi}; default {@code /openapi}. */
        public Config pathPrefix(String prefix) {
            if (prefix == null || !PATH_PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException("a path prefix is empty or /segment[/segment...]");
            }
            this.pathPrefix = prefix;
            return this;
        }

        /** Faults to inject from the start; default none. */
        public Config faults(HttpBankFaults initial) {
            this.faults = Objects.requireNonNull(initial, "faults");
            return this;
        }

        /** The seed every fault is drawn from; default: a random one, logged at start so the run can be replayed. */
        public Config seed(long faultSeed) {
            this.seed = faultSeed;
            return this;
        }

        /** Where to listen; default: loopback, a free port. */
        public Config bind(InetSocketAddress address) {
            this.bind = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The bank's clock, which requests' timestamps are held against and answers are stamped with. */
        public Config clock(Clock bankClock) {
            this.clock = Objects.requireNonNull(bankClock, "clock");
            return this;
        }
    }

    private final Config config;
    private final HttpBankJournal journal;
    private final HttpBankOperations operations;
    private final SignedApi api;
    private HttpBankFaults faults;
    /** Null while connections are refused. */
    private WireMockServer server;
    private int port;
    private boolean closed;

    private HttpBankHost(Config config, HttpBankJournal journal) {
        this.config = config;
        this.journal = journal;
        this.faults = config.faults;
        this.operations = new HttpBankOperations(config.accounts, journal);
        // the wrongly signed answers' key: any key but the bank's will do, so a fresh one
        SignedApi.Keys keys = new SignedApi.Keys(config.appId, config.gatewayKey, config.bankKey, Sm2.generateKeyPair().privateKey());
        // one source for every fault, so one seed replays the run
        this.api = new SignedApi(keys, config.pathPrefix, operations, this::faults, new Random(config.seed), config.clock);
        this.port = config.bind.getPort();
    }

    public static HttpBankHost start(Config config) throws IOException {
        HttpBankJournal journal = HttpBankJournal.open(config.ledgerFile, config.accounts);
        HttpBankHost host = new HttpBankHost(config, journal);
        try {
            synchronized (host) {
                if (!config.faults.refuseConnections()) {
                    host.listen();
                }
            }
        } catch (IOException | RuntimeException e) {
            journal.close();
            throw e;
        }
        log.info("http bank: {} on {}, {} accounts, ledger {}, certificate sha256 {}, fault seed {}",
                config.faults.refuseConnections() ? "refusing connections" : "listening", host.baseUri(),
                config.accounts.size(), config.ledgerFile, config.certificate.fingerprint(), config.seed);
        return host;
    }

    /** Starts WireMock on the bank's port (any free one the first time), its key store in a file that lives only while it loads. */
    private void listen() throws IOException {
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        char[] password = HexFormat.of().formatHex(secret).toCharArray();
        Path directory = Files.createTempDirectory("http-bank-tls",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path keyStore = config.certificate.writeKeyStore(directory.resolve("server.p12"), password);
        try {
            WireMockServer started = new WireMockServer(WireMockConfiguration.options()
                    .httpDisabled(true)
                    .bindAddress(config.bind.getAddress().getHostAddress())
                    .httpsPort(port)
                    .keystorePath(keyStore.toString())
                    .keystoreType("PKCS12")
                    .keystorePassword(new String(password))
                    .keyManagerPassword(new String(password))
                    // the profile is HTTP/1.1, and WireMock's connection faults exist only there
                    .http2TlsDisabled(true)
                    // the answer's signature covers its bytes as sent
                    .gzipDisabled(true)
                    .disableRequestJournal()
                    .templatingEnabled(false)
                    .containerThreads(REQUEST_THREADS)
                    // WireMock's admin API on the bank's port would let anyone rewrite its answers
                    .adminAuthenticator(request -> false)
                    .notifier(new QuietNotifier())
                    .extensions(api));
            started.start();
            for (Operation operation : Operation.values()) {
                started.stubFor(post(urlPathEqualTo(config.pathPrefix + operation.path())).atPriority(1)
                        .willReturn(aResponse().withTransformers(SignedApi.NAME)
                                .withTransformerParameter(SignedApi.OPERATION, operation.name())));
            }
            // anything else is answered too, signed: an unmatched request would be logged with its body
            started.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withTransformers(SignedApi.NAME)));
            server = started;
            port = started.httpsPort();
        } finally {
            Files.deleteIfExists(keyStore);
            Files.deleteIfExists(directory);
        }
    }

    /** The seed the faults are drawn from. */
    public long seed() {
        return config.seed;
    }

    public synchronized HttpBankFaults faults() {
        return faults;
    }

    /**
     * Changes the faults; requests that arrive from now on draw from the new odds. Refusing
     * connections stops the listener (connections open are closed); taking them again starts it on
     * the same port.
     */
    public synchronized void faults(HttpBankFaults changed) throws IOException {
        Objects.requireNonNull(changed, "faults");
        if (closed) {
            throw new IllegalStateException("the bank is closed");
        }
        if (changed.refuseConnections() && server != null) {
            server.stop();
            server = null;
        } else if (!changed.refuseConnections() && server == null) {
            listen();
        }
        faults = changed;
        log.info("http bank: faults now {}", changed);
    }

    /** The API's base, {@code https://host:port/prefix}, as the gateway configures it. */
    public URI baseUri() {
        String host = config.bind.getAddress().getHostAddress();
        return URI.create("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + config.pathPrefix);
    }

    /** The port it listens on (or will again, while refusing connections). */
    public synchronized int port() {
        return port;
    }

    public ServerCertificate certificate() {
        return config.certificate;
    }

    /** A snapshot of the bank's books: payments, reversals, refusals and duplicates, without card data. */
    public HttpBankLedger ledger() {
        return operations.ledger();
    }

    /** Stops answering, then closes the ledger. A second call does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (server != null) {
                server.stop();
                server = null;
            }
        } finally {
            try {
                journal.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** WireMock's own messages, to our log without request bodies (which carry card data): errors by their first line. */
    private static final class QuietNotifier implements Notifier {
        @Override
        public void info(String message) {
            // request-by-request chatter; the bank logs its own, without personal data
        }

        @Override
        public void error(String message) {
            log.warn("http bank server: {}", message.lines().findFirst().orElse(""));
        }

        @Override
        public void error(String message, Throwable t) {
            log.warn("http bank server: {} ({})", message.lines().findFirst().orElse(""), t.toString());
        }
    }
}
