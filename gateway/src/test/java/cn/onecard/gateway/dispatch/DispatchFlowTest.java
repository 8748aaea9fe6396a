package cn.onecard.gateway.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.ResultDelivery;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.gateway.testing.CallbackRecorder;
import cn.onecard.gateway.testing.FakeBank;
import cn.onecard.gateway.testing.Await;
import cn.onecard.gateway.testing.GatewayTestSupport;
import cn.onecard.gateway.testing.People;
import cn.onecard.gateway.testing.SignedClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The life of items from intake to the treasury's callbacks, through banks behind the adapter
 * contract: paid once, reported once, through resends, repeated and contradicting result files,
 * overdue results and a treasury that is down.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"onecard.dispatch.cycle-period=50ms", "onecard.callback.period=50ms",
                "onecard.dispatch.retry-after=100ms", "onecard.dispatch.resends-max=1"})
class DispatchFlowTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final People PEOPLE = new People(424242L);
    private static final FakeBank LYB = new FakeBank("LYB", Duration.ofSeconds(2));
    private static final FakeBank ABC = new FakeBank("ABC", Duration.ofSeconds(2));
    private static final CallbackRecorder TREASURY = new CallbackRecorder(GatewayTestSupport.GATEWAY_KEYS.publicKey());

    @TestConfiguration
    static class Banks {
        @Bean
        FakeBank lyb() {
            return LYB;
        }

        @Bean
        FakeBank abc() {
            return ABC;
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestSupport.register(registry);
    }

    @AfterAll
    static void stopTreasury() {
        TREASURY.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private SignedClient client;

    @BeforeEach
    void client() {
        client = new SignedClient("http://127.0.0.1:" + port, GatewayTestSupport.CLIENT_ID,
                GatewayTestSupport.TREASURY_KEYS.privateKey());
        LYB.answerWith(paidExcept(Map.of()));
        ABC.answerWith(paidExcept(Map.of()));
    }

    /** A bank that pays every item except those whose amount maps to a failure code. */
    private static Function<Dispatch, List<ItemOutcome>> paidExcept(Map<Long, String> failureByAmount) {
        return dispatch -> {
            List<ItemOutcome> outcomes = new ArrayList<>();
            for (PaymentInstruction instruction : dispatch.instructions()) {
                String failure = failureByAmount.get(instruction.amountFen());
                outcomes.add(failure == null
                        ? new ItemOutcome(instruction.bankReference(), ItemOutcome.Disposition.PAID, "PAID", "0000",
                                instruction.amountFen())
                        : new ItemOutcome(instruction.bankReference(), ItemOutcome.Disposition.FAILED, failure, "E002",
                                instruction.amountFen()));
            }
            return outcomes;
        };
    }

    private String submit(long... amountsOnLybThenOneAbc) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < amountsOnLybThenOneAbc.length; i++) {
            boolean abc = i == amountsOnLybThenOneAbc.length - 1;
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("itemId", "item-" + i);
            item.put("name", "李四");
            item.put("idNumber", PEOPLE.idNumber());
            item.put("cardNumber", abc ? PEOPLE.card(GatewayTestSupport.ABC_BIN, 19) : PEOPLE.card(GatewayTestSupport.LYB_BIN, 16));
            item.put("amountFen", amountsOnLybThenOneAbc[i]);
            items.add(item);
        }
        String batchId = "F" + System.nanoTime();
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("batchId", batchId);
        batch.put("programCode", "P29");
        batch.put("programName", "困难残疾人生活补贴");
        batch.put("period", "202611");
        batch.put("payerAccount", "4103000001");
        batch.put("callbackUrl", TREASURY.url());
        batch.put("itemCount", items.size());
        batch.put("totalAmountFen", java.util.Arrays.stream(amountsOnLybThenOneAbc).sum());
        batch.put("items", items);
        assertThat(client.post("/api/v1/batches", JSON.writeValueAsString(batch)).statusCode()).isEqualTo(202);
        return batchId;
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, Duration.ofSeconds(30), condition);
    }

    private String batchState(String batchId) {
        return jdbc.queryForObject("select state from batches where batch_id = ?", String.class, batchId);
    }

    private List<String> itemStates(String batchId) {
        return jdbc.queryForList("select i.state || ':' || coalesce(i.code, '') from items i join batches b using (batch_pk) "
                + "where b.batch_id = ? order by seq", String.class, batchId);
    }

    /** The treasury's view: per item, the report with the highest sequence; and each item's reports counted. */
    private static Map<String, JsonNode> finalReports(String batchId, Map<String, Integer> reportsPerItem) {
        Map<String, JsonNode> latest = new HashMap<>();
        for (JsonNode message : TREASURY.acceptedFor(batchId)) {
            if (message.get("type").asString().equals("RESULTS")) {
                for (JsonNode item : message.get("items")) {
                    latest.put(item.get("itemId").asString(), item);
                    reportsPerItem.merge(item.get("itemId").asString(), 1, Integer::sum);
                }
            }
        }
        return latest;
    }

    @Test
    void batch_isPaidOnceByEachBankAndReportedOnceWithAFinalSummary() {
        LYB.answerWith(paidExcept(Map.of(9_100L, "BANK_ACCOUNT_CLOSED")));
        String batchId = submit(9_000, 9_100, 9_200, 12_000);

        await("the batch is reported", () -> batchState(batchId).equals("REPORTED"));

        assertThat(itemStates(batchId)).containsExactly("PAID:PAID", "FAILED:BANK_ACCOUNT_CLOSED", "PAID:PAID", "PAID:PAID");
        assertThat(jdbc.queryForList("select i.seq from entitlements e join items i using (batch_pk, seq) "
                + "join batches b using (batch_pk) where b.batch_id = ? order by i.seq", Integer.class, batchId))
                .as("the failed item released its entitlement; the paid ones keep theirs").containsExactly(1, 3, 4);
        Map<String, Integer> reportsPerItem = new HashMap<>();
        Map<String, JsonNode> reports = finalReports(batchId, reportsPerItem);
        assertThat(reports).hasSize(4);
        assertThat(reportsPerItem.values()).as("each item reported once").containsOnly(1);
        assertThat(reports.get("item-1").get("state").asString()).isEqualTo("FAILED");
        assertThat(reports.get("item-3").get("bankCode").asString()).isEqualTo("ABC");
        JsonNode summary = TREASURY.acceptedFor(batchId).stream()
                .filter(m -> m.get("type").asString().equals("SUMMARY")).reduce((a, b) -> b).orElseThrow();
        assertThat(summary.get("complete").asBoolean()).isTrue();
        assertThat(summary.at("/byState/PAID/count").asLong()).isEqualTo(3);
        assertThat(summary.at("/byState/PAID/amountFen").asLong()).isEqualTo(9_000 + 9_200 + 12_000);
        assertThat(summary.at("/byState/FAILED/amountFen").asLong()).isEqualTo(9_100);
        List<Integer> sequences = TREASURY.acceptedFor(batchId).stream().map(m -> m.get("sequence").asInt()).toList();
        assertThat(sequences).as("delivered in sequence, no gaps").isSorted().doesNotHaveDuplicates();
        assertThat(sequences.getLast()).isEqualTo(sequences.size());
        assertThat(TREASURY.badSignatures()).isZero();
    }

    @Test
    void resultFile_onRequest_isSealedToTheTreasuryAndHoldsEveryItemAndTheSummary() {
        String batchId = submit(4_400, 4_500);
        await("the batch is reported", () -> batchState(batchId).equals("REPORTED"));

        HttpResponse<byte[]> response = client.getBytes("/api/v1/batches/" + batchId + "/result-file");

        assertThat(response.statusCode()).isEqualTo(200);
        var opened = new cn.onecard.crypto.EnvelopeOpener().open(response.body(),
                GatewayTestSupport.TREASURY_KEYS.privateKey(), GatewayTestSupport.GATEWAY_KEYS.publicKey());
        assertThat(opened.info().label()).isEqualTo(batchId + ".results.jsonl");
        List<JsonNode> lines = new String(opened.content(), java.nio.charset.StandardCharsets.UTF_8).lines()
                .map(JSON::readTree).toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.subList(0, 2)).extracting(line -> line.get("state").asString()).containsOnly("PAID");
        assertThat(lines.get(2).at("/byState/PAID/amountFen").asLong()).isEqualTo(8_900);
    }

    @Test
    void sendWithUnknownFate_isSentAgainUnderTheSameIdAndReferences_andPaysOnce() {
        int sendsBefore = LYB.sends().size();
        LYB.scriptReceipts(new SendReceipt.Unknown("connection reset during rename"));
        String batchId = submit(5_000, 5_100, 7_000);

        await("the batch is reported", () -> batchState(batchId).equals("REPORTED"));

        List<Dispatch> sends = LYB.sends().subList(sendsBefore, LYB.sends().size());
        assertThat(sends).hasSizeGreaterThanOrEqualTo(2);
        assertThat(sends).extracting(Dispatch::dispatchId).containsOnly(sends.getFirst().dispatchId());
        assertThat(sends.get(1).instructions()).isEqualTo(sends.get(0).instructions());
        assertThat(sends.get(1).sendAttempt()).isEqualTo(2);
        for (PaymentInstruction instruction : sends.getFirst().instructions()) {
            assertThat(LYB.paidByReference().get(instruction.bankReference())).isEqualTo(instruction.amountFen());
        }
        assertThat(itemStates(batchId)).containsOnly("PAID:PAID");
        Map<String, Integer> reportsPerItem = new HashMap<>();
        finalReports(batchId, reportsPerItem);
        assertThat(reportsPerItem.values()).containsOnly(1);
    }

    @Test
    void sameResultFileTwice_isCountedOnceAndRaisesAnAlert() {
        String batchId = submit(2_000, 2_100, 2_200);
        await("the batch is reported", () -> batchState(batchId).equals("REPORTED"));
        Dispatch dispatch = LYB.sends().reversed().stream()
                .filter(d -> d.instructions().stream().anyMatch(i -> i.amountFen() == 2_000)).findFirst().orElseThrow();
        int outboxBefore = jdbc.queryForObject("select count(*) from callback_outbox", Integer.class);

        // the bank writes its result file again: same name, same content
        LYB.queue(new ResultDelivery("RET_" + dispatch.dispatchId(), dispatch.dispatchId(),
                paidExcept(Map.of()).apply(dispatch), "sm3-" + dispatch.dispatchId()));

        await("the alert is raised", () -> jdbc.queryForObject("select count(*) from alerts where kind = "
                + "'DUPLICATE_RESULT_FILE' and source = ?", Integer.class, "RET_" + dispatch.dispatchId()) > 0);
        assertThat(itemStates(batchId)).containsOnly("PAID:PAID");
        assertThat(jdbc.queryForObject("select count(*) from callback_outbox", Integer.class)).isEqualTo(outboxBefore);
        assertThat(jdbc.queryForObject("select count(*) from item_events e join batches b using (batch_pk) "
                + "where b.batch_id = ? and e.to_state = 'PAID'", Integer.class, batchId)).isEqualTo(3);
    }

    @Test
    void resultContradictingASettledItem_changesNothingAndRaisesAnAlert() {
        String batchId = submit(6_000, 8_000);
        await("the batch is reported", () -> batchState(batchId).equals("REPORTED"));
        Dispatch dispatch = LYB.sends().reversed().stream()
                .filter(d -> d.instructions().stream().anyMatch(i -> i.amountFen() == 6_000)).findFirst().orElseThrow();
        String reference = dispatch.instructions().getFirst().bankReference();

        LYB.queue(new ResultDelivery("RET_forged", dispatch.dispatchId(), List.of(new ItemOutcome(reference,
                ItemOutcome.Disposition.FAILED, "BANK_ACCOUNT_FROZEN", "E003", 6_000)), "sm3-forged-" + System.nanoTime()));

        await("the alert is raised", () -> jdbc.queryForObject(
                "select count(*) from alerts where kind = 'RESULT_CONFLICT' and source = 'RET_forged'", Integer.class) > 0);
        assertThat(itemStates(batchId)).containsExactly("PAID:PAID", "PAID:PAID");
    }

    @Test
    void resultsThatNeverCome_areChasedWithTheSameFileThenSettledAsUnknown_andALateResultStillSettlesThem() {
        LYB.answerWith(null);
        int sendsBefore = LYB.sends().size();
        String batchId = submit(3_000, 3_100, 4_000);

        await("the LYB items are unknown", () -> itemStates(batchId).subList(0, 2).stream()
                .allMatch(s -> s.equals("UNKNOWN:BANK_RESULT_MISSING")));

        List<Dispatch> sends = LYB.sends().subList(sendsBefore, LYB.sends().size());
        assertThat(sends).hasSize(2);
        assertThat(sends.get(1).dispatchId()).isEqualTo(sends.get(0).dispatchId());
        assertThat(batchState(batchId)).isEqualTo("AWAITING_REVIEW");

        Dispatch dispatch = sends.getFirst();
        LYB.queue(new ResultDelivery("RET_late", dispatch.dispatchId(), paidExcept(Map.of()).apply(dispatch),
                "sm3-late-" + System.nanoTime()));

        await("the batch is reported", () -> batchState(batchId).equals("REPORTED"));
        assertThat(itemStates(batchId)).containsOnly("PAID:PAID");
        Map<String, Integer> reportsPerItem = new HashMap<>();
        Map<String, JsonNode> reports = finalReports(batchId, reportsPerItem);
        assertThat(reportsPerItem).containsEntry("item-0", 2).containsEntry("item-2", 1);
        assertThat(reports.get("item-0").get("state").asString()).isEqualTo("PAID");
    }

    @Test
    void theSameAlertRepeated_isStoredOnceWhileItIsOpen() {
        String source = "sftp://lyb-" + System.nanoTime();
        for (int i = 0; i < 3; i++) {
            LYB.queueAlert(new cn.onecard.adapters.BankAlert("LYB", cn.onecard.adapters.BankAlert.Kind.BANK_UNREACHABLE,
                    source, "connection refused (" + i + ")"));
        }
        String marker = source + "-marker";
        LYB.queueAlert(new cn.onecard.adapters.BankAlert("LYB", cn.onecard.adapters.BankAlert.Kind.BANK_UNREACHABLE,
                marker, "connection refused"));

        await("the alerts are taken", () -> jdbc.queryForObject("select count(*) from alerts where source = ?",
                Integer.class, marker) == 1);
        assertThat(jdbc.queryForObject("select count(*) from alerts where source = ?", Integer.class, source)).isEqualTo(1);
    }

    @Test
    void treasuryThatIsDown_getsEveryResultOnceItIsBack() {
        TREASURY.refuseNext(2);
        String batchId = submit(1_000, 1_100);

        await("the batch is reported", () -> batchState(batchId).equals("REPORTED"));

        Map<String, Integer> reportsPerItem = new HashMap<>();
        assertThat(finalReports(batchId, reportsPerItem)).hasSize(2);
        assertThat(jdbc.queryForObject("select max(attempts) from callback_outbox o join batches b using (batch_pk) "
                + "where b.batch_id = ?", Integer.class, batchId)).isGreaterThanOrEqualTo(2);
    }
}
