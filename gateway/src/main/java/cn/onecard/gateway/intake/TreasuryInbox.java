package cn.onecard.gateway.intake;

import cn.onecard.crypto.CryptoException;
import cn.onecard.crypto.EnvelopeInfo;
import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.Sm3InputStream;
import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import cn.onecard.iso8583.InputText;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The treasury's batch files (docs/api.md, "Batch files"): a OneCard envelope per batch, dropped in
 * the local inbox or in the treasury's SFTP folder ({@link TreasurySftpInbox}). Each file is opened
 * (the envelope's sender key names the client; its signature is checked against that client's key),
 * taken in through the same intake as the API, answered with a signed receipt, and moved to
 * {@code processed/} or, refused, to {@code error/} beside a {@code .reason} — in the place it came
 * from ({@link InboxPlace}). A file is only moved once its outcome is stored, so a crash mid-way
 * leaves it to be taken again, which the intake's idempotency makes harmless. A failure other than a
 * refusal (the ledger down, a full disk) is thrown: the file stays, and its poller alerts
 * {@code TREASURY_INBOX_FILE_FAILED}.
 */
public final class TreasuryInbox {

    private static final Logger log = LoggerFactory.getLogger(TreasuryInbox.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    public static final String SUFFIX = ".jsonl.ocev";
    /** The alert for an inbox file (local or SFTP) whose intake failed for a reason other than a refusal; it stays. */
    /** What Camel's and the SFTP poller's listings pick up; other names in a {@code .ocev} are refused. */
    static final String ENVELOPE_SUFFIX = ".ocev";
    /** Read-ahead kept to go back after reading the envelope's sender key; its fixed header is far shorter. */
    private static final int HEADER_MARK_BYTES = 4096;
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private final Path inbox;
    private final Path work;
    private final InboxPlace localFolder;
    private final TreasuryClients clients;
    private final BatchIntake intake;
    private final Sm2PrivateKey gatewayKey;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Clock clock;
    private final ZoneId zone;

    public TreasuryInbox(Path inbox, TreasuryClients clients, BatchIntake intake, Sm2PrivateKey gatewayKey, Clock clock,
            ZoneId zone) throws IOException {
        this.inbox = inbox;
        this.localFolder = new LocalFolder(inbox);
        this.clients = clients;
        this.intake = intake;
        this.gatewayKey = gatewayKey;
        this.clock = clock;
        this.zone = zone;
        for (String folder : new String[] {"processed", "error", "receipts"}) {
            Files.createDirectories(inbox.resolve(folder));
        }
        // opened batches (names, identity and card numbers) pass through here: owner-only
        this.work = inbox.resolve("work");
        if (!Files.exists(work)) {
            Files.createDirectory(work, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        removeLeftovers(work);
    }

    /** A crash leaves opened content or downloads behind (every name here is unique per take): removed at start. */
    private static void removeLeftovers(Path work) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(work)) {
            for (Path file : files) {
                if (Files.isRegularFile(file)) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    public Path directory() {
        return inbox;
    }

    /** The owner-only folder where files are opened and downloaded. */
    Path workFolder() {
        return work;
    }

    /** What became of one file. */
    public record Receipt(String file, String batchId, boolean accepted, String code, String message) {
    }

    /** Takes one file lying directly in the local inbox; returns its receipt (also written to {@code receipts/}). */
    public Receipt take(Path file) throws IOException {
        return take(file, file.getFileName().toString(), localFolder);
    }

    /**
     * Takes the file {@code name} of {@code place}, whose content is in the local {@code file}: opens
     * it, submits it, stores the signed receipt in {@code place} and moves the file there. The file
     * is read once: its SM3 for the receipt is taken as it is opened (and of the unread rest when it
     * is refused part-way).
     */
    Receipt take(Path file, String name, InboxPlace place) throws IOException {
        Receipt receipt;
        String batchId = null;
        Path plain = Files.createTempFile(work, ".batch-", ".plain");
        try (Sm3InputStream hashed = new Sm3InputStream(Files.newInputStream(file));
                BufferedInputStream in = new BufferedInputStream(hashed, READ_BUFFER_BYTES)) {
            try {
                if (!name.endsWith(SUFFIX)) {
                    throw new ApiException(ApiCode.BAD_FIELD, "a batch file is named {batchId}" + SUFFIX);
                }
                in.mark(HEADER_MARK_BYTES);
                byte[] sender = EnvelopeOpener.senderKeyId(in);
                in.reset();
                String clientId = clients.clientWithKey(sender).orElseThrow(() -> new ApiException(ApiCode.CLIENT_UNKNOWN,
                        "the file is signed by a key of no configured treasury client"));
                Sm2PublicKey clientKey = clients.key(clientId).orElseThrow();
                EnvelopeInfo info = new EnvelopeOpener().open(in, plain, gatewayKey, clientKey);
                String expectedLabel = name.substring(0, name.length() - ENVELOPE_SUFFIX.length());
                if (!info.label().equals(expectedLabel)) {
                    throw new ApiException(ApiCode.BAD_FIELD, "the envelope's label does not match the file name");
                }
                BatchIntake.Accepted accepted;
                try (InputStream content = Files.newInputStream(plain)) {
                    accepted = intake.submit(clientId, BatchIntake.Source.FILE, BatchIntake.Format.JSON_LINES, content);
                }
                batchId = accepted.batchId();
                if (!(batchId + ".jsonl").equals(expectedLabel)) {
                    log.warn("batch file {} holds batch {}; accepted under the batch's own id", InputText.quoted(name), batchId);
                }
                receipt = new Receipt(name, batchId, true, null,
                        accepted.created() ? "accepted" : "the same batch was received before");
                writeReceipt(receipt, hashed.digestToEndHex(), place);
                place.moveToProcessed(name);
            } catch (ApiException e) {
                receipt = refuse(name, batchId, e.code().name(), e.getMessage(), hashed.digestToEndHex(), place);
            } catch (CryptoException e) {
                receipt = refuse(name, batchId, ApiCode.ENVELOPE_INVALID.name(), "the envelope does not open or verify: "
                        + e.getMessage(), hashed.digestToEndHex(), place);
            }
        } finally {
            Files.deleteIfExists(plain);
        }
        log.info("{} file {}: {} {}", place.describe(), InputText.quoted(name), receipt.accepted() ? "ACCEPTED" : "REFUSED",
                receipt.code() == null ? "" : receipt.code());
        return receipt;
    }

    /** Refuses the file {@code name} of {@code place} without reading it: its receipt has no {@code contentSm3}. */
    Receipt refuseUnread(String name, ApiCode code, String message, InboxPlace place) throws IOException {
        Receipt receipt = refuse(name, null, code.name(), message, null, place);
        log.info("{} file {}: REFUSED {} unread", place.describe(), InputText.quoted(name), code);
        return receipt;
    }

    private Receipt refuse(String name, String batchId, String code, String message, String contentSm3, InboxPlace place)
            throws IOException {
        Receipt receipt = new Receipt(name, batchId, false, code, message);
        writeReceipt(receipt, contentSm3, place);
        place.moveToError(name, (code + ": " + message + "\n").getBytes(StandardCharsets.UTF_8));
        return receipt;
    }

    private void writeReceipt(Receipt receipt, String contentSm3, InboxPlace place) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("file", receipt.file());
        body.put("batchId", receipt.batchId());
        body.put("result", receipt.accepted() ? "ACCEPTED" : "REFUSED");
        body.put("code", receipt.code());
        body.put("message", receipt.message());
        body.put("contentSm3", contentSm3);
        body.put("at", TIME.format(clock.instant().atZone(zone)));
        byte[] bytes = json.writeValueAsBytes(body);
        byte[] signature = (Base64.getEncoder().encodeToString(gatewayKey.sign(bytes)) + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        place.putReceipt(receipt.file(), bytes, signature);
    }

    /** The local inbox folder. */
    private record LocalFolder(Path inbox) implements InboxPlace {

        @Override
        public void putReceipt(String name, byte[] receipt, byte[] signature) throws IOException {
            Path receipts = inbox.resolve("receipts");
            writeWhole(receipts.resolve(name + ".receipt.json"), receipt);
            writeWhole(receipts.resolve(name + ".receipt.json.sig"), signature);
        }

        @Override
        public void moveToProcessed(String name) throws IOException {
            Files.move(inbox.resolve(name), inbox.resolve("processed").resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }

        @Override
        public void moveToError(String name, byte[] reason) throws IOException {
            Path error = inbox.resolve("error");
            writeWhole(error.resolve(name + ".reason"), reason);
            Files.move(inbox.resolve(name), error.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }

        @Override
        public String describe() {
            return "inbox";
        }
    }

    /** Writes a file that appears whole or not at all: under a dot name first, then renamed. */
    static void writeWhole(Path target, byte[] content) throws IOException {
        Path staging = target.resolveSibling("." + target.getFileName() + ".part");
        Files.write(staging, content);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
