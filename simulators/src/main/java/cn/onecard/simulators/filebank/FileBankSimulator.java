package cn.onecard.simulators.filebank;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.SshServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import cn.onecard.simulators.filebank.BankLedger.FileEntry;

/**
 * One agent bank's batch-payment core behind SFTP, speaking LYB or ABC files: the other party to the
 * gateway's file adapters. Start it, point the gateway at {@link #port()}, and audit it through
 * {@link #ledger()}. Thread-safe.
 */
public final class FileBankSimulator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FileBankSimulator.class);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final FileBankOptions options;
    private final BankDirectories dirs;
    private final Accounts accounts;
    private final BankLedger ledger;
    private final AtomicReference<FileBankFaults> faults = new AtomicReference<>(FileBankFaults.NONE);
    private final ScheduledExecutorService executor;
    private final BankProcessor processor;
    private final String hostKeyFingerprint;
    private final AtomicBoolean closed = new AtomicBoolean();
    private SshServer server;

    private FileBankSimulator(FileBankOptions options, BankDirectories dirs, Accounts accounts, BankLedger ledger,
                              String hostKeyFingerprint) {
        this.options = options;
        this.dirs = dirs;
        this.accounts = accounts;
        this.ledger = ledger;
        this.hostKeyFingerprint = hostKeyFingerprint;
        this.executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("file-bank-" + options.kind()).daemon(true).factory());
        BankDialect dialect = switch (options.kind()) {
            case LYB -> new LybDialect(options.unitNumber(), options.lybDataKey(), options.gatewayPublicKey(),
                    options.bankPrivateKey());
            case ABC -> new AbcDialect(options.gatewayPublicKey(), options.bankPrivateKey());
        };
        this.processor = new BankProcessor(options, dirs, dialect, accounts, ledger, faults::get, executor);
    }

    /**
     * Creates the folders, loads the accounts and replays the ledger (a restarted bank remembers what
     * it paid), opens the SFTP server and starts processing. The options line is logged first.
     */
    public static FileBankSimulator start(FileBankOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        log.info("{}", options);
        BankDirectories dirs = BankDirectories.create(options.root());
        Accounts accounts = Accounts.load(options.accountsFile());
        KeyPair hostKey = SshKeys.hostKey(options.hostKeyFile());
        List<PublicKey> authorized = SshKeys.authorizedKeys(options.authorizedKeyFile());
        BankLedger ledger = BankLedger.open(dirs.root(), options.kind(), options.clock());
        FileBankSimulator simulator = null;
        try {
            replayPayments(ledger, accounts);
            FileBankSimulator created = new FileBankSimulator(options, dirs, accounts, ledger,
                    KeyUtils.getFingerPrint(hostKey.getPublic()));
            simulator = created;
            created.server = BankSftpServer.start(options, dirs, hostKey, authorized,
                    () -> created.faults.get().closed());
        } catch (IOException | RuntimeException e) {
            if (simulator != null) {
                simulator.close();
            } else {
                ledger.close();
            }
            throw e;
        }
        simulator.processor.start();
        log.info("{} bank: SFTP on {}:{} (host key {}), {} accounts, fault seed {}", options.kind(),
                options.bindHost(), simulator.port(), simulator.hostKeyFingerprint, accounts.size(), options.faultSeed());
        return simulator;
    }

    /** Balances are the CSV's plus every payment the ledger records. */
    private static void replayPayments(BankLedger ledger, Accounts accounts) {
        for (FileEntry entry : ledger.files()) {
            for (RecordResult record : entry.records()) {
                if (record.outcome().paid()) {
                    if (accounts.find(record.cardNumber()).isPresent()) {
                        accounts.credit(record.cardNumber(), record.amountFen());
                    } else {
                        log.warn("ledger pays reference {} to an account the accounts file no longer has",
                                record.reference());
                    }
                }
            }
        }
    }

    public FileBankOptions options() {
        return options;
    }

    /** The SFTP port the server listens on. */
    public int port() {
        return server.getPort();
    }

    /** The bank's root directory: in/, out/ and the ledger. */
    public Path root() {
        return dirs.root();
    }

    /** The SSH host key's SHA-256 fingerprint, as OpenSSH prints it. */
    public String hostKeyFingerprint() {
        return hostKeyFingerprint;
    }

    public FileBankFaults faults() {
        return faults.get();
    }

    /** Replaces the faults; files processed from now on see the new ones. Reopening wakes the processor. */
    public void faults(FileBankFaults newFaults) {
        Objects.requireNonNull(newFaults, "faults");
        FileBankFaults old = faults.getAndSet(newFaults);
        if (!old.equals(newFaults)) {
            log.info("{} bank: faults now {}", options.kind(), newFaults);
        }
        if (old.closed() && !newFaults.closed()) {
            processor.wake();
        }
    }

    /** A snapshot of the bank's own record. */
    public FileBankLedger ledger() {
        return ledger.snapshot();
    }

    /** An account's balance in fen, for an auditor; empty for a card the bank does not hold. */
    public OptionalLong balanceFen(String cardNumber) {
        return accounts.find(cardNumber).map(a -> OptionalLong.of(a.balanceFen())).orElse(OptionalLong.empty());
    }

    /**
     * Waits until the bank has nothing to do: no payment file waiting in in/ (unless closed), nothing
     * being processed, no result or duplicate scheduled. A duplicate-result fault keeps it busy until
     * the gateway has taken the first copy.
     *
     * @return whether it became idle within {@code timeout}
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return processor.awaitIdle(timeout);
    }

    /** Stops the SFTP server and the processor; answers still scheduled are dropped, as in a crash. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (server != null) {
                server.stop(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("stopping the SFTP server failed", e);
        } finally {
            executor.shutdownNow();
            try {
                if (!executor.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("{} bank: processor still running after {}", options.kind(), SHUTDOWN_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                ledger.close();
            } catch (IOException e) {
                log.warn("{} bank: closing the ledger failed", options.kind(), e);
            }
            log.info("{} bank: stopped", options.kind());
        }
    }
}
