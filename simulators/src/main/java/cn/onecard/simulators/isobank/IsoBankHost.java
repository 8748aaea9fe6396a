package cn.onecard.simulators.isobank;

import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.IsoServer;
import cn.onecard.iso8583.MacKeys;
import cn.onecard.iso8583.RequestHandler;
import cn.onecard.simulators.filebank.Accounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent bank's host on an ISO 8583 line (docs/simulators/iso-bank.md): card accounts from the
 * file banks' accounts CSV, account verification, credits, status inquiries and reversals in one
 * dialect, MACs under one key or under working keys handed out at each connection's sign-on, an append-only ledger forced to disk before each answer, and faults
 * drawn from one seed ({@link IsoBankFaults}).
 * Thread-safe.
 */
public final class IsoBankHost implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IsoBankHost.class);

    /** What a host needs. */
    public static final class Config {
        private final Dialect dialect;
        private final Accounts accounts;
        private final Path ledgerFile;
        private MacKeys macKeys = MacKeys.none();
        private SymmetricKey zoneMasterKey;
        private InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private IsoBankFaults faults = IsoBankFaults.NONE;
        private long seed = new SecureRandom().nextLong();

        /**
         * @param ledgerFile the bank's books; created when absent, replayed when present
         */
        public Config(Dialect dialect, Accounts accounts, Path ledgerFile) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            this.accounts = Objects.requireNonNull(accounts, "accounts");
            this.ledgerFile = Objects.requireNonNull(ledgerFile, "ledgerFile");
        }

        /** The MAC key every peer signs with, where the bank hands out no working keys. */
        public Config macKey(SymmetricKey key) {
            this.macKeys = MacKeys.single(key);
            return this;
        }

        /**
         * Hands out working keys at sign-on, under this zone master key: each connection then signs on
         * and is checked under its own MAC key; the dialect must define {@code sign-on.*}.
         */
        public Config zoneMasterKey(SymmetricKey key) {
            if (dialect.signOn().isEmpty()) {
                throw new IllegalArgumentException("dialect " + dialect.name() + " hands out no working keys at sign-on");
            }
            this.zoneMasterKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /** Faults to inject from the start; default none. */
        public Config faults(IsoBankFaults initial) {
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
    }

    private final IsoBankJournal journal;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<IsoBankFaults> faults;
    private final long seed;
    private final IsoServer server;
    private final FaultyLine line;
    private final SessionKeys sessions;

    private IsoBankHost(IsoBankJournal journal, AtomicReference<IsoBankFaults> faults, long seed, IsoServer server,
                        FaultyLine line, SessionKeys sessions) {
        this.sessions = sessions;
        this.journal = journal;
        this.faults = faults;
        this.seed = seed;
        this.server = server;
        this.line = line;
    }

    public static IsoBankHost start(Config config) throws IOException {
        IsoBankJournal journal = IsoBankJournal.open(config.ledgerFile, config.accounts);
        AtomicReference<IsoBankFaults> faults = new AtomicReference<>(config.faults);
        // one source for every fault, handler's and line's alike, so one seed replays the run
        Random dice = new Random(config.seed);
        SessionKeys sessions = config.zoneMasterKey == null ? null : new SessionKeys();
        RequestHandler core = new IsoBankHandler(config.dialect, config.accounts, journal, config.zoneMasterKey, sessions);
        IsoServer server = null;
        try {
            // the server listens on loopback only; callers reach it through the line, which can damage answers
            server = IsoServer.start(new IsoServer.Config(config.dialect).macKeys(sessions != null ? sessions : config.macKeys),
                    new FaultyHandler(config.dialect, core, faults::get, dice));
            FaultyLine line = new FaultyLine(config.dialect.framing(), config.bind, server.address(), faults::get, dice);
            log.info("iso bank {}: listening on {}, {} accounts, ledger {}, fault seed {}", config.dialect.name(),
                    line.address(), config.accounts.size(), config.ledgerFile, config.seed);
            return new IsoBankHost(journal, faults, config.seed, server, line, sessions);
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            journal.close();
            throw e;
        }
    }

    /** The seed the faults are drawn from. */
    public long seed() {
        return seed;
    }

    public IsoBankFaults faults() {
        return faults.get();
    }

    /** Changes the faults; requests that arrive from now on draw from the new odds. */
    public void faults(IsoBankFaults changed) {
        faults.set(Objects.requireNonNull(changed, "faults"));
        log.info("iso bank: faults now {}", changed);
    }

    /** Where callers connect: the line in front of the server. */
    public InetSocketAddress address() {
        return line.address();
    }

    /**
     * Forgets every connection's working key, as a host that lost its sessions would: each connection's
     * next request is refused with the MAC error, which asks it to sign on again. Nothing without working keys.
     */
    public void forgetSessions() {
        if (sessions != null) {
            sessions.forgetAll();
            log.info("iso bank: every connection's working key forgotten");
        }
    }

    /** A snapshot of the bank's books: payments, reversals and duplicates refused, without card data. */
    public IsoBankLedger ledger() {
        return journal.snapshot();
    }

    /** Stops answering (requests being handled finish first), then closes the ledger. A second call does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        line.close();
        server.close();
        try {
            journal.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
