package cn.onecard.simulators.filebank;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;
import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.SymmetricKey;

/**
 * How one simulated bank runs. {@link #toString()} is the one line printed at start; it names keys
 * by fingerprint or check value only.
 *
 * @param kind             the file layout the bank speaks
 * @param bindHost         the address the SFTP server listens on
 * @param sftpPort         the SFTP port, 0 for any free port
 * @param root             the bank's directory: the SFTP root (in/, out/) and its ledger
 * @param clock            the bank's clock; its processing day is the date in Asia/Shanghai
 * @param unitNumber       LYB: the gateway's payer unit number at the bank; null for ABC
 * @param accountsFile     the bank's accounts, CSV {@code card_number,name,id_number,state,balance_fen}
 * @param gatewayPublicKey verifies payment files; ABC results are sealed to it
 * @param bankPrivateKey   signs result files (LYB) or seals them (ABC); opens ABC payment files
 * @param lybDataKey       LYB: the SM4 data key agreed with the gateway; null for ABC
 * @param hostKeyFile      the SSH host key, PKCS#8 PEM; an ECDSA P-256 key is generated if absent
 * @param authorizedKeyFile the gateway's SSH public key(s), OpenSSH authorized_keys format
 * @param userName         the one SFTP user name accepted
 * @param pollInterval     how often in/ is scanned
 * @param faultSeed        the seed of the one random source every fault draws from
 */
public record FileBankOptions(FileBankKind kind, String bindHost, int sftpPort, Path root, Clock clock,
                              String unitNumber, Path accountsFile, Sm2PublicKey gatewayPublicKey,
                              Sm2PrivateKey bankPrivateKey, SymmetricKey lybDataKey, Path hostKeyFile,
                              Path authorizedKeyFile, String userName, Duration pollInterval, long faultSeed) {

    /** The zone of the bank's processing day. */
    public static final ZoneId BANK_ZONE = ZoneId.of("Asia/Shanghai");

    static final Duration POLL_INTERVAL_MIN = Duration.ofMillis(10);
    static final Duration POLL_INTERVAL_MAX = Duration.ofMinutes(10);
    private static final Pattern UNIT_NUMBER = Pattern.compile("[0-9A-Za-z]{1,32}");
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public FileBankOptions {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(accountsFile, "accountsFile");
        Objects.requireNonNull(gatewayPublicKey, "gatewayPublicKey");
        Objects.requireNonNull(bankPrivateKey, "bankPrivateKey");
        Objects.requireNonNull(hostKeyFile, "hostKeyFile");
        Objects.requireNonNull(authorizedKeyFile, "authorizedKeyFile");
        Objects.requireNonNull(userName, "userName");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (sftpPort < 0 || sftpPort > 65_535) {
            throw new IllegalArgumentException("SFTP port must be 0 to 65535, got " + sftpPort);
        }
        if (!USER_NAME.matcher(userName).matches()) {
            throw new IllegalArgumentException("user name must be 1 to 64 of [A-Za-z0-9._-]");
        }
        if (pollInterval.compareTo(POLL_INTERVAL_MIN) < 0 || pollInterval.compareTo(POLL_INTERVAL_MAX) > 0) {
            throw new IllegalArgumentException("poll interval must be " + POLL_INTERVAL_MIN + " to "
                    + POLL_INTERVAL_MAX + ", got " + pollInterval);
        }
        switch (kind) {
            case LYB -> {
                if (unitNumber == null || !UNIT_NUMBER.matcher(unitNumber).matches()) {
                    throw new IllegalArgumentException("an LYB bank needs a unit number of 1 to 32 of [0-9A-Za-z]");
                }
                if (lybDataKey == null || lybDataKey.algorithm() != KeyAlgorithm.SM4) {
                    throw new IllegalArgumentException("an LYB bank needs its SM4 data key");
                }
            }
            case ABC -> {
                if (unitNumber != null || lybDataKey != null) {
                    throw new IllegalArgumentException("an ABC bank takes no unit number and no data key");
                }
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One line for the start-up log: keys by fingerprint or check value, never their material. */
    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return "file bank " + kind
                + " sftp=" + bindHost + ":" + (sftpPort == 0 ? "any" : Integer.toString(sftpPort))
                + " root=" + root
                + " processingDayZone=" + BANK_ZONE
                + " clock=" + clock
                + (unitNumber == null ? "" : " unit=" + unitNumber)
                + " accounts=" + accountsFile
                + " gatewayKey=sm3:" + hex.formatHex(gatewayPublicKey.fingerprint()).substring(0, 16)
                + " bankKey=sm3:" + hex.formatHex(bankPrivateKey.publicKey().fingerprint()).substring(0, 16)
                + (lybDataKey == null ? "" : " dataKeyCheckValue=" + hex.formatHex(lybDataKey.checkValue()).toUpperCase())
                + " hostKey=" + hostKeyFile
                + " authorizedKeys=" + authorizedKeyFile
                + " user=" + userName
                + " poll=" + pollInterval.toMillis() + "ms"
                + " faultSeed=" + faultSeed;
    }

    /** Builds options; defaults: loopback, any port, the system clock, user {@code gateway}, 1 s polls, a fresh seed. */
    public static final class Builder {
        private FileBankKind kind;
        private String bindHost = "127.0.0.1";
        private int sftpPort;
        private Path root;
        private Clock clock = Clock.system(BANK_ZONE);
        private String unitNumber;
        private Path accountsFile;
        private Sm2PublicKey gatewayPublicKey;
        private Sm2PrivateKey bankPrivateKey;
        private SymmetricKey lybDataKey;
        private Path hostKeyFile;
        private Path authorizedKeyFile;
        private String userName = "gateway";
        private Duration pollInterval = Duration.ofSeconds(1);
        private long faultSeed = System.nanoTime();

        private Builder() {
        }

        public Builder kind(FileBankKind value) {
            kind = value;
            return this;
        }

        public Builder bindHost(String value) {
            bindHost = value;
            return this;
        }

        public Builder sftpPort(int value) {
            sftpPort = value;
            return this;
        }

        public Builder root(Path value) {
            root = value;
            return this;
        }

        public Builder clock(Clock value) {
            clock = value;
            return this;
        }

        public Builder unitNumber(String value) {
            unitNumber = value;
            return this;
        }

        public Builder accountsFile(Path value) {
            accountsFile = value;
            return this;
        }

        public Builder gatewayPublicKey(Sm2PublicKey value) {
            gatewayPublicKey = value;
            return this;
        }

        public Builder bankPrivateKey(Sm2PrivateKey value) {
            bankPrivateKey = value;
            return this;
        }

        public Builder lybDataKey(SymmetricKey value) {
            lybDataKey = value;
            return this;
        }

        public Builder hostKeyFile(Path value) {
            hostKeyFile = value;
            return this;
        }

        public Builder authorizedKeyFile(Path value) {
            authorizedKeyFile = value;
            return this;
        }

        public Builder userName(String value) {
            userName = value;
            return this;
        }

        public Builder pollInterval(Duration value) {
            pollInterval = value;
            return this;
        }

        public Builder faultSeed(long value) {
            faultSeed = value;
            return this;
        }

        public FileBankOptions build() {
            return new FileBankOptions(kind, bindHost, sftpPort, root, clock, unitNumber, accountsFile,
                    gatewayPublicKey, bankPrivateKey, lybDataKey, hostKeyFile, authorizedKeyFile, userName,
                    pollInterval, faultSeed);
        }
    }
}
