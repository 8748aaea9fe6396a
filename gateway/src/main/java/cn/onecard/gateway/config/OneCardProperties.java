package cn.onecard.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The gateway's configuration under {@code onecard.*} (docs/configuration.md).
 *
 * @param dataDir    where the embedded PostgreSQL, the inbox and the feeds folder live
 * @param gatewayId  the gateway's name in the callbacks it signs
 * @param gatewayKey the gateway's SM2 private key (PEM file): signs callbacks, receipts and bank
 *                   files, opens treasury batch files
 * @param nodeId     this node's name in leases; defaults to host name and process id
 */
@ConfigurationProperties("onecard")
public record OneCardProperties(
        @DefaultValue("./data") Path dataDir,
        @DefaultValue("onecard-gateway") String gatewayId,
        Path gatewayKey,
        String nodeId,
        @DefaultValue Treasury treasury,
        @DefaultValue Intake intake,
        @DefaultValue Catalogue catalogue,
        @DefaultValue Dispatch dispatch,
        @DefaultValue Callback callback,
        @DefaultValue Folders folders,
        MasterKeySource masterKey,
        Map<String, Bank> banks) {

    public OneCardProperties {
        banks = banks == null ? Map.of() : Map.copyOf(banks);
    }

    /** The treasury clients allowed to submit batches. */
    public record Treasury(List<Client> clients) {
        public Treasury {
            clients = clients == null ? List.of() : List.copyOf(clients);
        }
    }

    /**
     * A treasury client: its id (header {@code X-OneCard-Client}), its SM2 public key (PEM file) and
     * the hosts its batches' callbacks may go to (host names, IP addresses, CIDR ranges).
     */
    /**
     * One treasury client.
     *
     * @param callbackHosts   where its callbacks may go: host names, addresses, CIDR ranges
     * @param sourceAddresses the addresses and ranges it sends from; empty: any address
     */
    public record Client(String id, Path publicKey, List<String> callbackHosts, List<String> sourceAddresses) {
        public Client {
            callbackHosts = callbackHosts == null ? List.of() : List.copyOf(callbackHosts);
            sourceAddresses = sourceAddresses == null ? List.of() : List.copyOf(sourceAddresses);
        }
    }

    /**
     * Limits of the batch intake.
     *
     * @param bodiesReadingMax          request bodies read at once, before their signature is known
     * @param bodiesReadingPerSenderMax of those, from one client at one address
     * @param bodyMinBytesPerSecond     the slowest average rate a body may arrive at, after the grace
     * @param bodyRateGrace             how long a body may arrive at any rate
     * @param bodyMemoryBytesMax        bodies up to this size are held in memory, larger ones spooled to
     *                                  an owner-only file under {@code DATA_DIR/spool}
     * @param spoolBytesMax             the bytes all spooled bodies may hold on disk at once
     */
    public record Intake(
            @DefaultValue("512MB") DataSize bodyBytesMax,
            @DefaultValue("2000000") int batchItemsMax,
            @DefaultValue("5m") Duration timestampWindow,
            @DefaultValue("11m") Duration nonceRetention,
            @DefaultValue("32") int bodiesReadingMax,
            @DefaultValue("4") int bodiesReadingPerSenderMax,
            @DefaultValue("16KB") DataSize bodyMinBytesPerSecond,
            @DefaultValue("10s") Duration bodyRateGrace,
            @DefaultValue("1MB") DataSize bodyMemoryBytesMax,
            @DefaultValue("2GB") DataSize spoolBytesMax) {
    }

    /**
     * How each bank's cycle runs (docs/configuration.md, "Dispatch").
     *
     * @param retryAfter         pause before a dispatch is tried again: not sent, bank busy, an inquiry
     *                           or reversal unanswered, a file bank's unclear send
     * @param resendsMax         sends of the same dispatch because the bank's word was missing (results
     *                           overdue, the file not verified by the bank, an inquiry that found nothing)
     * @param inquiriesMax       unanswered inquiries of an unclear online payment before it is reversed or
     *                           given up
     * @param reversalsMax       unanswered reversals before it is given up
     * @param operationTimeout   how long a cycle waits for the operations it started
     * @param actionsPerCycleMax dispatches prepared, and dispatches acted on, per cycle
     * @param unclearMax         how long an online payment's fate may stay unclear before its items are
     *                           reported UNKNOWN with an alert, whichever of this and the inquiry and
     *                           reversal limits comes first
     */
    public record Dispatch(
            @DefaultValue("1s") Duration cyclePeriod,
            @DefaultValue("30s") Duration leaseTtl,
            @DefaultValue("30s") Duration retryAfter,
            @DefaultValue("2") int resendsMax,
            @DefaultValue("5") int inquiriesMax,
            @DefaultValue("3") int reversalsMax,
            @DefaultValue("10m") Duration operationTimeout,
            @DefaultValue("1000") int actionsPerCycleMax,
            @DefaultValue("15m") Duration unclearMax) {

        public cn.onecard.gateway.dispatch.BankCycle.Settings cycleSettings() {
            return new cn.onecard.gateway.dispatch.BankCycle.Settings(leaseTtl, retryAfter, resendsMax, inquiriesMax,
                    reversalsMax, operationTimeout, actionsPerCycleMax, unclearMax);
        }
    }

    /**
     * The treasury inbox and the feeds folder (default: under the data directory) and how often they
     * are polled, and the treasury's inbox folder on its SFTP server (unset: none).
     */
    public record Folders(Path inbox, Path feeds, @DefaultValue("500ms") Duration pollDelay, InboxSftp inboxSftp) {
    }

    /**
     * The treasury's inbox folder on its SFTP server, polled besides the local inbox (docs/api.md).
     *
     * @param clientKey    the gateway's SSH private key file (OpenSSH or PKCS#8 PEM; ECDSA or RSA)
     * @param hostKey      the server's SSH public key(s) (OpenSSH format): no other server is trusted
     * @param folder       the inbox folder on the server, relative to the login folder or absolute
     * @param fileBytesMax larger files are refused unread
     */
    public record InboxSftp(
            String host,
            @DefaultValue("22") int port,
            String user,
            Path clientKey,
            Path hostKey,
            @DefaultValue("inbox") String folder,
            @DefaultValue("10s") Duration connectTimeout,
            @DefaultValue("60s") Duration operationTimeout,
            @DefaultValue("5s") Duration pollDelay,
            @DefaultValue("512MB") DataSize fileBytesMax) {
    }

    public Path inboxDir() {
        return folders.inbox() != null ? folders.inbox() : dataDir.resolve("inbox");
    }

    public Path feedsDir() {
        return folders.feeds() != null ? folders.feeds() : dataDir.resolve("feeds");
    }

    /** How callbacks are delivered. */
    public record Callback(
            @DefaultValue("500ms") Duration period,
            @DefaultValue("1000") int chunkItems) {
    }

    /** Where the subsidy catalogue is read from (a Spring resource location). */
    public record Catalogue(@DefaultValue("classpath:onecard/catalogue.properties") String location) {
    }

    /**
     * One agent bank: the BINs routed to it and how to reach it (docs/configuration.md).
     *
     * @param kind             {@code file} (batch files), {@code iso8583} or {@code http} (one credit per message, online)
     * @param layout           the file layout's name ({@code lyb}, {@code abc}, or one in {@code layoutDirectory})
     * @param unitNumber       the gateway's payer unit number at the bank, where the layout has one
     * @param dispatchItemsMax items per payment file
     * @param cutOffs          times of day (Asia/Shanghai) at which files are closed and sent; empty: at once
     * @param resultDeadline   when results are overdue and the same file is sent again
     * @param publicKey        the bank's SM2 public key (PEM): verifies its result files, seals ours
     * @param dataKey          the SM4 data key agreed with the bank, wrapped under the master key
     *                         ({@code WrappedKey} text), for layouts protected by SM4-CBC
     * @param iso8583          how to reach an {@code iso8583} bank's host
     * @param http             how to reach an {@code http} bank's API
     * @param circuit          when the bank is deemed failing and no new payment is started with it
     * @param accountCheckTtl  how long a bank's definite answer to an account verification stands for the
     *                         same account (card, holder, identity number); zero: verified before every credit
     */
    public record Bank(
            List<String> bins,
            @DefaultValue("file") String kind,
            String layout,
            Path layoutDirectory,
            String unitNumber,
            @DefaultValue("50000") int dispatchItemsMax,
            List<java.time.LocalTime> cutOffs,
            @DefaultValue("2h") Duration resultDeadline,
            Path publicKey,
            String dataKey,
            @DefaultValue Transport transport,
            @DefaultValue Iso8583 iso8583,
            @DefaultValue Http http,
            @DefaultValue Circuit circuit,
            @DefaultValue("10m") Duration accountCheckTtl) {
        public Bank {
            if (accountCheckTtl != null && accountCheckTtl.isNegative()) {
                throw new IllegalArgumentException("account-check-ttl must not be negative");
            }
            bins = bins == null ? List.of() : List.copyOf(bins);
            cutOffs = cutOffs == null ? List.of() : List.copyOf(cutOffs);
        }
    }

    /**
     * A bank's circuit breaker (Resilience4j), fed by its sends and verifications: an answer that
     * proves nothing (not sent, unknown, busy) is a failure.
     *
     * @param failureRatePercent the share of failures, over the last {@code windowCalls}, that opens the circuit
     * @param windowCalls        the operations the share is taken over
     * @param minimumCalls       operations needed before the share counts
     * @param openFor            how long no new payment is started once it opens
     * @param probeCalls         operations let through to probe before it closes again
     */
    public record Circuit(
            @DefaultValue("50") int failureRatePercent,
            @DefaultValue("50") int windowCalls,
            @DefaultValue("20") int minimumCalls,
            @DefaultValue("30s") Duration openFor,
            @DefaultValue("5") int probeCalls) {

        public static Circuit defaults() {
            return new Circuit(50, 50, 20, Duration.ofSeconds(30), 5);
        }
    }

    /**
     * An HTTP bank's API (docs/http-bank.md): SM2-signed JSON over TLS to pinned certificates.
     *
     * @param baseUri             the API's https base, e.g. {@code https://api.bank.example/onecard}
     * @param appId               the gateway's app id at the bank
     * @param bankPublicKey       the bank's SM2 public key (PEM): verifies every answer
     * @param pinnedCertificates  the bank server's certificates (PEM files); no other server is trusted
     * @param payerAccount        the account the subsidies are paid from
     * @param inquireAfter        how long after an unclear credit it is inquired
     * @param operationsPerSecond the contracted rate; 0: no limit
     */
    public record Http(
            java.net.URI baseUri,
            String appId,
            Path bankPublicKey,
            List<Path> pinnedCertificates,
            String payerAccount,
            @DefaultValue("256") int inFlightMax,
            @DefaultValue("10s") Duration requestTimeout,
            @DefaultValue("true") boolean verifiesAccounts,
            @DefaultValue("true") boolean reverses,
            @DefaultValue("0") int operationsPerSecond,
            @DefaultValue("30s") Duration inquireAfter) {
        public Http {
            pinnedCertificates = pinnedCertificates == null ? List.of() : List.copyOf(pinnedCertificates);
        }
    }

    /**
     * An ISO 8583 bank's host on its dedicated line (docs/configuration.md, "Online banks").
     *
     * @param dialect             {@code agent-bcd}, {@code agent-ascii87}, or one in {@code dialectDirectory}
     * @param macKey              the MAC key agreed with the bank, wrapped under the master key ({@code WrappedKey} text);
     *                            not needed where working keys come at sign-on
     * @param terminalId          field 41, the gateway's terminal id at the bank
     * @param merchantId          field 42, the gateway's id at the bank
     * @param acquirerId          field 32, the gateway's institution code
     * @param payerAccount        field 102, the account the subsidies are paid from
     * @param inquireAfter        how long after an unclear credit it is inquired
     * @param operationsPerSecond the contracted rate of the line; 0: no limit
     * @param zoneMasterKey       the zone master key shared with the bank, wrapped under the master key; when set,
     *                            each connection signs on and takes working keys under it
     * @param sessionRenewal      with a zone master key: sign each connection on again after this long; 0: only when
     *                            the host asks
     */
    public record Iso8583(
            String dialect,
            Path dialectDirectory,
            String host,
            @DefaultValue("0") int port,
            String macKey,
            @DefaultValue("ONECARD1") String terminalId,
            @DefaultValue("ONECARD00000001") String merchantId,
            @DefaultValue("00000000") String acquirerId,
            String payerAccount,
            @DefaultValue("2") int connections,
            @DefaultValue("256") int inFlightMax,
            @DefaultValue("10s") Duration requestTimeout,
            @DefaultValue("60s") Duration echoInterval,
            @DefaultValue("true") boolean verifiesAccounts,
            @DefaultValue("true") boolean reverses,
            @DefaultValue("0") int operationsPerSecond,
            @DefaultValue("30s") Duration inquireAfter,
            String zoneMasterKey,
            @DefaultValue("0s") Duration sessionRenewal) {
    }

    /**
     * Where a file bank's folders are: {@code directory} (a local or mounted path) or {@code sftp}.
     *
     * @param clientKey the gateway's SSH private key (PKCS#8 PEM)
     * @param hostKey   the bank server's SSH public key (OpenSSH format): no other server is trusted
     */
    public record Transport(
            @DefaultValue("sftp") String kind,
            Path directory,
            String host,
            @DefaultValue("22") int port,
            String user,
            Path clientKey,
            Path hostKey,
            @DefaultValue("") String remoteRoot,
            @DefaultValue("10s") Duration connectTimeout,
            @DefaultValue("60s") Duration operationTimeout) {
    }

    /** The master key that wraps bank data keys: a PKCS#12 keystore (else the environment, crypto.md). */
    public record MasterKeySource(Path keystore, Path keystorePasswordFile, String alias) {
    }
}
