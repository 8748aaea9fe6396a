package cn.onecard.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.crypto.EnvelopeSealer;
import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.gateway.testing.Await;
import cn.onecard.gateway.testing.GatewayNode;
import cn.onecard.gateway.testing.SignedClient;
import cn.onecard.gateway.testing.SimulatedWorld;
import cn.onecard.gateway.testing.Walls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every bad input at the wall, by API and as an inbox file, made from the real treasury's batch and
 * keys: refused with its code (an error body, or a signed receipt and a reason beside the file in
 * error/), with no personal data in the refusal, and nothing stored, sent to a bank or reported.
 */
class RefusalsAtTheWallTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PERIOD = "202611";
    private static final AtomicInteger BATCHES = new AtomicInteger();
    private static final List<String> LEDGER_TABLES = List.of("batches", "items", "item_events", "dispatches",
            "callback_outbox", "entitlements", "result_files");

    private static SimulatedWorld world;
    private static GatewayNode gateway;
    /** The treasury's own batch: its header line and its item lines, as it sealed them. */
    private static ObjectNode treasuryHeader;
    private static List<ObjectNode> treasuryItems;

    @BeforeAll
    static void startWorld() throws IOException {
        world = SimulatedWorld.start(7L, 4_000);
        gateway = world.startGateway(world.newDataDir("main"), Map.of());
        Path scratch = world.scratchDir();
        JsonNode generated = world.generateFile(scratch, "P30", PERIOD, 6, 0.0, 5);
        byte[] content = new EnvelopeOpener().open(Files.readAllBytes(Path.of(generated.get("file").asString())),
                world.gatewayPrivateKey(), world.treasuryPublicKey()).content();
        List<String> lines = new String(content, StandardCharsets.UTF_8).lines().toList();
        treasuryHeader = (ObjectNode) JSON.readTree(lines.getFirst());
        treasuryItems = lines.subList(1, lines.size()).stream().map(line -> (ObjectNode) JSON.readTree(line)).toList();
    }

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
    }

    /** The treasury's batch under a new batch id, as header and items that a case may spoil. */
    record Batch(ObjectNode header, List<ObjectNode> items) {
        static Batch fresh() {
            ObjectNode newHeader = treasuryHeader.deepCopy();
            newHeader.put("batchId", "W" + System.nanoTime() + "-" + BATCHES.incrementAndGet());
            return new Batch(newHeader, treasuryItems.stream().map(ObjectNode::deepCopy).toList());
        }

        String batchId() {
            return header.get("batchId").asString();
        }

        String apiBody() {
            ObjectNode body = header.deepCopy();
            ArrayNode array = body.putArray("items");
            items.forEach(array::add);
            return JSON.writeValueAsString(body);
        }

        String jsonLines() {
            StringBuilder out = new StringBuilder(JSON.writeValueAsString(header)).append('\n');
            items.forEach(item -> out.append(JSON.writeValueAsString(item)).append('\n'));
            return out.toString();
        }

        Batch with(Consumer<Batch> spoil) {
            spoil.accept(this);
            return this;
        }
    }

    private static Map<String, Integer> ledgerCounts() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (String table : LEDGER_TABLES) {
            counts.put(table, gateway.jdbc().queryForObject("select count(*) from " + table, Integer.class));
        }
        return counts;
    }

    private static Map<String, Long> banksFilesSeen() {
        Map<String, Long> seen = new java.util.TreeMap<>();
        for (String bank : SimulatedWorld.BANKS) {
            JsonNode ledger = world.bankLedger(bank);
            seen.put(bank, ledger.get("filesSeenCount").asLong() + ledger.get("filesUnverifiedCount").asLong());
        }
        return seen;
    }

    /** No name, identity or card number of the treasury's items in this text. */
    private static void holdsNoPersonalData(String text) {
        for (ObjectNode item : treasuryItems) {
            assertThat(text).doesNotContain(item.get("idNumber").asString()).doesNotContain(item.get("cardNumber").asString())
                    .doesNotContain(item.get("name").asString());
        }
    }

    // ---- by API

    record ApiCase(String name, int status, String code, Function<SignedClient, HttpResponse<String>> request) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static HttpResponse<String> signedWith(SignedClient client, String body, long timestamp, Sm2PrivateKey key) {
        return client.send("POST", "/api/v1/batches", body, timestamp, SignedClient.nonce(), key);
    }

    private static HttpResponse<String> post(SignedClient client, Batch batch) {
        return client.post("/api/v1/batches", batch.apiBody());
    }

    static Stream<ApiCase> apiRefusals() {
        Sm2PrivateKey stranger = Sm2.generateKeyPair().privateKey();
        return Stream.of(
                new ApiCase("no signature headers", 401, "SIGNATURE_MISSING", c -> c.raw("POST", "/api/v1/batches",
                        Batch.fresh().apiBody(), world.treasuryClientId(), null, null, null, "application/json")),
                new ApiCase("a client the gateway does not know", 401, "CLIENT_UNKNOWN", c -> new SignedClient(gateway.baseUrl(),
                        "treasury-elsewhere", world.treasuryKey()).post("/api/v1/batches", Batch.fresh().apiBody())),
                new ApiCase("timestamp six minutes old", 401, "TIMESTAMP_OUT_OF_WINDOW", c -> signedWith(c, Batch.fresh().apiBody(),
                        System.currentTimeMillis() - Duration.ofMinutes(6).toMillis(), world.treasuryKey())),
                new ApiCase("signed by another key", 401, "SIGNATURE_INVALID", c -> signedWith(c, Batch.fresh().apiBody(),
                        System.currentTimeMillis(), stranger)),
                new ApiCase("an amount changed after signing", 401, "SIGNATURE_INVALID", c -> {
                    Batch batch = Batch.fresh();
                    long now = System.currentTimeMillis();
                    String nonce = SignedClient.nonce();
                    String signature = Base64.getEncoder().encodeToString(world.treasuryKey().sign(
                            (now + "\n" + nonce + "\n" + batch.apiBody()).getBytes(StandardCharsets.UTF_8)));
                    batch.items().getFirst().put("amountFen", batch.items().getFirst().get("amountFen").asLong() * 10);
                    return c.raw("POST", "/api/v1/batches", batch.apiBody(), world.treasuryClientId(), Long.toString(now), nonce,
                            signature, "application/json");
                }),
                new ApiCase("not JSON as the content type says", 415, "UNSUPPORTED_MEDIA_TYPE", c -> {
                    // signed: an unsigned request is refused for its signature before its content type
                    String body = Batch.fresh().apiBody();
                    long now = System.currentTimeMillis();
                    String nonce = SignedClient.nonce();
                    return c.raw("POST", "/api/v1/batches", body, world.treasuryClientId(), Long.toString(now), nonce,
                            c.sign(now, nonce, body.getBytes(StandardCharsets.UTF_8)), "text/plain");
                }),
                new ApiCase("the body cut in half", 400, "MALFORMED_JSON", c -> {
                    String body = Batch.fresh().apiBody();
                    return c.post("/api/v1/batches", body.substring(0, body.length() / 2));
                }),
                new ApiCase("a field the contract does not have", 400, "UNKNOWN_FIELD",
                        c -> post(c, Batch.fresh().with(b -> b.header().put("priority", "urgent")))),
                new ApiCase("an item field the contract does not have", 400, "UNKNOWN_FIELD",
                        c -> post(c, Batch.fresh().with(b -> b.items().get(2).put("bankCode", "LYB")))),
                new ApiCase("a missing callback URL", 400, "MISSING_FIELD",
                        c -> post(c, Batch.fresh().with(b -> b.header().remove("callbackUrl")))),
                new ApiCase("an amount in yuan", 400, "BAD_FIELD",
                        c -> post(c, Batch.fresh().with(b -> b.items().get(1).put("amountFen", 90.5)))),
                new ApiCase("item count one more than the items", 422, "COUNT_MISMATCH", c -> post(c, Batch.fresh().with(
                        b -> b.header().put("itemCount", b.items().size() + 1)))),
                new ApiCase("total one fen off", 422, "TOTAL_MISMATCH", c -> post(c, Batch.fresh().with(
                        b -> b.header().put("totalAmountFen", b.header().get("totalAmountFen").asLong() - 1)))),
                new ApiCase("a programme not in the catalogue", 422, "PROGRAM_UNKNOWN",
                        c -> post(c, Batch.fresh().with(b -> b.header().put("programCode", "P99")))),
                new ApiCase("two items with one id", 422, "DUPLICATE_ITEM_ID", c -> post(c, Batch.fresh().with(
                        b -> b.items().get(3).put("itemId", b.items().get(1).get("itemId").asString())))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("apiRefusals")
    void badRequest_isRefusedWithItsCode_andNothingIsStoredSentOrReported(ApiCase refusal) {
        Map<String, Integer> ledger = ledgerCounts();
        Map<String, Long> banks = banksFilesSeen();

        HttpResponse<String> response = refusal.request().apply(gateway.client());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(refusal.status());
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("code").asString()).isEqualTo(refusal.code());
        assertThat(error.get("message").asString()).isNotBlank();
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("at cn.");
        holdsNoPersonalData(response.body());
        assertThat(ledgerCounts()).as("the ledger is unchanged").isEqualTo(ledger);
        assertThat(banksFilesSeen()).as("no bank received anything").isEqualTo(banks);
    }

    @Test
    void replayedRequest_andSameBatchIdWithOtherContent_areRefused_andTheGenuineBatchIsPaidOnce() {
        Batch genuine = Batch.fresh();
        long now = System.currentTimeMillis();
        String nonce = SignedClient.nonce();
        HttpResponse<String> accepted = gateway.client().send("POST", "/api/v1/batches", genuine.apiBody(), now, nonce,
                world.treasuryKey());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        Map<String, Integer> ledger = ledgerCounts();

        HttpResponse<String> replay = gateway.client().send("POST", "/api/v1/batches", genuine.apiBody(), now, nonce,
                world.treasuryKey());
        Batch changed = Batch.fresh();
        changed.header().put("batchId", genuine.batchId());
        changed.items().getFirst().put("amountFen", changed.items().getFirst().get("amountFen").asLong() + 1);
        changed.header().put("totalAmountFen", changed.header().get("totalAmountFen").asLong() + 1);
        HttpResponse<String> conflict = post(gateway.client(), changed);

        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(replay.body()).get("code").asString()).isEqualTo("NONCE_REPLAYED");
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(conflict.body()).get("code").asString()).isEqualTo("BATCH_CONFLICT");
        assertThat(ledgerCounts().get("items")).isEqualTo(ledger.get("items"));
        assertThat(ledgerCounts().get("batches")).isEqualTo(ledger.get("batches"));
        // the genuine batch goes its way: its items paid once (the treasury did not send it, so it audits nothing)
        Walls.awaitSettled(gateway, genuine.batchId(), Duration.ofSeconds(60));
        assertThat(gateway.jdbc().queryForObject("select count(*) from items i join batches b using (batch_pk) "
                + "where b.batch_id = ? and i.state = 'PAID'", Integer.class, genuine.batchId())).isEqualTo(treasuryItems.size());
        for (String bank : SimulatedWorld.BANKS) {
            assertThat(world.bankLedger(bank).get("referencesPaidMoreThanOnce").asLong()).isZero();
        }
    }

    // ---- by inbox file

    record FileCase(String name, String code, Function<Batch, byte[]> sealed) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static byte[] seal(Batch batch, Sm2PublicKey recipient, Sm2PrivateKey sender) {
        return new EnvelopeSealer().seal(batch.jsonLines().getBytes(StandardCharsets.UTF_8), recipient, sender,
                batch.batchId() + ".jsonl");
    }

    private static byte[] sealedByTheTreasury(Batch batch) {
        return seal(batch, world.gatewayPublicKey(), world.treasuryKey());
    }

    static Stream<FileCase> fileRefusals() {
        return Stream.of(
                new FileCase("signed by a key of no client", "CLIENT_UNKNOWN",
                        b -> seal(b, world.gatewayPublicKey(), Sm2.generateKeyPair().privateKey())),
                new FileCase("sealed to another gateway", "ENVELOPE_INVALID",
                        b -> seal(b, Sm2.generateKeyPair().publicKey(), world.treasuryKey())),
                new FileCase("a flipped byte", "ENVELOPE_INVALID", b -> {
                    byte[] sealed = sealedByTheTreasury(b);
                    sealed[sealed.length * 2 / 3] ^= 0x10;
                    return sealed;
                }),
                new FileCase("cut short", "ENVELOPE_INVALID", b -> java.util.Arrays.copyOf(sealedByTheTreasury(b),
                        sealedByTheTreasury(b).length / 2)),
                new FileCase("item count one more than the items", "COUNT_MISMATCH", b -> sealedByTheTreasury(b.with(
                        x -> x.header().put("itemCount", x.items().size() + 1)))),
                new FileCase("total one fen off", "TOTAL_MISMATCH", b -> sealedByTheTreasury(b.with(
                        x -> x.header().put("totalAmountFen", x.header().get("totalAmountFen").asLong() + 1)))),
                new FileCase("a programme not in the catalogue", "PROGRAM_UNKNOWN",
                        b -> sealedByTheTreasury(b.with(x -> x.header().put("programCode", "P00")))),
                new FileCase("an item field the contract does not have", "UNKNOWN_FIELD",
                        b -> sealedByTheTreasury(b.with(x -> x.items().getLast().put("note", "urgent")))),
                new FileCase("two items with one id", "DUPLICATE_ITEM_ID", b -> sealedByTheTreasury(b.with(
                        x -> x.items().getLast().put("itemId", x.items().getFirst().get("itemId").asString())))));
    }

    private static String drop(String fileName, byte[] sealed) {
        try {
            Path staging = gateway.inbox().resolve("." + fileName + ".part");
            Files.write(staging, sealed);
            Files.move(staging, gateway.inbox().resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
            return fileName;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode receipt(String fileName) throws IOException {
        Path receipts = gateway.inbox().resolve("receipts");
        Path signature = receipts.resolve(fileName + ".receipt.json.sig");
        Await.until("the receipt of " + fileName, Duration.ofSeconds(30), () -> Files.exists(signature));
        byte[] receipt = Files.readAllBytes(receipts.resolve(fileName + ".receipt.json"));
        assertThat(world.gatewayPublicKey().verify(receipt, Base64.getDecoder().decode(Files.readString(signature).strip())))
                .as("the receipt is signed by the gateway").isTrue();
        return JSON.readTree(receipt);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fileRefusals")
    void badBatchFile_isRefusedWithItsCodeInASignedReceipt_andNothingIsStoredSentOrReported(FileCase refusal)
            throws IOException {
        Map<String, Integer> ledger = ledgerCounts();
        Map<String, Long> banks = banksFilesSeen();
        Batch batch = Batch.fresh();

        String fileName = drop(batch.batchId() + ".jsonl.ocev", refusal.sealed().apply(batch));

        JsonNode receipt = receipt(fileName);
        assertThat(receipt.get("result").asString()).isEqualTo("REFUSED");
        assertThat(receipt.get("code").asString()).isEqualTo(refusal.code());
        Path error = gateway.inbox().resolve("error");
        // the reason is written first, then the file moved beside it
        Await.until(fileName + " is in error/", Duration.ofSeconds(10),
                () -> Files.exists(error.resolve(fileName + ".reason")) && Files.exists(error.resolve(fileName)));
        String reason = Files.readString(error.resolve(fileName + ".reason"));
        assertThat(reason).startsWith(refusal.code());
        holdsNoPersonalData(reason + receipt);
        assertThat(gateway.inbox().resolve(fileName)).doesNotExist();
        assertThat(ledgerCounts()).as("the ledger is unchanged").isEqualTo(ledger);
        assertThat(banksFilesSeen()).as("no bank received anything").isEqualTo(banks);
    }

    @Test
    void batchFileReusingAnAcceptedBatchIdWithOtherContent_isRefusedAsAConflict() throws IOException {
        Batch genuine = Batch.fresh();
        assertThat(post(gateway.client(), genuine).statusCode()).isEqualTo(202);
        Walls.awaitSettled(gateway, genuine.batchId(), Duration.ofSeconds(60));
        Map<String, Integer> ledger = ledgerCounts();
        List<ObjectNode> fewer = new ArrayList<>(genuine.items().subList(0, genuine.items().size() - 1));
        long total = fewer.stream().mapToLong(item -> item.get("amountFen").asLong()).sum();
        ObjectNode otherHeader = genuine.header().deepCopy();
        otherHeader.put("itemCount", fewer.size());
        otherHeader.put("totalAmountFen", total);

        String fileName = drop(genuine.batchId() + ".jsonl.ocev", sealedByTheTreasury(new Batch(otherHeader, fewer)));

        JsonNode receipt = receipt(fileName);
        assertThat(receipt.get("result").asString()).isEqualTo("REFUSED");
        assertThat(receipt.get("code").asString()).isEqualTo("BATCH_CONFLICT");
        assertThat(ledgerCounts()).isEqualTo(ledger);
    }
}
