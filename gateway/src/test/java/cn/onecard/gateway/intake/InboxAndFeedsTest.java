package cn.onecard.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.EnvelopeSealer;
import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.gateway.config.OneCardProperties;
import cn.onecard.gateway.ledger.AlertKind;
import cn.onecard.gateway.testing.Await;
import cn.onecard.gateway.testing.GatewayTestSupport;
import cn.onecard.gateway.testing.People;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Batches as sealed files in the inbox, and screening feeds in the feeds folder. */
@SpringBootTest(properties = "onecard.folders.poll-delay=50ms")
class InboxAndFeedsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final People PEOPLE = new People(99L);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestSupport.register(registry);
    }

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    OneCardProperties properties;

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofSeconds(20), condition);
    }

    private String jsonLines(String batchId, int declaredCount, Map<String, String> cardsById) {
        StringBuilder out = new StringBuilder();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("batchId", batchId);
        header.put("programCode", "P28");
        header.put("programName", "高龄津贴");
        header.put("period", "202611");
        header.put("payerAccount", "4103000001");
        header.put("callbackUrl", "http://127.0.0.1:1/callbacks");
        header.put("itemCount", declaredCount);
        header.put("totalAmountFen", 5_000L * cardsById.size());
        out.append(JSON.writeValueAsString(header)).append('\n');
        int n = 0;
        for (Map.Entry<String, String> entry : cardsById.entrySet()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("itemId", "i" + n++);
            item.put("name", "王五");
            item.put("idNumber", entry.getKey());
            item.put("cardNumber", entry.getValue());
            item.put("amountFen", 5_000L);
            out.append(JSON.writeValueAsString(item)).append('\n');
        }
        return out.toString();
    }

    private Path drop(String batchId, String content, Sm2PrivateKey signer) throws IOException {
        String name = batchId + ".jsonl";
        byte[] sealed = new EnvelopeSealer().seal(content.getBytes(StandardCharsets.UTF_8),
                GatewayTestSupport.GATEWAY_KEYS.publicKey(), signer, name);
        return dropBytes(name + ".ocev", sealed);
    }

    /** What was dropped under each name, for the receipts' {@code contentSm3}. */
    private final Map<String, byte[]> dropped = new java.util.concurrent.ConcurrentHashMap<>();

    private Path dropBytes(String fileName, byte[] bytes) throws IOException {
        dropped.put(fileName, bytes);
        Path inbox = properties.inboxDir();
        Path staging = inbox.resolve("." + fileName + ".part");
        Files.write(staging, bytes);
        return Files.move(staging, inbox.resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
    }

    private JsonNode receipt(String fileName) throws IOException {
        Path receipts = properties.inboxDir().resolve("receipts");
        await("the receipt of " + fileName + " is written", () -> Files.exists(receipts.resolve(fileName + ".receipt.json.sig")));
        byte[] body = Files.readAllBytes(receipts.resolve(fileName + ".receipt.json"));
        byte[] signature = Base64.getDecoder().decode(Files.readString(receipts.resolve(fileName + ".receipt.json.sig")).strip());
        assertThat(GatewayTestSupport.GATEWAY_KEYS.publicKey().verify(body, signature)).as("receipt signature").isTrue();
        JsonNode receipt = JSON.readTree(body);
        assertThat(receipt.get("contentSm3").asString()).as("the SM3 of the whole file, read once")
                .isEqualTo(java.util.HexFormat.of().formatHex(cn.onecard.crypto.Sm3.digest(dropped.get(fileName))));
        return receipt;
    }

    @Test
    void sealedBatchFile_isTakenInWithASignedReceiptAndMovedAside() throws IOException {
        String batchId = "FILE" + System.nanoTime();
        String content = jsonLines(batchId, 2, Map.of(PEOPLE.idNumber(), PEOPLE.card(GatewayTestSupport.LYB_BIN, 16),
                PEOPLE.idNumber(), PEOPLE.card(GatewayTestSupport.ABC_BIN, 19)));

        drop(batchId, content, GatewayTestSupport.TREASURY_KEYS.privateKey());

        JsonNode receipt = receipt(batchId + ".jsonl.ocev");
        assertThat(receipt.get("result").asString()).isEqualTo("ACCEPTED");
        assertThat(receipt.get("batchId").asString()).isEqualTo(batchId);
        assertThat(Files.exists(properties.inboxDir().resolve("processed").resolve(batchId + ".jsonl.ocev"))).isTrue();
        assertThat(jdbc.queryForObject("select source || ':' || item_count from batches where batch_id = ?", String.class,
                batchId)).isEqualTo("FILE:2");

        // the same file again: recognised, nothing stored twice
        drop(batchId, content, GatewayTestSupport.TREASURY_KEYS.privateKey());
        await("the second copy is moved aside", () -> !Files.exists(properties.inboxDir().resolve(batchId + ".jsonl.ocev")));
        assertThat(jdbc.queryForObject("select count(*) from items i join batches b using (batch_pk) where b.batch_id = ?",
                Integer.class, batchId)).isEqualTo(2);
    }

    record BadFile(String name, String code, java.util.function.Function<InboxAndFeedsTest, Path> drop) {
        @Override
        public String toString() {
            return name;
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("badFiles")
    void badBatchFile_isMovedToErrorWithAReasonAndARefusalReceipt_andStoresNothing(BadFile bad) throws IOException {
        int batches = jdbc.queryForObject("select count(*) from batches", Integer.class);

        Path file = bad.drop().apply(this);

        String name = file.getFileName().toString();
        JsonNode receipt = receipt(name);
        assertThat(receipt.get("result").asString()).isEqualTo("REFUSED");
        assertThat(receipt.get("code").asString()).isEqualTo(bad.code());
        Path reason = properties.inboxDir().resolve("error").resolve(name + ".reason");
        await("the file is in error/", () -> Files.exists(reason));
        assertThat(Files.readString(reason)).startsWith(bad.code()).doesNotContain("622848").doesNotContain("王五");
        assertThat(jdbc.queryForObject("select count(*) from batches", Integer.class)).isEqualTo(batches);
    }

    static List<BadFile> badFiles() {
        return List.of(
                new BadFile("signed by a stranger", "CLIENT_UNKNOWN", t -> t.unchecked(() -> t.drop("S" + System.nanoTime(),
                        t.jsonLines("x", 1, Map.of(PEOPLE.idNumber(), PEOPLE.card(GatewayTestSupport.ABC_BIN, 19))),
                        Sm2.generateKeyPair().privateKey()))),
                new BadFile("a file larger than the read-ahead, signed by a stranger", "CLIENT_UNKNOWN", t -> t.unchecked(() -> {
                    Map<String, String> many = new LinkedHashMap<>();
                    for (int i = 0; i < 3_000; i++) {
                        many.put(PEOPLE.idNumber(), PEOPLE.card(GatewayTestSupport.ABC_BIN, 19));
                    }
                    return t.drop("L" + System.nanoTime(), t.jsonLines("x", many.size(), many),
                            Sm2.generateKeyPair().privateKey());
                })),
                new BadFile("a flipped byte", "ENVELOPE_INVALID", t -> t.unchecked(() -> {
                    String batchId = "B" + System.nanoTime();
                    byte[] sealed = new EnvelopeSealer().seal(t.jsonLines(batchId, 1, Map.of(PEOPLE.idNumber(),
                            PEOPLE.card(GatewayTestSupport.ABC_BIN, 19))).getBytes(StandardCharsets.UTF_8),
                            GatewayTestSupport.GATEWAY_KEYS.publicKey(), GatewayTestSupport.TREASURY_KEYS.privateKey(),
                            batchId + ".jsonl");
                    sealed[sealed.length / 2] ^= 1;
                    return t.dropBytes(batchId + ".jsonl.ocev", sealed);
                })),
                new BadFile("cut short", "ENVELOPE_INVALID", t -> t.unchecked(() -> {
                    String batchId = "C" + System.nanoTime();
                    byte[] sealed = new EnvelopeSealer().seal(t.jsonLines(batchId, 1, Map.of(PEOPLE.idNumber(),
                            PEOPLE.card(GatewayTestSupport.ABC_BIN, 19))).getBytes(StandardCharsets.UTF_8),
                            GatewayTestSupport.GATEWAY_KEYS.publicKey(), GatewayTestSupport.TREASURY_KEYS.privateKey(),
                            batchId + ".jsonl");
                    return t.dropBytes(batchId + ".jsonl.ocev", java.util.Arrays.copyOf(sealed, sealed.length - 40));
                })),
                new BadFile("not an envelope", "ENVELOPE_INVALID", t -> t.unchecked(() ->
                        t.dropBytes("N" + System.nanoTime() + ".jsonl.ocev", "{\"batchId\":1}".getBytes(StandardCharsets.UTF_8)))),
                new BadFile("count mismatch inside", "COUNT_MISMATCH", t -> t.unchecked(() -> {
                    String batchId = "M" + System.nanoTime();
                    return t.drop(batchId, t.jsonLines(batchId, 5, Map.of(PEOPLE.idNumber(),
                            PEOPLE.card(GatewayTestSupport.ABC_BIN, 19))), GatewayTestSupport.TREASURY_KEYS.privateKey());
                })),
                new BadFile("truncated JSON inside", "MALFORMED_JSON", t -> t.unchecked(() -> {
                    String batchId = "J" + System.nanoTime();
                    String lines = t.jsonLines(batchId, 1, Map.of(PEOPLE.idNumber(), PEOPLE.card(GatewayTestSupport.ABC_BIN, 19)));
                    return t.drop(batchId, lines.substring(0, lines.length() - 10), GatewayTestSupport.TREASURY_KEYS.privateKey());
                })));
    }

    interface IoSupplier<T> {
        T get() throws IOException;
    }

    <T> T unchecked(IoSupplier<T> supplier) {
        try {
            return supplier.get();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void feeds_areLoadedAsSnapshots_andABadFileIsRefusedWholeWithoutItsContent() throws IOException {
        Path feeds = properties.feedsDir();
        String card = PEOPLE.card(GatewayTestSupport.LYB_BIN, 16);
        String id = PEOPLE.idNumber();
        Files.writeString(feeds.resolve(".card-registry.csv.part"), "card_number,id_number,state\n" + card + "," + id
                + ",FROZEN\n" + PEOPLE.card(GatewayTestSupport.ABC_BIN, 19) + "," + PEOPLE.idNumber() + ",NORMAL\n");
        Files.move(feeds.resolve(".card-registry.csv.part"), feeds.resolve("card-registry.csv"));

        await("the registry is loaded", () -> Files.exists(feeds.resolve("processed").resolve("card-registry.csv")));
        assertThat(jdbc.queryForObject("select state from card_registry where card_number = ?", String.class, card))
                .isEqualTo("FROZEN");
        assertThat(jdbc.queryForObject("select rows_loaded from feed_loads where feed = 'CARD_REGISTRY'", Integer.class))
                .isEqualTo(2);

        Files.writeString(feeds.resolve(".blocked-persons-2.csv.part"), "id_number,reason\n" + id + ",DECEASED\n"
                + id.substring(0, 17) + ",GONE\n");
        Files.move(feeds.resolve(".blocked-persons-2.csv.part"), feeds.resolve("blocked-persons-2.csv"));

        Path reason = feeds.resolve("error").resolve("blocked-persons-2.csv.reason");
        await("the bad feed is refused", () -> Files.exists(reason));
        assertThat(Files.readString(reason)).contains("line 3").doesNotContain(id.substring(0, 17));
        assertThat(jdbc.queryForObject("select count(*) from blocked_persons", Integer.class)).isZero();
        jdbc.update("delete from feed_loads where feed = 'CARD_REGISTRY'");
    }
    // ---- failures other than refusals: alerted, the file stays and is taken once the ledger takes it

    private int openAlerts(String kind, String source) {
        return jdbc.queryForObject("select count(*) from alerts where kind = ? and source = ? and acknowledged_at is null",
                Integer.class, kind, source);
    }

    private String alertDetail(String kind, String source) {
        return jdbc.queryForObject("select detail from alerts where kind = ? and source = ?", String.class, kind, source);
    }

    @Test
    void inboxFile_whoseIntakeTheLedgerFails_raisesAnAlert_staysInTheInbox_andIsTakenOnceTheLedgerTakesItAgain()
            throws IOException {
        String batchId = "LEDGER" + System.nanoTime();
        String fileName = batchId + ".jsonl.ocev";
        String id = PEOPLE.idNumber();
        String card = PEOPLE.card(GatewayTestSupport.ABC_BIN, 19);
        String source = FileRoutes.INBOX_PLACE + "/" + fileName;
        // the database, not the file, refuses this card's row: a failure other than a refusal
        jdbc.execute("alter table items add constraint test_ledger_fails check (card_number <> '" + card + "') not valid");
        try {
            drop(batchId, jsonLines(batchId, 1, Map.of(id, card)), GatewayTestSupport.TREASURY_KEYS.privateKey());

            await("the gateway raises an alert", () -> openAlerts(AlertKind.TREASURY_INBOX_FILE_FAILED.name(), source) == 1);
            assertThat(alertDetail(AlertKind.TREASURY_INBOX_FILE_FAILED.name(), source)).as("class names only")
                    .matches("[A-Za-z]+Exception( < [A-Za-z]+Exception)?; the file stays and is tried again")
                    .doesNotContain(card).doesNotContain(id);
            assertThat(properties.inboxDir().resolve(fileName)).as("the file stays in the inbox").exists();
            assertThat(properties.inboxDir().resolve("receipts").resolve(fileName + ".receipt.json")).doesNotExist();
            assertThat(jdbc.queryForObject("select count(*) from batches where batch_id = ?", Integer.class, batchId)).isZero();
        } finally {
            jdbc.execute("alter table items drop constraint if exists test_ledger_fails");
        }

        assertThat(receipt(fileName).get("result").asString()).isEqualTo("ACCEPTED");
        await("the file is moved to processed/", () -> Files.exists(properties.inboxDir().resolve("processed").resolve(fileName)));
        assertThat(jdbc.queryForObject("select count(*) from alerts where kind = ? and source = ?", Integer.class,
                AlertKind.TREASURY_INBOX_FILE_FAILED.name(), source)).as("raised once while it stays open").isEqualTo(1);
    }

    @Test
    void feedFile_whoseLoadTheLedgerFails_raisesAnAlert_staysInTheFolder_andIsLoadedOnceTheLedgerTakesItAgain()
            throws IOException {
        Path feeds = properties.feedsDir();
        String card = PEOPLE.card(GatewayTestSupport.LYB_BIN, 16);
        String id = PEOPLE.idNumber();
        String fileName = "card-registry-" + System.nanoTime() + ".csv";
        String source = FileRoutes.FEEDS_PLACE + "/" + fileName;
        jdbc.execute("alter table card_registry add constraint test_ledger_fails check (card_number <> '" + card + "') not valid");
        try {
            Files.writeString(feeds.resolve("." + fileName + ".part"), "card_number,id_number,state\n" + card + "," + id + ",NORMAL\n");
            Files.move(feeds.resolve("." + fileName + ".part"), feeds.resolve(fileName), StandardCopyOption.ATOMIC_MOVE);

            await("the gateway raises an alert", () -> openAlerts(AlertKind.FEED_FILE_FAILED.name(), source) == 1);
            assertThat(alertDetail(AlertKind.FEED_FILE_FAILED.name(), source)).as("class names only")
                    .matches("[A-Za-z]+Exception( < [A-Za-z]+Exception)?; the file stays and is tried again")
                    .doesNotContain(card).doesNotContain(id);
            assertThat(feeds.resolve(fileName)).as("the file stays in the feeds folder").exists();
            assertThat(feeds.resolve("error").resolve(fileName + ".reason")).as("not refused").doesNotExist();
        } finally {
            jdbc.execute("alter table card_registry drop constraint if exists test_ledger_fails");
        }

        await("the feed is loaded", () -> Files.exists(feeds.resolve("processed").resolve(fileName)));
        assertThat(jdbc.queryForObject("select id_number from card_registry where card_number = ?", String.class, card))
                .isEqualTo(id);
        assertThat(jdbc.queryForObject("select count(*) from alerts where kind = ? and source = ?", Integer.class,
                AlertKind.FEED_FILE_FAILED.name(), source)).as("raised once while it stays open")
                .isEqualTo(1);
        jdbc.update("delete from feed_loads where feed = 'CARD_REGISTRY'");
    }
}
