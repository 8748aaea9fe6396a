package cn.onecard.gateway.intake;

import cn.onecard.adapters.file.FileTransportConfig;
import cn.onecard.adapters.file.RemoteFolder;
import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.ledger.Alerts;
import cn.onecard.gateway.ledger.Leases;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The treasury's inbox folder on its SFTP server (docs/api.md, "Batch files"), polled through the
 * file banks' SFTP client ({@link RemoteFolder}; the server must present its configured host key).
 * The folder has the local inbox's layout and rules: each {@code *.ocev} file not starting with a
 * dot is downloaded to the local inbox's owner-only {@code work/} folder and taken by
 * {@link TreasuryInbox}; its signed receipt is written back under {@code receipts/} and the file is
 * moved to {@code processed/} or {@code error/} on the server. A file over {@code fileBytesMax} is
 * refused from its size, unread. A poll that cannot reach the server raises an alert and leaves
 * every file for the next poll; one node at a time polls (a lease).
 */
public final class TreasurySftpInbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TreasurySftpInbox.class);

    static final String LEASE = "treasury-inbox-sftp";
    static final String UNREACHABLE_KIND = "TREASURY_INBOX_UNREACHABLE";
    static final String ALERT_SOURCE = "treasury-inbox-sftp";
    /** Files taken per poll; the lease is renewed between them. */
    static final int FILES_PER_POLL_MAX = 8;

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
    private final RemoteFolder server;
    /** The inbox folder's path relative to the transport's root (its parent folder). */
    private final String folder;
    private final InboxPlace place;
    private final TreasuryInbox inbox;
    private final Alerts alerts;
    private final Leases leases;
    private boolean foldersReady;
    private boolean failing;

    /** Reads the SSH key files now (a wrong one stops the gateway at start); connects on the first poll. */
    public TreasurySftpInbox(Settings settings, TreasuryInbox inbox, Alerts alerts, Leases leases) {
        this.settings = settings;
        String[] split = splitFolder(settings.server().remoteRoot());
        FileTransportConfig.Sftp given = settings.server();
        this.server = RemoteFolder.open(new FileTransportConfig.Sftp(given.host(), given.port(), given.user(),
                given.clientKeyFile(), given.hostKeyFile(), split[0], given.connectTimeout(), given.authTimeout(),
                given.operationTimeout()));
        this.folder = split[1];
        this.place = new ServerFolder();
        this.inbox = inbox;
        this.alerts = alerts;
        this.leases = leases;
    }

    /**
     * The transport lists folders below its root, never the root itself: the inbox folder is
     * addressed as its parent (the root) and its own name. {@code [parent, name]}.
     */
    static String[] splitFolder(String configured) {
        String trimmed = configured.strip();
        while (trimmed.length() > 1 && trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        int slash = trimmed.lastIndexOf('/');
        String parent = slash < 0 ? "" : slash == 0 ? "/" : trimmed.substring(0, slash);
        String name = trimmed.substring(slash + 1);
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("the treasury's SFTP inbox folder must be named (not the login folder or a root): '"
                    + configured + "'");
        }
        return new String[] {parent, name};
    }

    public Duration pollDelay() {
        return settings.pollDelay();
    }

    /** For messages: the server and folder, without credentials. */
    public String describe() {
        return server.describe() + (server.describe().endsWith("/") ? "" : "/") + folder;
    }

    /**
     * Takes the files waiting on the server, at most {@link #FILES_PER_POLL_MAX}. Never throws: a
     * connection failure raises an alert (once while it stays open) and the next poll tries again.
     */
    public synchronized void poll() {
        try {
            if (!leases.acquire(LEASE, settings.leaseTtl())) {
                return;
            }
            List<String> waiting = server.list(folder).stream().filter(TreasurySftpInbox::isIncoming)
                    .limit(FILES_PER_POLL_MAX).toList();
            if (!foldersReady) {
                for (String sub : new String[] {"processed", "error", "receipts"}) {
                    server.createFolder(folder + "/" + sub);
                }
                foldersReady = true;
            }
            for (String name : waiting) {
                try {
                    takeOne(name);
                } catch (RuntimeException e) {
                    // the ledger or the intake failed on this file, which stays for the next poll; the
                    // exception's message may quote stored values: its class only
                    log.error("SFTP inbox file {} failed ({}); tried again in {}", name, e.getClass().getName(),
                            settings.pollDelay());
                    raise(TreasuryInbox.FILE_FAILED_KIND, ALERT_SOURCE + "/" + name,
                            e.getClass().getSimpleName() + "; the file is tried again");
                }
                if (!leases.acquire(LEASE, settings.leaseTtl())) {
                    return;
                }
            }
            if (failing) {
                failing = false;
                log.info("the treasury's SFTP inbox {} is reachable again", describe());
            }
        } catch (IOException e) {
            failing = true;
            foldersReady = false;
            String detail = describe() + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            log.warn("the treasury's SFTP inbox failed; tried again in {}: {}", settings.pollDelay(), detail);
            raise(UNREACHABLE_KIND, ALERT_SOURCE, detail);
        } catch (RuntimeException e) {
            log.error("the treasury's SFTP inbox poll failed ({}); tried again in {}", e.getClass().getName(),
                    settings.pollDelay());
        }
    }

    private void raise(String kind, String source, String detail) {
        try {
            alerts.raise(null, kind, source, detail);
        } catch (RuntimeException alertFailed) {
            log.error("cannot store alert {}: {}", kind, alertFailed.getClass().getName());
        }
    }

    /** The treasury uploads under a dot name and renames when complete; only names a path can hold. */
    static boolean isIncoming(String name) {
        return name.endsWith(TreasuryInbox.ENVELOPE_SUFFIX) && !name.startsWith(".") && !name.contains("\\")
                && name.chars().noneMatch(Character::isISOControl);
    }

    private void takeOne(String name) throws IOException {
        Path copy = Files.createTempFile(inbox.workFolder(), ".sftp-", ".download");
        try {
            try (OutputStream out = Files.newOutputStream(copy)) {
                server.download(folder + "/" + name, out, settings.fileBytesMax());
            } catch (RemoteFolder.FileTooLargeException e) {
                inbox.refuseUnread(name, ApiCode.BODY_TOO_LARGE, "the file is larger than " + settings.fileBytesMax()
                        + " bytes", place);
                return;
            }
            inbox.take(copy, name, place);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    @Override
    public synchronized void close() {
        server.close();
    }

    /** The inbox folder on the server: files written under a dot name, then renamed. */
    private final class ServerFolder implements InboxPlace {

        private void writeWhole(String subfolder, String name, byte[] content) throws IOException {
            String staging = folder + "/" + subfolder + "/." + name + ".part";
            server.write(staging, content);
            server.rename(staging, folder + "/" + subfolder + "/" + name, true);
        }

        @Override
        public void putReceipt(String name, byte[] receipt, byte[] signature) throws IOException {
            writeWhole("receipts", name + ".receipt.json", receipt);
            writeWhole("receipts", name + ".receipt.json.sig", signature);
        }

        @Override
        public void moveToProcessed(String name) throws IOException {
            server.rename(folder + "/" + name, folder + "/processed/" + name, true);
        }

        @Override
        public void moveToError(String name, byte[] reason) throws IOException {
            writeWhole("error", name + ".reason", reason);
            server.rename(folder + "/" + name, folder + "/error/" + name, true);
        }

        @Override
        public String describe() {
            return "SFTP inbox";
        }
    }
}
