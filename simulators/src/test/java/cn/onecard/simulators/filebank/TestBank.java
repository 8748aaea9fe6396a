package cn.onecard.simulators.filebank;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.function.UnaryOperator;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.slf4j.LoggerFactory;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.crypto.SymmetricKey;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A simulated bank in a temporary directory with test keys for both parties, the accounts of
 * {@code filebank/test-accounts.csv}, a clock fixed on {@link #DAY}, and fast polling.
 */
final class TestBank implements AutoCloseable {

    static final LocalDate DAY = LocalDate.of(2026, 11, 2);
    static final Clock CLOCK = Clock.fixed(DAY.atTime(10, 0).atZone(FileBankOptions.BANK_ZONE).toInstant(),
            FileBankOptions.BANK_ZONE);
    static final String UNIT = "4103000001";
    static final String USER = "gateway";
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final Duration POLL = Duration.ofMillis(20);

    /** Test keys: the gateway's and the bank's SM2 keys, the LYB data key, the gateway's SSH key. */
    static final Sm2KeyPair TEST_GATEWAY_KEYS = Sm2.generateKeyPair();
    static final Sm2KeyPair TEST_BANK_KEYS = Sm2.generateKeyPair();
    static final byte[] TEST_DATA_KEY_BYTES = newDataKeyBytes();
    static final SymmetricKey TEST_DATA_KEY = SymmetricKey.of(KeyAlgorithm.SM4, TEST_DATA_KEY_BYTES);
    static final KeyPair TEST_CLIENT_SSH_KEY = newSshKey();

    static {
        // MINA SSHD logs every packet at DEBUG; the simulator's own INFO lines are what a reader wants.
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
        ((Logger) LoggerFactory.getLogger("org.apache.sshd")).setLevel(Level.WARN);
    }

    final FileBankKind kind;
    final Path dir;
    private final FileBankOptions options;
    private FileBankSimulator bank;

    private TestBank(FileBankKind kind, Path dir, FileBankOptions options) {
        this.kind = kind;
        this.dir = dir;
        this.options = options;
    }

    private static byte[] newDataKeyBytes() {
        byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        return key;
    }

    static KeyPair newSshKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static TestBank start(FileBankKind kind, Path dir) throws IOException {
        return start(kind, dir, b -> b);
    }

    static TestBank start(FileBankKind kind, Path dir, UnaryOperator<FileBankOptions.Builder> adjust) throws IOException {
        Path accounts = dir.resolve("test-accounts.csv");
        try (InputStream in = TestBank.class.getResourceAsStream("/filebank/test-accounts.csv")) {
            Files.write(accounts, in.readAllBytes());
        }
        Path authorized = dir.resolve("test-authorized_keys");
        Files.writeString(authorized, PublicKeyEntry.toString(TEST_CLIENT_SSH_KEY.getPublic()) + " test-gateway\n",
                StandardCharsets.US_ASCII);
        FileBankOptions.Builder builder = FileBankOptions.builder()
                .kind(kind)
                .root(dir.resolve("bank"))
                .clock(CLOCK)
                .accountsFile(accounts)
                .gatewayPublicKey(TEST_GATEWAY_KEYS.publicKey())
                .bankPrivateKey(TEST_BANK_KEYS.privateKey())
                .hostKeyFile(dir.resolve("test-host-key.pem"))
                .authorizedKeyFile(authorized)
                .userName(USER)
                .pollInterval(POLL)
                .faultSeed(20261102L);
        if (kind == FileBankKind.LYB) {
            builder.unitNumber(UNIT).lybDataKey(TEST_DATA_KEY);
        }
        FileBankOptions options = adjust.apply(builder).build();
        TestBank testBank = new TestBank(kind, dir, options);
        testBank.bank = FileBankSimulator.start(options);
        return testBank;
    }

    FileBankSimulator bank() {
        return bank;
    }

    FileBankOptions options() {
        return options;
    }

    /** Stops the bank and starts it again on the same directory, as after a crash. */
    void restart() throws IOException {
        bank.close();
        bank = FileBankSimulator.start(options);
    }

    SftpGateway connect() throws IOException {
        return SftpGateway.connect(bank.port(), USER, TEST_CLIENT_SSH_KEY, SshKeys.hostKey(options.hostKeyFile()));
    }

    void awaitIdle() {
        try {
            assertThat(bank.awaitIdle(TIMEOUT)).as("bank idle within " + TIMEOUT).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Path root() {
        return bank.root();
    }

    @Override
    public void close() {
        try {
            bank.close();
        } catch (UncheckedIOException e) {
            // the directory goes away with the test
        }
    }
}
