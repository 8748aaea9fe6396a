package cn.onecard.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.EnvelopeSealer;
import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm3;
import cn.onecard.gateway.config.OneCardProperties;
import cn.onecard.gateway.ledger.AlertKind;
import cn.onecard.gateway.testing.Await;
import cn.onecard.gateway.testing.GatewayTestSupport;
import cn.onecard.gateway.testing.People;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Batches as sealed files in the treasury's folder on its SFTP server, taken by the gateway's poller. */
@SpringBootTest
class TreasurySftpInboxTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final People PEOPLE = new People(4711L);
    private static final String FOLDER = "upload/onecard-inbox";
    private static final int FILE_BYTES_MAX = 1024 * 1024;
    private static final TreasurySftpServer SERVER;
    private static final Path REMOTE_INBOX;

    static {
        try {
            Path base = Files.createTempDirectory(GatewayTestSupport.DATA_DIR, "treasury-sftp");
            Path root = Files.createDirectories(base.resolve("root"));
            Path keys = Files.createDirectories(base.resolve("keys"));
            REMOTE_INBOX = Files.createDirectories(root.resolve(FOLDER));
            SERVER = new TreasurySftpServer(root, keys);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestSupport.register(registry);
        registry.add("onecard.folders.inbox-sftp.host", () -> "127.0.0.1");
        registry.add("onecard.folders.inbox-sftp.port", SERVER::port);
        registry.add("onecard.folders.inbox-sftp.user", () -> TreasurySftpServer.USER);
        registry.add("onecard.folders.inbox-sftp.client-key", SERVER.clientKeyFile::toString);
        registry.add("onecard.folders.inbox-sftp.host-key", SERVER.hostKeyFile::toString);
        registry.add("onecard.folders.inbox-sftp.folder", () -> FOLDER);
        registry.add("onecard.folders.inbox-sftp.connect-timeout", () -> "2s");
        registry.add("onecard.folders.inbox-sftp.operation-timeout", () -> "5s");
        registry.add("onecard.folders.inbox-sftp.poll-delay", () -> "100ms");
        registry.add("onecard.folders.inbox-sftp.file-bytes-max", () -> FILE_BYTES_MAX + "B");
    }

    @AfterAll
    static void stopServer() throws IOException {
        SERVER.close();
    }

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    OneCardProperties properties;

    @BeforeEach
    void acknowledgeAlerts() {
        jdbc.update("update alerts set acknowledged_at = now() where acknowledged_at is null");
        SERVER.forgetReads();
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofSeconds(15), condition);
    }

    /**
     * The same, allowing a loaded machine longer, and saying on failure which inbox alerts there were:
     * once on CI the host key's alert did not come in 15 s, and the log did not say why.
     */
    private void awaitShowingAlerts(String what, BooleanSupplier condition) {
        try {
            Await.until(what, Duration.ofSeconds(30), condition);
        } catch (AssertionError e) {
            List<String> seen = jdbc.queryForList("select at || ' ' || coalesce(acknowledged_at::text, 'open') || ' ' || detail "
                    + "from alerts where kind = ? order by at", String.class, AlertKind.TREASURY_INBOX_UNREACHABLE.name());
            throw new AssertionError(e.getMessage() + "; inbox alerts: " + seen, e);
        }
    }

    // ---- what the treasury does

    private static String jsonLines(String batchId, int declaredCount, int items) {
        StringBuilder out = new StringBuilder();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("batchId", batchId);
        header.put("programCode", "P28");
        header.put("programName", "高龄津贴");
        header.put("period", "202611");
        header.put("payerAccount", "4103000001");
        header.put("callbackUrl", "http://127.0.0.1:1/callbacks");
        header.put("itemCount", declaredCount);
        header.put("totalAmountFen", 5_000L * items);
        out.append(JSON.writeValueAsString(header)).append('\n');
        for (int n = 0; n < items; n++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("itemId", "i" + n);
            item.put("name", "赵六");
            item.put("idNumber", PEOPLE.idNumber());
            item.put("cardNumber", n % 2 == 0 ? PEOPLE.card(GatewayTestSupport.LYB_BIN, 16)
                    : PEOPLE.card(GatewayTestSupport.ABC_BIN, 19));
            item.put("amountFen", 5_000L);
            out.append(JSON.writeValueAsString(item)).append('\n');
        }
        return out.toString();
    }

    private static byte[] seal(String label, String content, Sm2PrivateKey signer) {
        return new EnvelopeSealer().seal(content.getBytes(StandardCharsets.UTF_8), GatewayTestSupport.GATEWAY_KEYS.publicKey(),
                signer, label);
    }

    /** Uploads as the treasury does: under a dot name, renamed when complete. */
    private static void upload(String fileName, byte[] bytes) throws IOException {
        Path staging = REMOTE_INBOX.resolve("." + fileName + ".part");
        Files.write(staging, bytes);
        Files.move(staging, REMOTE_INBOX.resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
    }

    private static String sm3Hex(byte[] bytes) {
        return HexFormat.of().formatHex(Sm3.digest(bytes));
    }

    /** The receipt the gateway wrote back to the server, after checking its signature. */
    private static JsonNode remoteReceipt(String fileName) throws IOException {
        Path receipts = REMOTE_INBOX.resolve("receipts");
        await("the receipt of " + fileName + " is on the server", () -> Files.exists(receipts.resolve(fileName + ".receipt.json.sig")));
        byte[] body = Files.readAllBytes(receipts.resolve(fileName + ".receipt.json"));
        byte[] signature = Base64.getDecoder().decode(Files.readString(receipts.resolve(fileName + ".receipt.json.sig")).strip());
        assertThat(GatewayTestSupport.GATEWAY_KEYS.publicKey().verify(body, signature)).as("receipt signature").isTrue();
        return JSON.readTree(body);
    }

    private int count(String sql, Object... args) {
        return jdbc.queryForObject(sql, Integer.class, args);
    }

    private int openAlerts(String kind) {
        return count("select count(*) from alerts where kind = ? and acknowledged_at is null", kind);
    }

    private List<String> localWorkFiles() {
        try (Stream<Path> files = Files.list(properties.inboxDir().resolve("work"))) {
            return files.map(file -> file.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- taken in

    @Test
    void sealedBatch_isTakenIn_receiptWrittenBack_fileMovedToProcessed_andASecondCopyStoresNothing() throws IOException {
        String batchId = "SFTP" + System.nanoTime();
        String fileName = batchId + ".jsonl.ocev";
        byte[] sealed = seal(batchId + ".jsonl", jsonLines(batchId, 3, 3), GatewayTestSupport.TREASURY_KEYS.privateKey());
        Files.write(REMOTE_INBOX.resolve("." + batchId + "-unfinished.jsonl.ocev"), sealed);

        upload(fileName, sealed);

        JsonNode receipt = remoteReceipt(fileName);
        assertThat(receipt.get("result").asString()).isEqualTo("ACCEPTED");
        assertThat(receipt.get("batchId").asString()).isEqualTo(batchId);
        assertThat(receipt.get("message").asString()).isEqualTo("accepted");
        assertThat(receipt.get("contentSm3").asString()).isEqualTo(sm3Hex(sealed));
        await("the file is moved to processed/ on the server", () -> Files.exists(REMOTE_INBOX.resolve("processed").resolve(fileName)));
        assertThat(REMOTE_INBOX.resolve(fileName)).doesNotExist();
        assertThat(REMOTE_INBOX.resolve("processed").resolve(fileName)).hasBinaryContent(sealed);
        assertThat(jdbc.queryForObject("select source || ':' || item_count from batches where batch_id = ?", String.class,
                batchId)).isEqualTo("FILE:3");
        await("the items are validated", () -> count("select count(*) from items i join batches b using (batch_pk) "
                + "where b.batch_id = ? and i.state <> 'RECEIVED'", batchId) == 3);
        assertThat(REMOTE_INBOX.resolve("." + batchId + "-unfinished.jsonl.ocev")).as("a file still being uploaded is left alone")
                .exists();
        assertThat(REMOTE_INBOX.resolve("receipts").resolve("." + batchId + "-unfinished.jsonl.ocev.receipt.json")).doesNotExist();
        await("the downloaded copy and the opened content are removed", () -> localWorkFiles().isEmpty());
        assertThat(Files.getPosixFilePermissions(properties.inboxDir().resolve("work"))).as("downloads land owner-only")
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));

        // uploaded again after it was processed: recognised, nothing stored twice
        Files.delete(REMOTE_INBOX.resolve("receipts").resolve(fileName + ".receipt.json.sig"));
        upload(fileName, sealed);

        JsonNode again = remoteReceipt(fileName);
        assertThat(again.get("result").asString()).isEqualTo("ACCEPTED");
        assertThat(again.get("message").asString()).isEqualTo("the same batch was received before");
        await("the second copy is moved aside", () -> !Files.exists(REMOTE_INBOX.resolve(fileName)));
        assertThat(count("select count(*) from batches where batch_id = ?", batchId)).isEqualTo(1);
        assertThat(count("select count(*) from items i join batches b using (batch_pk) where b.batch_id = ?", batchId)).isEqualTo(3);
    }

    // ---- refused

    record BadFile(String name, String code, String fileName, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<BadFile> badFiles() {
        Sm2PrivateKey treasury = GatewayTestSupport.TREASURY_KEYS.privateKey();
        String stranger = "S" + System.nanoTime();
        String flipped = "F" + System.nanoTime();
        byte[] flippedBytes = seal(flipped + ".jsonl", jsonLines(flipped, 1, 1), treasury);
        flippedBytes[flippedBytes.length / 2] ^= 1;
        // refused after reading its start: the rest is read for the receipt's SM3 (larger than the read-ahead)
        String bigStranger = "BS" + System.nanoTime();
        String bigFlipped = "BF" + System.nanoTime();
        byte[] bigFlippedBytes = seal(bigFlipped + ".jsonl", jsonLines(bigFlipped, 3_000, 3_000), treasury);
        bigFlippedBytes[600] ^= 1;
        String renamed = "R" + System.nanoTime();
        String inside = "M" + System.nanoTime();
        return List.of(
                new BadFile("signed by a stranger", "CLIENT_UNKNOWN", stranger + ".jsonl.ocev",
                        seal(stranger + ".jsonl", jsonLines(stranger, 1, 1), Sm2.generateKeyPair().privateKey())),
                new BadFile("a large file signed by a stranger", "CLIENT_UNKNOWN", bigStranger + ".jsonl.ocev",
                        seal(bigStranger + ".jsonl", jsonLines(bigStranger, 3_000, 3_000), Sm2.generateKeyPair().privateKey())),
                new BadFile("a flipped byte", "ENVELOPE_INVALID", flipped + ".jsonl.ocev", flippedBytes),
                new BadFile("a flipped byte early in a large file", "ENVELOPE_INVALID", bigFlipped + ".jsonl.ocev",
                        bigFlippedBytes),
                new BadFile("not an envelope", "ENVELOPE_INVALID", "N" + System.nanoTime() + ".jsonl.ocev",
                        "{\"batchId\":1}".getBytes(StandardCharsets.UTF_8)),
                new BadFile("named after another batch", "BAD_FIELD", "OTHER" + renamed + ".jsonl.ocev",
                        seal(renamed + ".jsonl", jsonLines(renamed, 1, 1), treasury)),
                new BadFile("not named {batchId}.jsonl.ocev", "BAD_FIELD", renamed + ".ocev",
                        seal(renamed + ".jsonl", jsonLines(renamed, 1, 1), treasury)),
                new BadFile("count mismatch inside", "COUNT_MISMATCH", inside + ".jsonl.ocev",
                        seal(inside + ".jsonl", jsonLines(inside, 4, 1), treasury)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void badFile_isMovedToTheServersErrorFolderWithAReasonAndARefusalReceipt_andStoresNothing(BadFile bad) throws IOException {
        int batches = count("select count(*) from batches");

        upload(bad.fileName(), bad.bytes());

        JsonNode receipt = remoteReceipt(bad.fileName());
        assertThat(receipt.get("result").asString()).isEqualTo("REFUSED");
        assertThat(receipt.get("code").asString()).isEqualTo(bad.code());
        assertThat(receipt.get("contentSm3").asString()).as("the SM3 of the whole file, even when refused part-way")
                .isEqualTo(sm3Hex(bad.bytes()));
        Path reason = REMOTE_INBOX.resolve("error").resolve(bad.fileName() + ".reason");
        await("the file is in error/ on the server", () -> Files.exists(REMOTE_INBOX.resolve("error").resolve(bad.fileName())));
        assertThat(REMOTE_INBOX.resolve(bad.fileName())).doesNotExist();
        assertThat(Files.readString(reason)).startsWith(bad.code() + ": ").doesNotContain(GatewayTestSupport.ABC_BIN)
                .doesNotContain(GatewayTestSupport.LYB_BIN).doesNotContain("赵六");
        assertThat(count("select count(*) from batches")).isEqualTo(batches);
    }

    @Test
    void oversizeFile_isRefusedToErrorFromItsSize_withoutBeingRead() throws IOException {
        String fileName = "BIG" + System.nanoTime() + ".jsonl.ocev";
        byte[] big = new byte[FILE_BYTES_MAX + 1];
        new Random(11).nextBytes(big);

        upload(fileName, big);

        JsonNode receipt = remoteReceipt(fileName);
        assertThat(receipt.get("result").asString()).isEqualTo("REFUSED");
        assertThat(receipt.get("code").asString()).isEqualTo("BODY_TOO_LARGE");
        assertThat(receipt.get("contentSm3").isNull()).as("no SM3 of a file not read").isTrue();
        await("the file is in error/ on the server", () -> Files.exists(REMOTE_INBOX.resolve("error").resolve(fileName)));
        assertThat(Files.readString(REMOTE_INBOX.resolve("error").resolve(fileName + ".reason"))).startsWith("BODY_TOO_LARGE: ");
        assertThat(SERVER.wasOpenedForReading(fileName)).as("the gateway never opened it").isFalse();
    }

    // ---- failures other than refusals, and other nodes

    @Test
    void aFileTheLedgerFailsOn_raisesAnAlert_staysOnTheServer_andIsTakenOnceTheLedgerTakesItAgain() throws IOException {
        String batchId = "LEDGER" + System.nanoTime();
        String fileName = batchId + ".jsonl.ocev";
        // every item row of a batch stored from now on violates this: the intake fails in the ledger
        long lastBatch = jdbc.queryForObject("select coalesce(max(batch_pk), 0) from batches", Long.class);
        jdbc.execute("alter table items add constraint test_ledger_fails check (batch_pk <= " + lastBatch + ") not valid");
        try {
            upload(fileName, seal(batchId + ".jsonl", jsonLines(batchId, 1, 1), GatewayTestSupport.TREASURY_KEYS.privateKey()));

            await("the gateway raises an alert", () -> count("select count(*) from alerts where kind = ? and source = ? "
                    + "and acknowledged_at is null", AlertKind.TREASURY_INBOX_FILE_FAILED.name(), "treasury-inbox-sftp/" + fileName) == 1);
            assertThat(jdbc.queryForObject("select detail from alerts where kind = ? and source = ?", String.class,
                    AlertKind.TREASURY_INBOX_FILE_FAILED.name(), "treasury-inbox-sftp/" + fileName))
                    .as("class names only, never a message that may quote stored values")
                    .matches("[A-Za-z]+Exception( < [A-Za-z]+Exception)?; the file stays and is tried again");
            assertThat(REMOTE_INBOX.resolve(fileName)).as("the file stays on the server").exists();
            assertThat(REMOTE_INBOX.resolve("receipts").resolve(fileName + ".receipt.json")).doesNotExist();
            assertThat(count("select count(*) from batches where batch_id = ?", batchId)).isZero();
        } finally {
            jdbc.execute("alter table items drop constraint if exists test_ledger_fails");
        }

        assertThat(remoteReceipt(fileName).get("result").asString()).isEqualTo("ACCEPTED");
        await("the file is moved to processed/", () -> Files.exists(REMOTE_INBOX.resolve("processed").resolve(fileName)));
        assertThat(count("select count(*) from alerts where kind = ? and source = ?", AlertKind.TREASURY_INBOX_FILE_FAILED.name(),
                "treasury-inbox-sftp/" + fileName)).as("raised once while it stays open").isEqualTo(1);
        await("no download is left behind", () -> localWorkFiles().isEmpty());
    }

    @Test
    void whileAnotherNodeHoldsTheLease_thisNodeTakesNothing_andTakesTheFileOnceTheLeaseExpires() throws IOException {
        String batchId = "LEASE" + System.nanoTime();
        String fileName = batchId + ".jsonl.ocev";
        Instant foreignLeaseEnds = Instant.now().plusSeconds(2);
        jdbc.update("insert into leases (name, owner, until) values (?, 'another-node', ?) on conflict (name) "
                + "do update set owner = excluded.owner, until = excluded.until", TreasurySftpInbox.LEASE,
                Timestamp.from(foreignLeaseEnds));

        upload(fileName, seal(batchId + ".jsonl", jsonLines(batchId, 1, 1), GatewayTestSupport.TREASURY_KEYS.privateKey()));

        assertThat(remoteReceipt(fileName).get("result").asString()).isEqualTo("ACCEPTED");
        assertThat(jdbc.queryForObject("select received_at from batches where batch_id = ?", Timestamp.class, batchId)
                .toInstant()).as("taken in only after the other node's lease ended").isAfterOrEqualTo(foreignLeaseEnds);
        assertThat(jdbc.queryForObject("select owner from leases where name = ?", String.class, TreasurySftpInbox.LEASE))
                .isNotEqualTo("another-node");
    }

    // ---- the server down or not the one configured

    @Test
    void serverDownAtFirst_raisesAnAlert_andTheFileIsTakenOnceItIsUp() throws IOException {
        String batchId = "DOWN" + System.nanoTime();
        String fileName = batchId + ".jsonl.ocev";
        SERVER.stop();
        try {
            upload(fileName, seal(batchId + ".jsonl", jsonLines(batchId, 1, 1), GatewayTestSupport.TREASURY_KEYS.privateKey()));
            await("the gateway raises an alert", () -> openAlerts(AlertKind.TREASURY_INBOX_UNREACHABLE.name()) == 1);
            assertThat(REMOTE_INBOX.resolve(fileName)).exists();
        } finally {
            SERVER.start(SERVER.hostKey);
        }

        assertThat(remoteReceipt(fileName).get("result").asString()).isEqualTo("ACCEPTED");
        await("the file is moved to processed/", () -> Files.exists(REMOTE_INBOX.resolve("processed").resolve(fileName)));
        assertThat(count("select count(*) from batches where batch_id = ?", batchId)).isEqualTo(1);
        assertThat(openAlerts(AlertKind.TREASURY_INBOX_UNREACHABLE.name())).as("raised once while it stays open").isEqualTo(1);
    }

    @ParameterizedTest(name = "a key of {0}")
    @ValueSource(strings = {"the configured key's type", "another type"})
    void aServerWithAnotherHostKey_isRefused_withAnAlert_andNothingIsDownloaded(String keyType)
            throws IOException, GeneralSecurityException {
        String batchId = "HOSTKEY" + System.nanoTime();
        String fileName = batchId + ".jsonl.ocev";
        SERVER.stop();
        try {
            // another type is not even known for the host: refused all the same, never trusted on first use
            SERVER.start(keyType.equals("another type") ? KeyUtils.generateKeyPair(KeyPairProvider.SSH_RSA, 3072)
                    : TreasurySftpServer.newKeyPair());
            upload(fileName, seal(batchId + ".jsonl", jsonLines(batchId, 1, 1), GatewayTestSupport.TREASURY_KEYS.privateKey()));
            awaitShowingAlerts("the gateway raises an alert about the host key", () -> {
                // an alert from the restart's gap (connection refused) would keep the host key's quiet
                jdbc.update("update alerts set acknowledged_at = now() where kind = ? and acknowledged_at is null "
                        + "and detail not like '%HostKey%'", AlertKind.TREASURY_INBOX_UNREACHABLE.name());
                return count("select count(*) from alerts where kind = ? and acknowledged_at is null and detail like '%HostKey%'",
                        AlertKind.TREASURY_INBOX_UNREACHABLE.name()) == 1;
            });
            assertThat(SERVER.wasOpenedForReading(fileName)).as("nothing is read from an unknown server").isFalse();
            assertThat(REMOTE_INBOX.resolve(fileName)).exists();
            assertThat(REMOTE_INBOX.resolve("receipts").resolve(fileName + ".receipt.json")).doesNotExist();
            assertThat(count("select count(*) from batches where batch_id = ?", batchId)).isZero();
        } finally {
            SERVER.stop();
            SERVER.start(SERVER.hostKey);
        }

        // the real server back: the file is taken
        assertThat(remoteReceipt(fileName).get("result").asString()).isEqualTo("ACCEPTED");
        assertThat(SERVER.wasOpenedForReading(fileName)).isTrue();
    }
    @Test
    void theUsersSshConfigAndKnownHosts_areIgnored() throws IOException, GeneralSecurityException {
        String batchId = "HOME" + System.nanoTime();
        String fileName = batchId + ".jsonl.ocev";
        // a home whose SSH files would send the client elsewhere and trust another key for this server
        Path home = Files.createTempDirectory(GatewayTestSupport.DATA_DIR, "home");
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(ssh.resolve("config"), "Host 127.0.0.1\n  HostName 127.0.0.2\n  Port 1\n  User someone-else\n");
        Files.writeString(ssh.resolve("known_hosts"), "[127.0.0.1]:" + SERVER.port() + " "
                + PublicKeyEntry.toString(TreasurySftpServer.newKeyPair().getPublic()) + "\n");
        String realHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            // the sessions break: the gateway connects anew, with that home in place
            SERVER.stop();
            SERVER.start(SERVER.hostKey);
            upload(fileName, seal(batchId + ".jsonl", jsonLines(batchId, 1, 1), GatewayTestSupport.TREASURY_KEYS.privateKey()));

            assertThat(remoteReceipt(fileName).get("result").asString()).isEqualTo("ACCEPTED");
            await("the file is moved to processed/", () -> Files.exists(REMOTE_INBOX.resolve("processed").resolve(fileName)));
        } finally {
            System.setProperty("user.home", realHome);
        }
    }
}
