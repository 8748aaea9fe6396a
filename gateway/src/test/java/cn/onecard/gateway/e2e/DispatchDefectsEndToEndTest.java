package cn.onecard.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.gateway.testing.Await;
import cn.onecard.gateway.testing.GatewayNode;
import cn.onecard.gateway.testing.SimulatedWorld;
import cn.onecard.gateway.testing.Walls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gateway core's known defects, each through the simulators' banks and treasury: items of a
 * payment file the bank refuses whole, items whose names the bank's layout cannot write, and inbox or
 * feed files the ledger fails on. None may wait forever, none may be paid twice, and an item that
 * failed must free its person for a corrected batch.
 */
class DispatchDefectsEndToEndTest {

    private static final String PERIOD = "202611";
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** A character of the CJK extension B (a rare name character, 生僻字): UTF-8 writes it, GBK cannot. */
    private static final String RARE_CHARACTER = "𠀀";

    private static SimulatedWorld world;
    private static GatewayNode gateway;

    @BeforeAll
    static void startWorld() {
        world = SimulatedWorld.start(1010L, 8_000);
        gateway = world.startGateway(world.newDataDir("defects"), Map.of());
    }

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
    }

    @AfterEach
    void clearFaults() {
        world.clearBankFaults();
    }

    /** A batch the treasury generated, opened: its header and items, to be changed and submitted by the test. */
    private record Batch(ObjectNode header, List<ObjectNode> items) {

        static Batch generated(String programme, int items, long seed) throws IOException {
            JsonNode generated = world.generateFile(world.scratchDir(), programme, PERIOD, items, 0.0, seed);
            byte[] content = new EnvelopeOpener().open(Files.readAllBytes(Path.of(generated.get("file").asString())),
                    world.gatewayPrivateKey(), world.treasuryPublicKey()).content();
            List<String> lines = new String(content, StandardCharsets.UTF_8).lines().toList();
            return new Batch((ObjectNode) JSON.readTree(lines.getFirst()),
                    lines.subList(1, lines.size()).stream().map(line -> (ObjectNode) JSON.readTree(line)).toList());
        }

        String batchId() {
            return header.get("batchId").asString();
        }

        /** The same items under a new batch id, with count and total made right. */
        Batch only(List<ObjectNode> kept, String batchId) {
            ObjectNode newHeader = header.deepCopy();
            newHeader.put("batchId", batchId);
            newHeader.put("itemCount", kept.size());
            newHeader.put("totalAmountFen", kept.stream().mapToLong(item -> item.get("amountFen").asLong()).sum());
            return new Batch(newHeader, kept.stream().map(ObjectNode::deepCopy).toList());
        }

        void submit() {
            ObjectNode body = header.deepCopy();
            ArrayNode array = body.putArray("items");
            items.forEach(array::add);
            var answer = gateway.client().post("/api/v1/batches", JSON.writeValueAsString(body));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        }
    }

    private static boolean onBank(ObjectNode item, String bank) {
        return world.binsOf(bank).stream().anyMatch(bin -> item.get("cardNumber").asString().startsWith(bin));
    }

    private static List<String> states(String batchId, String itemId) {
        return gateway.jdbc().queryForList("select i.state || ':' || coalesce(i.code, '') from items i join batches b "
                + "using (batch_pk) where b.batch_id = ? and i.item_id = ?", String.class, batchId, itemId);
    }

    private static int count(String sql, Object... arguments) {
        return gateway.jdbc().queryForObject(sql, Integer.class, arguments);
    }

    private static Set<String> paidByBank(String bank) {
        Set<String> references = new java.util.HashSet<>();
        world.bankLedger(bank).get("payments").forEach(payment -> references.add(payment.get("reference").asString()));
        return references;
    }

    private static String referenceOf(String batchId, String itemId) {
        return gateway.jdbc().queryForObject("select 'OC' || lpad(i.batch_pk::text, 10, '0') || lpad(i.seq::text, 8, '0') "
                + "from items i join batches b using (batch_pk) where b.batch_id = ? and i.item_id = ?", String.class, batchId, itemId);
    }

    @Test
    void aPaymentFileTheBankRefusesWhole_failsItsItemsWithTheBanksCode_freesThem_andACorrectedBatchPaysThem() throws IOException {
        // LYB's processing day runs a day ahead: it refuses today's files whole (F002), having paid nothing
        world.bankFaults("LYB", "{\"dayAheadDays\": 1}");
        Batch batch = Batch.generated("P42", 40, 42);
        batch.submit();
        List<ObjectNode> onLyb = batch.items().stream().filter(item -> onBank(item, "LYB")).toList();
        assertThat(onLyb).isNotEmpty();

        Walls.awaitSettled(gateway, batch.batchId(), SETTLE_TIMEOUT);

        for (ObjectNode item : batch.items()) {
            assertThat(states(batch.batchId(), item.get("itemId").asString())).containsExactly(onBank(item, "LYB")
                    ? "FAILED:BANK_FILE_DATE_INVALID" : "PAID:PAID");
        }
        String refused = gateway.jdbc().queryForObject("select dispatch_id from dispatches where bank_code = 'LYB' "
                + "and state = 'REFUSED'", String.class);
        assertThat(world.bankLedger("LYB").get("filesRefused").valueStream().map(JsonNode::asString)).contains(refused);
        assertThat(count("select count(*) from alerts where kind = 'DISPATCH_REFUSED' and source = ?", refused)).isEqualTo(1);
        assertThat(count("select count(*) from entitlements e join items i using (batch_pk, seq) join batches b using (batch_pk) "
                + "where b.batch_id = ? and i.state = 'FAILED'", batch.batchId())).as("the failed items freed their persons").isZero();
        Set<String> lybPaid = paidByBank("LYB");
        for (ObjectNode item : onLyb) {
            assertThat(lybPaid).doesNotContain(referenceOf(batch.batchId(), item.get("itemId").asString()));
        }

        // the bank's day is right again; the treasury sends the failed items in a corrected batch
        world.clearBankFaults();
        Batch corrected = batch.only(onLyb, batch.batchId() + "-C");
        corrected.submit();
        Walls.awaitSettled(gateway, corrected.batchId(), SETTLE_TIMEOUT);

        assertThat(gateway.jdbc().queryForList("select distinct i.state || ':' || coalesce(i.code, '') from items i "
                + "join batches b using (batch_pk) where b.batch_id = ?", String.class, corrected.batchId()))
                .as("not held as duplicates of the refused items: they freed their entitlements").containsExactly("PAID:PAID");
        assertThat(world.bankLedger("LYB").get("referencesPaidMoreThanOnce").asLong()).isZero();
    }

    @Test
    void aNameTheBanksLayoutCannotWrite_failsThatItemWithItsOwnCode_andTheOthersArePaidInANewFile() throws IOException {
        Batch batch = Batch.generated("P43", 30, 43);
        ObjectNode rare = batch.items().stream().filter(item -> onBank(item, "LYB")).findFirst().orElseThrow();
        rare.put("name", rare.get("name").asString().substring(0, 1) + RARE_CHARACTER);
        String rareId = rare.get("itemId").asString();
        batch.submit();

        Walls.awaitSettled(gateway, batch.batchId(), SETTLE_TIMEOUT);

        assertThat(states(batch.batchId(), rareId)).containsExactly("FAILED:PAYMENT_NOT_ENCODABLE");
        for (ObjectNode item : batch.items()) {
            if (item != rare) {
                assertThat(states(batch.batchId(), item.get("itemId").asString())).as("the other items").containsExactly("PAID:PAID");
            }
        }
        List<String> lybDispatches = gateway.jdbc().queryForList("select d.state from dispatches d where d.bank_code = 'LYB' "
                + "and d.dispatch_pk in (select i.dispatch_pk from items i join batches b using (batch_pk) where b.batch_id = ?) "
                + "order by d.dispatch_pk", String.class, batch.batchId());
        assertThat(lybDispatches).as("the first file abandoned unsent, the rest paid in a new one").containsExactly("ABANDONED", "SETTLED");
        String abandoned = gateway.jdbc().queryForObject("select dispatch_id from dispatches where bank_code = 'LYB' "
                + "and state = 'ABANDONED' order by dispatch_pk desc limit 1", String.class);
        assertThat(world.bankLedger("LYB").get("filesSeen").valueStream().map(JsonNode::asString))
                .as("the bank never saw the file that could not be written").doesNotContain(abandoned);
        assertThat(paidByBank("LYB")).doesNotContain(referenceOf(batch.batchId(), rareId));
        assertThat(count("select count(*) from alerts where kind = 'DISPATCH_NOT_ENCODABLE' and source = ?", abandoned)).isEqualTo(1);
        assertThat(count("select count(*) from entitlements e join items i using (batch_pk, seq) join batches b using (batch_pk) "
                + "where b.batch_id = ? and i.item_id = ?", batch.batchId(), rareId)).as("its person freed").isZero();
        Walls.assertNoPersonalDataInLogs(world.logs(), batch.items().stream().map(item -> (JsonNode) item).toList());
    }

    @Test
    void anInboxFileTheLedgerFailsOn_isAlerted_staysInTheInbox_andIsTakenOnceTheLedgerIsBack() {
        // the ledger refuses every item row: a fault of the database, not a refusal of the file
        gateway.jdbc().execute("alter table items add constraint e2e_ledger_fault check (amount_fen < 0) not valid");
        String batchId;
        try {
            batchId = world.submit(gateway, "file", "P44", PERIOD, 30, 0.05, 44).get("batchId").asString();
            Await.until("the gateway raises an alert", SETTLE_TIMEOUT, () -> count("select count(*) from alerts "
                    + "where kind = 'TREASURY_INBOX_FILE_FAILED' and source = ?", "treasury-inbox/" + batchId + ".jsonl.ocev") == 1);
            assertThat(gateway.inbox().resolve(batchId + ".jsonl.ocev")).as("the file stays for the next poll").exists();
            assertThat(count("select count(*) from batches where batch_id = ?", batchId)).isZero();
        } finally {
            gateway.jdbc().execute("alter table items drop constraint e2e_ledger_fault");
        }

        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);
        Walls.assertAccountedForOnce(world, gateway, batchId);
        assertThat(gateway.inbox().resolve("processed").resolve(batchId + ".jsonl.ocev")).exists();
    }

    @Test
    void aFeedFileTheLedgerFailsOn_isAlerted_staysInTheFolder_andIsLoadedOnceTheLedgerIsBack() throws IOException {
        Path feeds = gateway.inbox().resolveSibling("feeds");
        Path processed = feeds.resolve("processed").resolve("card-registry.csv");
        String name = "card-registry-again.csv";
        gateway.jdbc().execute("alter table card_registry add constraint e2e_ledger_fault check (card_number = '') not valid");
        try {
            Path staging = feeds.resolve("." + name + ".part");
            Files.copy(processed, staging);
            Files.move(staging, feeds.resolve(name));
            Await.until("the gateway raises an alert", SETTLE_TIMEOUT, () -> count("select count(*) from alerts "
                    + "where kind = 'FEED_FILE_FAILED' and source = ?", "feeds/" + name) == 1);
            assertThat(feeds.resolve(name)).as("the file stays for the next poll").exists();
        } finally {
            gateway.jdbc().execute("alter table card_registry drop constraint e2e_ledger_fault");
        }
        Await.until("the feed is loaded", SETTLE_TIMEOUT, () -> Files.exists(feeds.resolve("processed").resolve(name)));
        assertThat(count("select count(*) from card_registry")).isPositive();
        List<String> kinds = new ArrayList<>(gateway.jdbc().queryForList("select kind from alerts where source = ?", String.class,
                "feeds/" + name));
        assertThat(kinds).containsExactly("FEED_FILE_FAILED");
    }
}
