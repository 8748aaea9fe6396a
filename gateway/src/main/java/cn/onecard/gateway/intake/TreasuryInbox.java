package cn.onecard.gateway.intake;

import cn.onecard.crypto.CryptoException;
import cn.onecard.crypto.EnvelopeInfo;
import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.Sm3;
import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The treasury's batch files (docs/api.md, "Batch files"): a OneCard envelope per batch dropped in
 * the inbox. Each file is opened (the envelope's sender key names the client; its signature is
 * checked against that client's key), taken in through the same intake as the API, answered with
 * a signed receipt, and moved to {@code processed/} or, refused, to {@code error/} beside a
 * {@code .reason}. A file is only moved once its outcome is stored, so a crash mid-way leaves it in
 * the inbox to be taken again, which the intake's idempotency makes harmless.
 */
public final class TreasuryInbox {

    private static final Logger log = LoggerFactory.getLogger(TreasuryInbox.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    public static final String SUFFIX = ".jsonl.ocev";

    private final Path inbox;
    private final TreasuryClients clients;
    private final BatchIntake intake;
    private final Sm2PrivateKey gatewayKey;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Clock clock;
    private final ZoneId zone;

    public TreasuryInbox(Path inbox, TreasuryClients clients, BatchIntake intake, Sm2PrivateKey gatewayKey, Clock clock,
            ZoneId zone) throws IOException {
        this.inbox = inbox;
        this.clients = clients;
        this.intake = intake;
        this.gatewayKey = gatewayKey;
        this.clock = clock;
        this.zone = zone;
        for (String folder : new String[] {"processed", "error", "receipts"}) {
            Files.createDirectories(inbox.resolve(folder));
        }
        // opened batches (names, identity and card numbers) pass through here: owner-only
        Path work = inbox.resolve("work");
        if (!Files.exists(work)) {
            Files.createDirectory(work, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        }
    }

    public Path directory() {
        return inbox;
    }

    /** What became of one file. */
    public record Receipt(String file, String batchId, boolean accepted, String code, String message) {
    }

    /** Takes one file from the inbox; returns its receipt (also written to {@code receipts/}). */
    public Receipt take(Path file) throws IOException {
        String name = file.getFileName().toString();
        String contentSm3;
        try (InputStream in = Files.newInputStream(file)) {
            contentSm3 = HexFormat.of().formatHex(Sm3.digest(in));
        }
        Receipt receipt;
        String batchId = null;
        Path plain = inbox.resolve("work").resolve(name + ".plain");
        try {
            if (!name.endsWith(SUFFIX)) {
                throw new ApiException(ApiCode.BAD_FIELD, "a batch file is named {batchId}" + SUFFIX);
            }
            String clientId;
            try (InputStream in = Files.newInputStream(file)) {
                byte[] sender = EnvelopeOpener.senderKeyId(in);
                clientId = clients.clientWithKey(sender).orElseThrow(() -> new ApiException(ApiCode.CLIENT_UNKNOWN,
                        "the file is signed by a key of no configured treasury client"));
            }
            Sm2PublicKey clientKey = clients.key(clientId).orElseThrow();
            EnvelopeInfo info;
            try (InputStream in = Files.newInputStream(file)) {
                info = new EnvelopeOpener().open(in, plain, gatewayKey, clientKey);
            }
            String expectedLabel = name.substring(0, name.length() - ".ocev".length());
            if (!info.label().equals(expectedLabel)) {
                throw new ApiException(ApiCode.BAD_FIELD, "the envelope's label does not match the file name");
            }
            BatchIntake.Accepted accepted;
            try (InputStream in = Files.newInputStream(plain)) {
                accepted = intake.submit(clientId, BatchIntake.Source.FILE, BatchIntake.Format.JSON_LINES, in, null);
            }
            batchId = accepted.batchId();
            if (!(batchId + ".jsonl").equals(expectedLabel)) {
                log.warn("batch file {} holds batch {}; accepted under the batch's own id", name, batchId);
            }
            receipt = new Receipt(name, batchId, true, null, accepted.created() ? "accepted" : "the same batch was received before");
            writeReceipt(receipt, contentSm3);
            Files.move(file, inbox.resolve("processed").resolve(name), StandardCopyOption.REPLACE_EXISTING);
        } catch (ApiException e) {
            receipt = refuse(file, name, batchId, e.code().name(), e.getMessage(), contentSm3);
        } catch (CryptoException e) {
            receipt = refuse(file, name, batchId, "ENVELOPE_INVALID", "the envelope does not open or verify: "
                    + e.getMessage(), contentSm3);
        } finally {
            Files.deleteIfExists(plain);
        }
        log.info("inbox file {}: {} {}", name, receipt.accepted() ? "ACCEPTED" : "REFUSED",
                receipt.code() == null ? "" : receipt.code());
        return receipt;
    }

    private Receipt refuse(Path file, String name, String batchId, String code, String message, String contentSm3)
            throws IOException {
        Receipt receipt = new Receipt(name, batchId, false, code, message);
        writeReceipt(receipt, contentSm3);
        Path error = inbox.resolve("error");
        writeWhole(error.resolve(name + ".reason"), (code + ": " + message + "\n").getBytes(StandardCharsets.UTF_8));
        Files.move(file, error.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        return receipt;
    }

    private void writeReceipt(Receipt receipt, String contentSm3) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("file", receipt.file());
        body.put("batchId", receipt.batchId());
        body.put("result", receipt.accepted() ? "ACCEPTED" : "REFUSED");
        body.put("code", receipt.code());
        body.put("message", receipt.message());
        body.put("contentSm3", contentSm3);
        body.put("at", TIME.format(clock.instant().atZone(zone)));
        byte[] bytes = json.writeValueAsBytes(body);
        Path receipts = inbox.resolve("receipts");
        writeWhole(receipts.resolve(receipt.file() + ".receipt.json"), bytes);
        writeWhole(receipts.resolve(receipt.file() + ".receipt.json.sig"),
                (Base64.getEncoder().encodeToString(gatewayKey.sign(bytes)) + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Writes a file that appears whole or not at all: under a dot name first, then renamed. */
    static void writeWhole(Path target, byte[] content) throws IOException {
        Path staging = target.resolveSibling("." + target.getFileName() + ".part");
        Files.write(staging, content);
        Files.move(staging, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
