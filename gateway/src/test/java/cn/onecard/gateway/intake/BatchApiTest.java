package cn.onecard.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.Sm2;
import cn.onecard.gateway.testing.GatewayTestSupport;
import cn.onecard.gateway.testing.People;
import cn.onecard.gateway.testing.SignedClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BatchApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AtomicInteger BATCHES = new AtomicInteger();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestSupport.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private SignedClient client;
    // one stream of people for the whole class: every test draws persons no other test has used
    private static final People people = new People(20261123L);

    @BeforeEach
    void client() {
        client = new SignedClient("http://127.0.0.1:" + port, GatewayTestSupport.CLIENT_ID,
                GatewayTestSupport.TREASURY_KEYS.privateKey());
    }

    // ---- a batch and its items, as the treasury writes them

    private Map<String, Object> item(String itemId, String idNumber, String card, long amountFen) {
        return GatewayTestSupport.apiItem(itemId, idNumber, card, amountFen);
    }

    private Map<String, Object> goodItem(String itemId) {
        return item(itemId, people.idNumber(), people.card(GatewayTestSupport.LYB_BIN, 16), 9_000);
    }

    private static Map<String, Object> batch(String programCode, List<Map<String, Object>> items) {
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("batchId", "T" + System.nanoTime() + "-" + BATCHES.incrementAndGet());
        batch.put("programCode", programCode);
        batch.put("programName", "困难残疾人生活补贴");
        batch.put("period", "202611");
        batch.put("payerAccount", "4103000001");
        batch.put("callbackUrl", "http://127.0.0.1:1/callbacks");
        batch.put("itemCount", items.size());
        batch.put("totalAmountFen", items.stream().mapToLong(i -> ((Number) i.get("amountFen")).longValue()).sum());
        batch.put("items", items);
        return batch;
    }

    private static String json(Object value) {
        return JSON.writeValueAsString(value);
    }

    private static JsonNode body(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    private int storedBatches() {
        return jdbc.queryForObject("select count(*) from batches", Integer.class);
    }

    private int storedItems() {
        return jdbc.queryForObject("select count(*) from items", Integer.class);
    }

    // ---- accepted batches

    @Test
    void submit_validBatch_isAcceptedWithEveryItemValidated() {
        Map<String, Object> batch = batch("P29", List.of(goodItem("1"), goodItem("2"),
                item("3", people.idNumber(), people.card(GatewayTestSupport.ABC_BIN, 19), 12_345)));

        HttpResponse<String> response = client.post("/api/v1/batches", json(batch));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode state = body(response);
        assertThat(state.get("batchId").asString()).isEqualTo(batch.get("batchId"));
        assertThat(state.get("state").asString()).isEqualTo("IN_PROGRESS");
        assertThat(state.at("/byState/VALIDATED/count").asLong()).isEqualTo(3);
        assertThat(state.at("/byState/VALIDATED/amountFen").asLong()).isEqualTo(9_000 + 9_000 + 12_345);
        assertThat(jdbc.queryForList("select bank_code from items i join batches b using (batch_pk) "
                + "where b.batch_id = ? order by seq", String.class, batch.get("batchId")))
                .containsExactly("LYB", "LYB", "ABC");
        assertThat(jdbc.queryForObject("select count(*) from item_events e join batches b using (batch_pk) "
                + "where b.batch_id = ? and e.from_state = 'RECEIVED' and e.to_state = 'VALIDATED'", Integer.class,
                batch.get("batchId"))).isEqualTo(3);
    }

    static Stream<Arguments> badItems() {
        People p = new People(7L);
        String lyb = GatewayTestSupport.LYB_BIN;
        return Stream.of(
                Arguments.of(Named.of("identity number with a wrong check character",
                        Map.of("idNumber", People.breakCheckDigit(p.idNumber()))), "ID_NUMBER_CHECKSUM"),
                Arguments.of(Named.of("identity number of 17 characters", Map.of("idNumber", "41030519800101001")),
                        "ID_NUMBER_FORMAT"),
                Arguments.of(Named.of("identity number born on 30 February", Map.of("idNumber", withCheck("41030519800230001"))),
                        "ID_NUMBER_BIRTH_DATE"),
                Arguments.of(Named.of("identity number born in the future", Map.of("idNumber", withCheck("41030520991231001"))),
                        "ID_NUMBER_BIRTH_DATE"),
                Arguments.of(Named.of("card failing Luhn", Map.of("cardNumber", People.breakCheckDigit(p.card(lyb, 16)))),
                        "CARD_NUMBER_LUHN"),
                Arguments.of(Named.of("card of 17 digits", Map.of("cardNumber", p.card(lyb, 17))), "CARD_NUMBER_FORMAT"),
                Arguments.of(Named.of("card of no contracted bank",
                        Map.of("cardNumber", p.card(GatewayTestSupport.UNROUTED_BIN, 16))), "CARD_BANK_NOT_CONTRACTED"),
                Arguments.of(Named.of("zero amount", Map.of("amountFen", 0L)), "AMOUNT_NOT_POSITIVE"),
                Arguments.of(Named.of("negative amount", Map.of("amountFen", -100L)), "AMOUNT_NOT_POSITIVE"),
                Arguments.of(Named.of("amount over the programme's cap", Map.of("amountFen", 300_001L)), "AMOUNT_OVER_CAP"),
                Arguments.of(Named.of("name with a digit", Map.of("name", "张3")), "NAME_INVALID"),
                Arguments.of(Named.of("phone of 10 digits", Map.of("phone", "1380013800")), "PHONE_INVALID"),
                Arguments.of(Named.of("proxy id that is not an identity number", Map.of("proxyId", "123")), "PROXY_ID_INVALID"));
    }

    private static String withCheck(String first17) {
        return first17 + cn.onecard.gateway.validation.IdentityNumbers.checkCharacter(first17);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badItems")
    void submit_itemFailingACheck_isRejectedWithItsCodeWhileTheOthersPass(Map<String, Object> spoil, String code) {
        Map<String, Object> bad = goodItem("bad");
        bad.putAll(spoil);
        Map<String, Object> batch = batch("P29", List.of(goodItem("good"), bad));

        HttpResponse<String> response = client.post("/api/v1/batches", json(batch));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(jdbc.queryForList("select i.state || ':' || coalesce(i.code, '') from items i join batches b using (batch_pk) "
                + "where b.batch_id = ? order by seq", String.class, batch.get("batchId")))
                .containsExactly("VALIDATED:", "REJECTED:" + code);
    }

    @Test
    void submit_householdProgrammeItemNotForTheHead_isRejected() {
        Map<String, Object> head = goodItem("head");
        head.put("householdHead", true);
        Map<String, Object> notHead = goodItem("not-head");
        Map<String, Object> batch = batch("P02", List.of(head, notHead));

        assertThat(client.post("/api/v1/batches", json(batch)).statusCode()).isEqualTo(202);

        assertThat(codes(batch)).containsExactly("VALIDATED:", "REJECTED:NOT_HOUSEHOLD_HEAD");
    }

    private List<String> codes(Map<String, Object> batch) {
        return jdbc.queryForList("select i.state || ':' || coalesce(i.code, '') from items i join batches b using (batch_pk) "
                + "where b.batch_id = ? order by seq", String.class, batch.get("batchId"));
    }

    @Test
    void submit_samePersonTwiceInABatch_holdsTheSecond() {
        Map<String, Object> first = goodItem("first");
        Map<String, Object> second = goodItem("second");
        second.put("idNumber", first.get("idNumber"));
        Map<String, Object> batch = batch("P29", List.of(first, second));

        assertThat(client.post("/api/v1/batches", json(batch)).statusCode()).isEqualTo(202);

        assertThat(codes(batch)).containsExactly("VALIDATED:", "HELD:DUPLICATE_IN_BATCH");
    }

    @Test
    void submit_samePersonThreeTimes_holdsAllButTheFirst() {
        Map<String, Object> first = goodItem("first");
        Map<String, Object> other = goodItem("other");
        Map<String, Object> second = goodItem("second");
        Map<String, Object> third = goodItem("third");
        second.put("idNumber", first.get("idNumber"));
        third.put("idNumber", first.get("idNumber"));
        Map<String, Object> batch = batch("P29", List.of(first, other, second, third));

        assertThat(client.post("/api/v1/batches", json(batch)).statusCode()).isEqualTo(202);

        assertThat(codes(batch)).containsExactly("VALIDATED:", "VALIDATED:", "HELD:DUPLICATE_IN_BATCH",
                "HELD:DUPLICATE_IN_BATCH");
    }

    @Test
    void submit_samePersonTwiceWhereTheFirstItemFailsAScreen_paysTheSecond() {
        // the duplicate check looks only at the items still passing: the person's first payable item stays
        Map<String, Object> lostCard = goodItem("lost-card");
        Map<String, Object> goodCard = goodItem("good-card");
        goodCard.put("idNumber", lostCard.get("idNumber"));
        Map<String, Object> overCap = goodItem("over-cap");
        overCap.put("idNumber", lostCard.get("idNumber"));
        overCap.put("amountFen", 100_000_000L);
        jdbc.update("insert into card_registry values (?, ?, 'LOST_FORMAL')", lostCard.get("cardNumber"), lostCard.get("idNumber"));
        jdbc.update("insert into card_registry values (?, ?, 'NORMAL')", goodCard.get("cardNumber"), goodCard.get("idNumber"));
        jdbc.update("insert into card_registry values (?, ?, 'NORMAL')", overCap.get("cardNumber"), overCap.get("idNumber"));
        jdbc.update("insert into feed_loads values ('CARD_REGISTRY', 3, 'test', now()) on conflict do nothing");
        try {
            Map<String, Object> batch = batch("P29", List.of(lostCard, overCap, goodCard));

            assertThat(client.post("/api/v1/batches", json(batch)).statusCode()).isEqualTo(202);

            assertThat(codes(batch)).containsExactly("REJECTED:CARD_LOST_FORMAL", "REJECTED:AMOUNT_OVER_CAP", "VALIDATED:");
        } finally {
            jdbc.update("delete from feed_loads where feed = 'CARD_REGISTRY'");
        }
    }

    @Test
    void submit_personAlreadyInAnotherBatchOfTheSameProgrammeAndPeriod_isHeld() {
        Map<String, Object> earlier = goodItem("e1");
        Map<String, Object> batch1 = batch("P29", List.of(earlier));
        Map<String, Object> again = goodItem("a1");
        again.put("idNumber", earlier.get("idNumber"));
        Map<String, Object> batch2 = batch("P29", List.of(again, goodItem("a2")));
        Map<String, Object> otherProgramme = goodItem("o1");
        otherProgramme.put("idNumber", earlier.get("idNumber"));
        Map<String, Object> batch3 = batch("P28", List.of(otherProgramme));

        assertThat(client.post("/api/v1/batches", json(batch1)).statusCode()).isEqualTo(202);
        assertThat(client.post("/api/v1/batches", json(batch2)).statusCode()).isEqualTo(202);
        assertThat(client.post("/api/v1/batches", json(batch3)).statusCode()).isEqualTo(202);

        assertThat(codes(batch2)).containsExactly("HELD:DUPLICATE_ACROSS_BATCHES", "VALIDATED:");
        assertThat(codes(batch3)).as("another programme is another entitlement").containsExactly("VALIDATED:");
    }

    @Test
    void submit_screensAgainstBlockedPersonsAndTheCardRegistry() {
        Map<String, Object> deceased = goodItem("deceased");
        Map<String, Object> lost = goodItem("lost");
        Map<String, Object> otherHolder = goodItem("other-holder");
        Map<String, Object> normal = goodItem("normal");
        Map<String, Object> unregistered = goodItem("unregistered");
        jdbc.update("insert into blocked_persons values (?, 'DECEASED')", deceased.get("idNumber"));
        for (Map<String, Object> item : List.of(deceased, normal)) {
            jdbc.update("insert into card_registry values (?, ?, 'NORMAL')", item.get("cardNumber"), item.get("idNumber"));
        }
        jdbc.update("insert into card_registry values (?, ?, 'LOST_FORMAL')", lost.get("cardNumber"), lost.get("idNumber"));
        jdbc.update("insert into card_registry values (?, ?, 'NORMAL')", otherHolder.get("cardNumber"), people.idNumber());
        jdbc.update("insert into feed_loads values ('CARD_REGISTRY', 4, 'test', now()) on conflict do nothing");
        try {
            Map<String, Object> batch = batch("P29", List.of(deceased, lost, otherHolder, normal, unregistered));

            assertThat(client.post("/api/v1/batches", json(batch)).statusCode()).isEqualTo(202);

            assertThat(codes(batch)).containsExactly("REJECTED:PERSON_DECEASED", "REJECTED:CARD_LOST_FORMAL",
                    "REJECTED:CARD_HOLDER_MISMATCH", "VALIDATED:", "REJECTED:CARD_NOT_IN_REGISTRY");
        } finally {
            jdbc.update("delete from feed_loads where feed = 'CARD_REGISTRY'");
        }
    }

    @Test
    void submit_rejectedItems_areReportedAndTheSummaryFollowsWhenNothingIsInFlight() {
        Map<String, Object> bad = goodItem("bad");
        bad.put("amountFen", 0L);
        Map<String, Object> batch = batch("P29", List.of(bad));

        HttpResponse<String> response = client.post("/api/v1/batches", json(batch));

        assertThat(body(response).get("state").asString()).isEqualTo("COMPLETED");
        List<Map<String, Object>> outbox = jdbc.queryForList("select sequence, kind, payload from callback_outbox o "
                + "join batches b using (batch_pk) where b.batch_id = ? order by sequence", batch.get("batchId"));
        assertThat(outbox).extracting(row -> row.get("kind")).containsExactly("RESULTS", "SUMMARY");
        JsonNode results = JSON.readTree((String) outbox.get(0).get("payload"));
        assertThat(results.at("/items/0/itemId").asString()).isEqualTo("bad");
        assertThat(results.at("/items/0/code").asString()).isEqualTo("AMOUNT_NOT_POSITIVE");
        JsonNode summary = JSON.readTree((String) outbox.get(1).get("payload"));
        assertThat(summary.get("complete").asBoolean()).isTrue();
        assertThat(summary.at("/byState/REJECTED/count").asLong()).isEqualTo(1);
    }

    // ---- idempotency

    @Test
    void submit_sameBatchAgain_returnsItsStateAndStoresNothingNew() {
        Map<String, Object> batch = batch("P29", List.of(goodItem("1"), goodItem("2")));
        assertThat(client.post("/api/v1/batches", json(batch)).statusCode()).isEqualTo(202);
        int items = storedItems();
        int batches = storedBatches();

        // the same content, with other whitespace and field order
        Map<String, Object> reordered = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>(batch.keySet());
        java.util.Collections.reverse(keys);
        keys.forEach(key -> reordered.put(key, batch.get(key)));
        HttpResponse<String> again = client.post("/api/v1/batches", "  " + json(reordered) + "\n");

        assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        assertThat(body(again).get("batchId").asString()).isEqualTo(batch.get("batchId"));
        assertThat(storedItems()).isEqualTo(items);
        assertThat(storedBatches()).isEqualTo(batches);
    }

    @Test
    void submit_sameBatchIdWithDifferentContent_isRefusedWithConflictAndChangesNothing() {
        Map<String, Object> batch = batch("P29", List.of(goodItem("1")));
        assertThat(client.post("/api/v1/batches", json(batch)).statusCode()).isEqualTo(202);
        int items = storedItems();
        @SuppressWarnings("unchecked")
        Map<String, Object> changed = (Map<String, Object>) ((List<?>) batch.get("items")).get(0);
        changed.put("amountFen", 9_001L);
        batch.put("totalAmountFen", 9_001L);

        HttpResponse<String> response = client.post("/api/v1/batches", json(batch));

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(body(response).get("code").asString()).isEqualTo("BATCH_CONFLICT");
        assertThat(storedItems()).isEqualTo(items);
    }

    // ---- refusals: a coded JSON error, nothing stored

    record Refusal(String name, int status, String code, java.util.function.Function<BatchApiTest, HttpResponse<String>> request) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Refusal> refusals() {
        return Stream.of(
                new Refusal("malformed JSON", 400, "MALFORMED_JSON", t -> t.client.post("/api/v1/batches", "{\"batchId\": ")),
                new Refusal("not an object", 400, "BAD_FIELD", t -> t.client.post("/api/v1/batches", "[1, 2]")),
                new Refusal("unknown batch field", 400, "UNKNOWN_FIELD", t -> t.postWith(b -> b.put("priority", "high"))),
                new Refusal("unknown item field", 400, "UNKNOWN_FIELD", t -> t.postWithItem(i -> i.put("bankCode", "LYB"))),
                new Refusal("missing field", 400, "MISSING_FIELD", t -> t.postWith(b -> b.remove("period"))),
                new Refusal("amount as a string", 400, "BAD_FIELD", t -> t.postWithItem(i -> i.put("amountFen", "9000"))),
                new Refusal("amount with decimals", 400, "BAD_FIELD", t -> t.postWithItem(i -> i.put("amountFen", 90.5))),
                new Refusal("period not a month", 400, "BAD_FIELD", t -> t.postWith(b -> b.put("period", "202613"))),
                new Refusal("callback not http", 400, "BAD_FIELD", t -> t.postWith(b -> b.put("callbackUrl", "file:///etc/passwd"))),
                new Refusal("count mismatch", 422, "COUNT_MISMATCH", t -> t.postWith(b -> b.put("itemCount", 3))),
                new Refusal("total mismatch", 422, "TOTAL_MISMATCH", t -> t.postWith(b -> b.put("totalAmountFen", 1L))),
                new Refusal("programme not in the catalogue", 422, "PROGRAM_UNKNOWN", t -> t.postWith(b -> b.put("programCode", "P99"))),
                new Refusal("duplicate item id", 422, "DUPLICATE_ITEM_ID", t -> t.postWithItem(i -> i.put("itemId", "2"))),
                new Refusal("no signature headers", 401, "SIGNATURE_MISSING",
                        t -> t.client.raw("POST", "/api/v1/batches", "{}", null, null, null, null, "application/json")),
                new Refusal("unknown client", 401, "CLIENT_UNKNOWN", t -> t.client.raw("POST", "/api/v1/batches", "{}",
                        "stranger", Long.toString(System.currentTimeMillis()), SignedClient.nonce(), "AAAA", "application/json")),
                new Refusal("signature by another key", 401, "SIGNATURE_INVALID", t -> t.client.send("POST", "/api/v1/batches",
                        t.validBody(), System.currentTimeMillis(), SignedClient.nonce(), Sm2.generateKeyPair().privateKey())),
                new Refusal("signature not base64", 401, "SIGNATURE_INVALID", t -> t.client.raw("POST", "/api/v1/batches",
                        t.validBody(), GatewayTestSupport.CLIENT_ID, Long.toString(System.currentTimeMillis()),
                        SignedClient.nonce(), "!!!", "application/json")),
                new Refusal("timestamp six minutes old", 401, "TIMESTAMP_OUT_OF_WINDOW", t -> t.client.send("POST",
                        "/api/v1/batches", t.validBody(), System.currentTimeMillis() - 360_000, SignedClient.nonce(),
                        GatewayTestSupport.TREASURY_KEYS.privateKey())),
                new Refusal("nonce too short", 401, "NONCE_INVALID", t -> t.client.send("POST", "/api/v1/batches",
                        t.validBody(), System.currentTimeMillis(), "abc", GatewayTestSupport.TREASURY_KEYS.privateKey())),
                new Refusal("not JSON, signed", 415, "UNSUPPORTED_MEDIA_TYPE", t -> t.client.sendBytes("POST",
                        "/api/v1/batches", t.validBody().getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain")),
                // the wall authenticates before it looks at the body's type
                new Refusal("not JSON, unsigned", 401, "SIGNATURE_MISSING", t -> t.client.raw("POST", "/api/v1/batches", "x",
                        null, null, null, null, "text/plain")));
    }

    String validBody() {
        return json(batch("P29", List.of(goodItem("1"), goodItem("2"))));
    }

    HttpResponse<String> postWith(java.util.function.Consumer<Map<String, Object>> spoil) {
        Map<String, Object> batch = batch("P29", List.of(goodItem("1"), goodItem("2")));
        spoil.accept(batch);
        return client.post("/api/v1/batches", json(batch));
    }

    @SuppressWarnings("unchecked")
    HttpResponse<String> postWithItem(java.util.function.Consumer<Map<String, Object>> spoil) {
        Map<String, Object> batch = batch("P29", List.of(goodItem("1"), goodItem("2")));
        spoil.accept((Map<String, Object>) ((List<?>) batch.get("items")).get(0));
        return client.post("/api/v1/batches", json(batch));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void submit_badRequest_isRefusedWithItsCodeAndStoresNothing(Refusal refusal) {
        int batches = storedBatches();
        int items = storedItems();

        HttpResponse<String> response = refusal.request().apply(this);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(refusal.status());
        JsonNode error = body(response);
        assertThat(error.get("code").asString()).isEqualTo(refusal.code());
        assertThat(error.get("message").asString()).isNotBlank();
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("at cn.");
        assertThat(storedBatches()).isEqualTo(batches);
        assertThat(storedItems()).isEqualTo(items);
    }

    @Test
    void submit_replayedRequest_isRefusedAsReplay() {
        String body = validBody();
        long now = System.currentTimeMillis();
        String nonce = SignedClient.nonce();
        assertThat(client.send("POST", "/api/v1/batches", body, now, nonce,
                GatewayTestSupport.TREASURY_KEYS.privateKey()).statusCode()).isEqualTo(202);

        HttpResponse<String> replay = client.send("POST", "/api/v1/batches", body, now, nonce,
                GatewayTestSupport.TREASURY_KEYS.privateKey());

        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(body(replay).get("code").asString()).isEqualTo("NONCE_REPLAYED");
    }

    // ---- reading back

    @Test
    void items_arePagedFilteredAndMasked() {
        Map<String, Object> bad = goodItem("bad");
        bad.put("amountFen", 0L);
        Map<String, Object> good = goodItem("good");
        Map<String, Object> batch = batch("P29", List.of(good, bad, goodItem("good2")));
        assertThat(client.post("/api/v1/batches", json(batch)).statusCode()).isEqualTo(202);

        HttpResponse<String> page = client.get("/api/v1/batches/" + batch.get("batchId") + "/items?size=2");
        HttpResponse<String> rejected = client.get("/api/v1/batches/" + batch.get("batchId") + "/items?state=REJECTED");

        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        JsonNode items = body(page).get("items");
        assertThat(items).hasSize(2);
        String card = (String) good.get("cardNumber");
        String id = (String) good.get("idNumber");
        assertThat(items.get(0).get("cardNumber").asString())
                .isEqualTo(card.substring(0, 6) + "******" + card.substring(12));
        assertThat(items.get(0).get("idNumber").asString()).isEqualTo(id.substring(0, 6) + "********" + id.substring(14));
        assertThat(items.get(0).get("name").asString()).isEqualTo("张*");
        assertThat(page.body()).doesNotContain(card).doesNotContain(id).doesNotContain("张三");
        assertThat(body(rejected).get("items")).extracting(node -> node.get("itemId").asString()).containsExactly("bad");
    }

    @Test
    void batch_ofAnotherClientOrUnknown_isNotFound() {
        HttpResponse<String> response = client.get("/api/v1/batches/no-such-batch");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(body(response).get("code").asString()).isEqualTo("BATCH_NOT_FOUND");
    }
}
