package cn.onecard.gateway.intake;

import cn.onecard.adapters.file.FileTransportConfig;
import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.ledger.AlertKind;
import cn.onecard.gateway.ledger.Alerts;
import cn.onecard.gateway.ledger.Leases;
import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.file.FileConstants;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.apache.camel.component.file.remote.RemoteFilePollingConsumerPollStrategy;
import org.apache.camel.component.file.remote.SftpConfiguration;
import org.apache.camel.component.file.remote.SftpEndpoint;
import org.apache.camel.component.file.remote.SftpRemoteFile;
import org.apache.camel.spi.ExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The treasury's inbox folder on its SFTP server (docs/api.md, "Batch files"), polled by Camel's
 * {@code sftp:} consumer (camel-ftp, JSch underneath). The folder has the local inbox's layout and
 * rules: each {@code *.ocev} file not starting with a dot is downloaded to the local inbox's
 * owner-only {@code work/} folder and taken by {@link TreasuryInbox}; its signed receipt is written
 * back under {@code receipts/} by Camel's {@code sftp:} producer (under a dot name, then renamed) and
 * Camel moves the file to {@code processed/} or {@code error/} on the server once the receipt is
 * there. A file whose intake fails otherwise is alerted and left in place for the next poll.
 *
 * <p>What Camel is told, and why:
 * <ul>
 * <li>the server must present a configured host key: the key file becomes Camel's {@code knownHosts}
 *     for exactly this host and port, with {@code strictHostKeyChecking=yes} and
 *     {@code useUserKnownHostsFile=false}, so no key is trusted on first use or from
 *     {@code ~/.ssh/known_hosts}; JSch reads no {@code ~/.ssh/config} (Camel sets no config
 *     repository) and authenticates with the configured key only;</li>
 * <li>a file over {@code fileBytesMax} is refused from its listed size, unread: Camel's download has
 *     no size limit, so a second consumer takes exactly those files with {@code download=false};</li>
 * <li>one node at a time polls: each poll begins only on the node holding the lease
 *     {@value #LEASE} ({@link LeasedPolls}), renewed before each file;</li>
 * <li>a poll that cannot connect or list fails into the poll strategy, which raises
 *     {@code TREASURY_INBOX_UNREACHABLE} (once while it stays open) and leaves every file for the
 *     next poll.</li>
 * </ul>
 */
public final class TreasurySftpInbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TreasurySftpInbox.class);

    static final String LEASE = "treasury-inbox-sftp";
    static final String ALERT_SOURCE = "treasury-inbox-sftp";
    /** Files taken per poll and consumer; the lease is renewed before each. */
    static final int FILES_PER_POLL_MAX = 8;
    /** The folder Camel moves a taken file to ({@code processed} or {@code error}), set as its outcome is stored. */
    private static final String TARGET_FOLDER_HEADER = "OneCardInboxTargetFolder";

    /**
     * @param server       the treasury's SFTP server; its {@code remoteRoot} is the inbox folder itself
     *                     (relative to the login folder, or absolute), not the login folder
     * @param fileBytesMax larger files are refused unread ({@code BODY_TOO_LARGE})
     * @param pollDelay    pause between the end of one poll and the next
     * @param leaseTtl     another node takes over polling when this node has not renewed for this long
     */
    public record Settings(FileTransportConfig.Sftp server, long fileBytesMax, Duration pollDelay, Duration leaseTtl) {
        public Settings {
            Objects.requireNonNull(server, "server");
            if (fileBytesMax < 1) {
                throw new IllegalArgumentException("fileBytesMax must be positive: " + fileBytesMax);
            }
            for (Duration duration : new Duration[] {pollDelay, leaseTtl}) {
                if (duration == null || duration.isNegative() || duration.isZero()) {
                    throw new IllegalArgumentException("pollDelay and leaseTtl must be positive");
                }
            }
        }
    }

    private final Settings settings;
    private final String folder;
    private final byte[] clientKey;
    private final byte[] knownHosts;
    private final TreasuryInbox inbox;
    private final Leases leases;
    private final FileAlerts alerts;
    private final LeasedPolls polls = new LeasedPolls();
    /** Camel's producer on the inbox folder: receipts and reasons, one at a time. */
    private final Object writing = new Object();
    private ProducerTemplate writer;
    private Endpoint serverFolder;
    private volatile boolean failing;

    /** Reads the SSH key files now (a wrong one stops the gateway at start); Camel connects on the first poll. */
    public TreasurySftpInbox(Settings settings, TreasuryInbox inbox, Alerts alerts, Leases leases) {
        this.settings = settings;
        FileTransportConfig.Sftp server = settings.server();
        this.folder = inboxFolder(server.remoteRoot());
        this.clientKey = readClientKey(server.clientKeyFile());
        this.knownHosts = knownHosts(server.host(), server.port(), server.hostKeyFile());
        this.inbox = inbox;
        this.leases = leases;
        this.alerts = FileAlerts.of(alerts);
    }

    /**
     * The configured inbox folder as Camel addresses it: without trailing slashes and a leading
     * {@code ./}; refused when it names no folder of its own (the login folder, a root, {@code ..}).
     */
    static String inboxFolder(String configured) {
        String trimmed = configured.strip();
        while (trimmed.length() > 1 && trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        while (trimmed.startsWith("./")) {
            trimmed = trimmed.substring(2);
        }
        String name = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        boolean climbs = Arrays.asList(trimmed.split("/")).contains("..");
        if (name.isEmpty() || name.equals(".") || climbs || trimmed.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("the treasury's SFTP inbox folder must be named (not the login folder, a root or"
                    + " a path with '..'): '" + configured + "'");
        }
        return trimmed;
    }

    /** The private key file's bytes, checked now as JSch will read them: one key pair, no passphrase. */
    static byte[] readClientKey(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("SFTP client key file " + file + " cannot be read: " + e.getClass().getSimpleName(), e);
        }
        KeyPair pair;
        try {
            pair = KeyPair.load(new JSch(), bytes.clone(), null);
        } catch (JSchException | RuntimeException e) {
            throw new IllegalArgumentException("SFTP client key file " + file + " cannot be read as an SSH private key: "
                    + e.getClass().getSimpleName(), e);
        }
        try {
            if (pair.isEncrypted()) {
                throw new IllegalArgumentException("SFTP client key file " + file + " is protected by a passphrase, which the"
                        + " gateway is not given");
            }
        } finally {
            pair.dispose();
        }
        return bytes;
    }

    /**
     * The server's configured public keys (OpenSSH format, one a line) as {@code known_hosts} lines
     * for exactly this host and port, as JSch looks them up ({@code [host]:port} off port 22). Every
     * key must be one JSch understands: a line it skipped would leave that key unusable, unnoticed.
     */
    static byte[] knownHosts(String host, int port, Path hostKeyFile) {
        List<String> lines;
        try {
            lines = Files.readAllLines(hostKeyFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("SFTP host key file " + hostKeyFile + " cannot be read: " + e.getClass().getSimpleName(),
                    e);
        }
        String hostPattern = port == 22 ? host : "[" + host + "]:" + port;
        List<String> known = new ArrayList<>();
        for (String line : lines) {
            String entry = line.strip();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            String[] fields = entry.split("\\s+");
            if (fields.length < 2) {
                throw new IllegalArgumentException("SFTP host key file " + hostKeyFile + " holds a line that is not 'type key'");
            }
            known.add(hostPattern + " " + fields[0] + " " + fields[1]);
        }
        if (known.isEmpty()) {
            throw new IllegalArgumentException("SFTP host key file " + hostKeyFile + " holds no key");
        }
        byte[] bytes = (String.join("\n", known) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            JSch check = new JSch();
            check.setKnownHosts(new ByteArrayInputStream(bytes));
            if (check.getHostKeyRepository().getHostKey().length != known.size()) {
                throw new IllegalArgumentException("SFTP host key file " + hostKeyFile + " holds a key of a type the SSH client"
                        + " does not know");
            }
        } catch (JSchException e) {
            throw new IllegalArgumentException("SFTP host key file " + hostKeyFile + " cannot be read as OpenSSH public keys: "
                    + e.getClass().getSimpleName(), e);
        }
        return bytes;
    }

    /** The treasury uploads under a dot name and renames when complete; only names a path can hold. */
    static boolean isIncoming(String name) {
        return name.endsWith(TreasuryInbox.ENVELOPE_SUFFIX) && !name.startsWith(".") && !name.contains("\\")
                && name.chars().noneMatch(Character::isISOControl);
    }

    /** For messages: the server and folder, without credentials. */
    public String describe() {
        FileTransportConfig.Sftp server = settings.server();
        return "sftp://" + server.user() + "@" + server.host() + ":" + server.port() + (folder.startsWith("/") ? "" : "/") + folder;
    }

    /**
     * Adds the inbox's routes: {@code treasury-inbox-sftp} takes files up to {@code fileBytesMax},
     * {@code treasury-inbox-sftp-oversize} refuses the larger ones unread. Each intake holds one of
     * {@code intakeSlots} (shared with the local inbox).
     */
    void addRoutes(RouteBuilder routes, Semaphore intakeSlots) {
        CamelContext context = routes.getContext();
        SftpEndpoint withinCap = consumer(context, true);
        SftpEndpoint oversize = consumer(context, false);
        SftpEndpoint producer = endpoint(context, "fileExist=Override&eagerDeleteTargetFile=false&autoCreate=true");
        // written under a dot name beside the target, then renamed over it: a receipt appears whole or not at all
        producer.setTempFileName(".${file:onlyname}.part");
        serverFolder = producer;
        writer = context.createProducerTemplate();
        // a failed file is alerted by the processor and stays (Camel's rollback); the error handler
        // would log exception messages, which may quote stored values
        routes.from(withinCap).routeId("treasury-inbox-sftp").errorHandler(routes.noErrorHandler())
                .process(exchange -> take(exchange, intakeSlots));
        routes.from(oversize).routeId("treasury-inbox-sftp-oversize").errorHandler(routes.noErrorHandler())
                .process(this::refuseOversize);
    }

    /** A consumer of the inbox's incoming files up to the size limit ({@code withinCap}) or over it, unread. */
    private SftpEndpoint consumer(CamelContext context, boolean withinCap) {
        long pollDelayMillis = settings.pollDelay().toMillis();
        SftpEndpoint endpoint = endpoint(context, "download=" + withinCap + "&delay=" + pollDelayMillis + "&initialDelay="
                + pollDelayMillis + "&maxMessagesPerPoll=" + FILES_PER_POLL_MAX
                + "&eagerMaxMessagesPerPoll=false&sortBy=file:name&idempotent=false&readLock=none&autoCreate=false");
        long bytesMax = settings.fileBytesMax();
        endpoint.setFilter(new GenericFileFilter<SftpRemoteFile>() {
            @Override
            public boolean accept(GenericFile<SftpRemoteFile> file) {
                return isIncoming(file.getFileNameOnly()) && isRegularFile(file)
                        && (file.getFileLength() <= bytesMax) == withinCap;
            }
        });
        if (withinCap) {
            // the owner-only folder where the inbox opens files; Camel deletes its copy when the exchange is done
            endpoint.setLocalWorkDirectory(inbox.workFolder().toAbsolutePath().toString());
        }
        endpoint.setMove("${header." + TARGET_FOLDER_HEADER + "}/${file:name}");
        endpoint.setPollStrategy(polls);
        endpoint.setExceptionHandler(new BriefExceptionLog());
        return endpoint;
    }

    /** An endpoint on the inbox folder with this inbox's server, key and pinned host keys, and {@code options}. */
    private SftpEndpoint endpoint(CamelContext context, String options) {
        FileTransportConfig.Sftp server = settings.server();
        String uri;
        try {
            // an absolute folder is written with a second slash, as Camel reads it
            uri = new URI("sftp", null, server.host(), server.port(), "/" + folder, null, null).toASCIIString() + "?" + options;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the treasury's SFTP inbox cannot be addressed: " + e.getMessage(), e);
        }
        SftpEndpoint endpoint = context.getEndpoint(uri, SftpEndpoint.class);
        SftpConfiguration config = endpoint.getConfiguration();
        config.setUsername(server.user());
        config.setPrivateKey(clientKey);
        config.setPreferredAuthentications("publickey");
        config.setKnownHosts(knownHosts);
        config.setStrictHostKeyChecking("yes");
        config.setUseUserKnownHostsFile(false);
        config.setAutoCreateKnownHostsFile(false);
        config.setConnectTimeout(Math.toIntExact(server.connectTimeout().toMillis()));
        config.setSoTimeout(Math.toIntExact(server.operationTimeout().toMillis()));
        config.setStepwise(false);
        // a failed connection fails the poll into the poll strategy, which alerts; one attempt per poll
        config.setThrowExceptionOnConnectFailed(true);
        endpoint.setMaximumReconnectAttempts(0);
        return endpoint;
    }

    private static boolean isRegularFile(GenericFile<SftpRemoteFile> file) {
        return !file.isDirectory() && file.getFile() != null
                && file.getFile().getRemoteFile() instanceof ChannelSftp.LsEntry entry && entry.getAttrs().isReg();
    }

    private void take(Exchange exchange, Semaphore intakeSlots) throws InterruptedException {
        String name = exchange.getIn().getHeader(FileConstants.FILE_NAME_ONLY, String.class);
        if (!stillLeased(exchange)) {
            return;
        }
        Path copy = Path.of(exchange.getIn().getHeader(FileConstants.FILE_LOCAL_WORK_PATH, String.class));
        InboxPlace place = new ServerFolder(exchange);
        intakeSlots.acquire();
        try {
            if (Files.size(copy) > settings.fileBytesMax()) {
                // replaced by a larger file after the listing: refused from its size all the same
                inbox.refuseUnread(name, ApiCode.BODY_TOO_LARGE, tooLarge(), place);
            } else {
                inbox.take(copy, name, place);
            }
        } catch (IOException | RuntimeException e) {
            alerts.fileFailed(AlertKind.TREASURY_INBOX_FILE_FAILED, ALERT_SOURCE, name, e);
            exchange.setException(new FileLeftInPlace("intake failed"));
        } finally {
            intakeSlots.release();
        }
        requireOutcome(exchange);
    }

    private void refuseOversize(Exchange exchange) {
        String name = exchange.getIn().getHeader(FileConstants.FILE_NAME_ONLY, String.class);
        if (!stillLeased(exchange)) {
            return;
        }
        try {
            inbox.refuseUnread(name, ApiCode.BODY_TOO_LARGE, tooLarge(), new ServerFolder(exchange));
        } catch (IOException | RuntimeException e) {
            alerts.fileFailed(AlertKind.TREASURY_INBOX_FILE_FAILED, ALERT_SOURCE, name, e);
            exchange.setException(new FileLeftInPlace("refusal not stored"));
        }
        requireOutcome(exchange);
    }

    /** Camel moves a file only to the folder its outcome named: without one, it stays. */
    private static void requireOutcome(Exchange exchange) {
        if (exchange.getException() == null && exchange.getIn().getHeader(TARGET_FOLDER_HEADER) == null) {
            exchange.setException(new FileLeftInPlace("no outcome stored"));
        }
    }

    private String tooLarge() {
        return "the file is larger than " + settings.fileBytesMax() + " bytes";
    }

    /** Renews the lease before a file; without it the file is left for the node that holds it. */
    private boolean stillLeased(Exchange exchange) {
        boolean held;
        try {
            held = leases.acquire(LEASE, settings.leaseTtl());
        } catch (RuntimeException e) {
            log.error("cannot renew lease {} ({}); the file is left for the next poll", LEASE, e.getClass().getName());
            held = false;
        }
        if (!held) {
            exchange.setException(new FileLeftInPlace("lease " + LEASE + " not held"));
        }
        return held;
    }

    /** Writes {@code path} (relative to the inbox folder) through Camel's producer. */
    private void write(String path, byte[] content) throws IOException {
        Exchange sent;
        synchronized (writing) {
            sent = writer.send(serverFolder, exchange -> {
                exchange.getIn().setBody(content);
                exchange.getIn().setHeader(FileConstants.FILE_NAME, path);
            });
        }
        Exception failure = sent.getException();
        if (failure != null) {
            throw new IOException("writing " + path + " to " + describe() + " failed: " + summary(failure), failure);
        }
    }

    /** The innermost cause's class and first line: Camel's wrappers say less than JSch's own words. */
    static String summary(Throwable failure) {
        Throwable root = FileAlerts.rootCause(failure);
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }

    @Override
    public void close() {
        ProducerTemplate template = writer;
        if (template != null) {
            template.stop();
        }
    }

    /**
     * Polls begin only on the node holding the lease; a poll that fails (no connection, a host key
     * not configured, the folder unlistable) raises the alert and is tried again after the delay.
     */
    private final class LeasedPolls extends RemoteFilePollingConsumerPollStrategy {

        @Override
        public boolean begin(Consumer consumer, Endpoint endpoint) {
            try {
                return leases.acquire(LEASE, settings.leaseTtl());
            } catch (RuntimeException e) {
                log.error("cannot take lease {} ({}); the SFTP inbox is polled again in {}", LEASE, e.getClass().getName(),
                        settings.pollDelay());
                return false;
            }
        }

        @Override
        public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
            if (failing) {
                failing = false;
                log.info("the treasury's SFTP inbox {} is reachable again", describe());
            }
        }

        @Override
        public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) throws Exception {
            failing = true;
            // logged by BriefExceptionLog once Camel hands the failure on
            alerts.raise(AlertKind.TREASURY_INBOX_UNREACHABLE, ALERT_SOURCE, describe() + ": " + summary(cause));
            // Camel's own: drops the connection so that the next poll connects anew
            return super.rollback(consumer, endpoint, retryCounter, cause);
        }
    }

    /** Camel's reports of a failed poll or move, in one line each: the poll strategy has alerted already. */
    private final class BriefExceptionLog implements ExceptionHandler {

        @Override
        public void handleException(Throwable exception) {
            handleException(null, null, exception);
        }

        @Override
        public void handleException(String message, Throwable exception) {
            handleException(message, null, exception);
        }

        @Override
        public void handleException(String message, Exchange exchange, Throwable exception) {
            log.warn("the treasury's SFTP inbox {}: {}{}", describe(), message == null ? "" : message + ": ", summary(exception));
        }
    }

    /** Marks an exchange failed so that Camel leaves its file in the folder; the cause was logged or alerted. */
    private static final class FileLeftInPlace extends Exception {
        FileLeftInPlace(String why) {
            super(why + "; the file stays for the next poll", null, false, false);
        }
    }

    /** The inbox folder on the server: files written under a dot name, then renamed; moves done by Camel. */
    private final class ServerFolder implements InboxPlace {

        private final Exchange exchange;

        ServerFolder(Exchange exchange) {
            this.exchange = exchange;
        }

        @Override
        public void putReceipt(String name, byte[] receipt, byte[] signature) throws IOException {
            write("receipts/" + name + ".receipt.json", receipt);
            write("receipts/" + name + ".receipt.json.sig", signature);
        }

        @Override
        public void moveToProcessed(String name) {
            exchange.getIn().setHeader(TARGET_FOLDER_HEADER, "processed");
        }

        @Override
        public void moveToError(String name, byte[] reason) throws IOException {
            write("error/" + name + ".reason", reason);
            exchange.getIn().setHeader(TARGET_FOLDER_HEADER, "error");
        }

        @Override
        public String describe() {
            return "SFTP inbox";
        }
    }
}
