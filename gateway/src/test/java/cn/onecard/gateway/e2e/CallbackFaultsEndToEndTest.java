package cn.onecard.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.crypto.OpenedEnvelope;
import cn.onecard.gateway.results.CallbackSender;
import cn.onecard.gateway.testing.Await;
import cn.onecard.gateway.testing.GatewayNode;
import cn.onecard.gateway.testing.SimulatedWorld;
import cn.onecard.gateway.testing.Walls;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The treasury's callback receiver at fault, against the gateway's outbox: down while a batch's
 * results are made, dropping connections, answering 500, losing acknowledgements, and the gateway
 * restarted with callbacks pending. Whatever the fault, the treasury's own audit has every item once
 * with the right sums and valid signatures, the banks paid nothing twice, the gateway's outbox is
 * drained, what the treasury filed is exactly what the outbox stored, and the result file on request
 * says what the callbacks said. Small chunks ({@value #CHUNK_ITEMS} items) make several messages per batch.
 */
class CallbackFaultsEndToEndTest {

    private static final String PERIOD = "202611";
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);
    private static final int CHUNK_ITEMS = 10;
    private static final int ITEMS = 60;
    private static final Map<String, Double> BAD_KINDS = Map.of("CARD_LUHN", 0.05, "ID_CHECKSUM", 0.05, "BANK_ACCOUNT_STATE", 0.05);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static SimulatedWorld world;
    private static Path dataDir;
    private static GatewayNode gateway;
    private static int nodesStarted;

    @BeforeAll
    static void startWorld() {
        world = SimulatedWorld.start(4_242L, 6_000);
        dataDir = world.newDataDir("callbacks");
        gateway = startNode();
    }

    /** A node on the class's data directory; a restarted one takes the banks over after the short lease. */
    private static GatewayNode startNode() {
        nodesStarted++;
        return world.startGateway(dataDir, Map.of("onecard.callback.chunk-items", Integer.toString(CHUNK_ITEMS),
                "onecard.node-id", "callbacks-node-" + nodesStarted, "onecard.dispatch.lease-ttl", "2s"));
    }

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
    }

    @AfterEach
    void receiverUp() {
        world.receiverFaults("{}");
    }

    /**
     * A batch by API: good items, and a few of kinds that settle for good (rejected at intake, failed
     * by a bank), none an operator must review, so that every batch is reported complete.
     */
    private static String submit(String programme) {
        return world.submit(gateway, programme, PERIOD, ITEMS, BAD_KINDS, programme.hashCode()).get("batchId").asString();
    }

    private record OutboxRow(int sequence, String kind, JsonNode payload, int attempts, Instant nextAttemptAt,
            boolean delivered, String lastError) {
    }

    private static List<OutboxRow> outbox(String batchId) {
        return gateway.jdbc().query("select o.sequence, o.kind, o.payload, o.attempts, o.next_attempt_at, o.delivered_at, "
                + "o.last_error from callback_outbox o join batches b using (batch_pk) where b.batch_id = ? order by o.sequence",
                (row, n) -> new OutboxRow(row.getInt(1), row.getString(2), JSON.readTree(row.getString(3)), row.getInt(4),
                        row.getTimestamp(5).toInstant(), row.getTimestamp(6) != null, row.getString(7)), batchId);
    }

    private static int inFlight(String batchId) {
        return gateway.jdbc().queryForObject("select count(*) from items i join batches b using (batch_pk) "
                + "where b.batch_id = ? and i.state in ('RECEIVED', 'VALIDATED', 'DISPATCHED')", Integer.class, batchId);
    }

    /** Attempts the treasury did not acknowledge, as the gateway's outbox counts them. */
    private static long failedAttempts(List<OutboxRow> rows) {
        return rows.stream().mapToLong(row -> row.attempts() - 1).sum();
    }

    /** What the receiver counted since {@code before}, by counter. */
    private static Map<String, Long> countedSince(JsonNode before) {
        JsonNode after = world.receiverCounters();
        Map<String, Long> delta = new TreeMap<>();
        after.properties().forEach(entry -> delta.put(entry.getKey(), entry.getValue().asLong() - before.path(entry.getKey()).asLong()));
        return delta;
    }

    /**
     * The treasury filed exactly the messages the outbox stored, each sequence 1 to N once with the
     * stored payload; a sequence it took again (after a lost acknowledgement) came with the same payload.
     *
     * @return how many bodies came again
     */
    private static int filedAsStored(String batchId, List<OutboxRow> rows) {
        Map<Integer, JsonNode> firstBySequence = new LinkedHashMap<>();
        int again = 0;
        for (JsonNode body : world.callbacksReceived(batchId)) {
            JsonNode first = firstBySequence.putIfAbsent(body.get("sequence").asInt(), body);
            if (first != null) {
                assertThat(body).as("sequence %s sent again with the same payload", body.get("sequence")).isEqualTo(first);
                again++;
            }
        }
        assertThat(firstBySequence.keySet()).as("filed in sequence, no gaps").containsExactlyElementsOf(
                rows.stream().map(OutboxRow::sequence).toList());
        assertThat(rows).extracting(OutboxRow::sequence).as("sequences 1 to N").containsExactlyElementsOf(
                IntStream.rangeClosed(1, rows.size()).boxed().toList());
        assertThat(List.copyOf(firstBySequence.values())).as("what the treasury filed is what the outbox stored")
                .containsExactlyElementsOf(rows.stream().map(OutboxRow::payload).toList());
        return again;
    }

    /** The last SUMMARY the treasury filed agrees with the batch and with the treasury's own tally of the results. */
    private static void summaryAgrees(String batchId, Walls.Accounting accounting) {
        List<JsonNode> summaries = world.callbacksReceived(batchId).stream()
                .filter(body -> body.get("type").asString().equals("SUMMARY")).toList();
        assertThat(summaries).as("a summary").isNotEmpty();
        JsonNode summary = summaries.getLast();
        assertThat(summary.get("complete").asBoolean()).isTrue();
        assertThat(summary.get("itemCount").asLong()).isEqualTo(accounting.batch().get("itemCount").asLong());
        assertThat(summary.get("totalAmountFen").asLong()).isEqualTo(accounting.batch().get("totalAmountFen").asLong());
        assertThat(tallies(summary.get("byState"))).as("the summary's tallies against the treasury's own")
                .isEqualTo(tallies(accounting.treasuryReport().get("byState")));
        assertThat(tallies(summary.get("byCode"))).isEqualTo(tallies(accounting.treasuryReport().get("byCode")));
    }

    private static Map<String, List<Long>> tallies(JsonNode byKey) {
        Map<String, List<Long>> out = new TreeMap<>();
        byKey.properties().forEach(entry -> out.put(entry.getKey(),
                List.of(entry.getValue().get("count").asLong(), entry.getValue().get("amountFen").asLong())));
        return out;
    }

    @Test
    void receiverDown_whileTheResultsAreMade_isTriedAgainWithGrowingDelays_andEveryResultArrivesOnceWhenUp() {
        JsonNode before = world.receiverCounters();
        world.receiverFaults("{\"downForMillis\": 600000}");
        String batchId = submit("P41");

        // watch the batch's first message being refused while every result is made
        List<OutboxRow> refusals = new ArrayList<>();
        List<String> overtaking = new ArrayList<>();
        Await.until("every result is made and the first message refused three times", SETTLE_TIMEOUT, () -> {
            List<OutboxRow> rows = outbox(batchId);
            if (rows.isEmpty()) {
                return false;
            }
            OutboxRow head = rows.getFirst();
            if (head.attempts() > 0 && (refusals.isEmpty() || refusals.getLast().attempts() != head.attempts())) {
                refusals.add(head);
            }
            rows.stream().skip(1).filter(row -> row.attempts() > 0).forEach(row -> overtaking.add("#" + row.sequence()));
            return head.attempts() >= 3 && inFlight(batchId) == 0;
        });
        List<OutboxRow> whileDown = outbox(batchId);
        world.receiverFaults("{}");

        assertThat(whileDown).as("every message waits in the outbox").noneMatch(OutboxRow::delivered);
        assertThat(whileDown.getLast().kind()).isEqualTo("SUMMARY");
        assertThat(overtaking).as("no message tried before the first is acknowledged").isEmpty();
        assertThat(refusals).extracting(OutboxRow::sequence).containsOnly(1);
        assertThat(refusals).extracting(OutboxRow::attempts).as("each refusal seen")
                .containsExactlyElementsOf(IntStream.rangeClosed(1, refusals.size()).boxed().toList());
        assertThat(refusals).extracting(OutboxRow::lastError).containsOnly("HTTP 503");
        Duration previousGap = Duration.ZERO;
        for (int n = 1; n < refusals.size(); n++) {
            Duration gap = Duration.between(refusals.get(n - 1).nextAttemptAt(), refusals.get(n).nextAttemptAt());
            assertThat(gap).as("delay after refusal %d", n + 1).isGreaterThanOrEqualTo(CallbackSender.backoff(n + 1))
                    .isGreaterThan(previousGap);
            previousGap = gap;
        }

        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);
        Walls.Accounting accounting = Walls.assertAccountedForOnce(world, gateway, batchId);
        List<OutboxRow> rows = outbox(batchId);
        assertThat(rows).allMatch(OutboxRow::delivered);
        assertThat(rows.getFirst().attempts()).as("tried more than once").isGreaterThan(refusals.size());
        assertThat(filedAsStored(batchId, rows)).as("nothing filed twice").isZero();
        summaryAgrees(batchId, accounting);
        Map<String, Long> counted = countedSince(before);
        assertThat(counted.get("refusedWhileDown")).as("the treasury's refusals are the gateway's failed attempts")
                .isEqualTo(failedAttempts(rows));
        assertThat(counted.get("callbacks")).isEqualTo(rows.size());
        assertThat(counted.get("repeats")).isZero();
        assertThat(accounting.batch().get("state").asString()).isEqualTo("REPORTED");
    }

    /**
     * A receiver that drops connections without answering, or answers 500: every chunk arrives in the
     * end, each failure is one failed attempt at the gateway, and the summary agrees with the results.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "dropped connections | {\"dropShare\": 0.3, \"seed\": 7}  | P42 | dropped",
        "HTTP 500 answers    | {\"errorShare\": 0.3, \"seed\": 8} | P43 | answeredWithError"})
    void receiverFailingSomeCallbacks_getsEveryMessageOnceInTheEnd_andTheSummaryAgreesWithTheResults(String fault,
            String faultsJson, String programme, String failureCounter) {
        JsonNode before = world.receiverCounters();
        world.receiverFaults(faultsJson);
        String batchId = submit(programme);

        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);
        Walls.Accounting accounting = Walls.assertAccountedForOnce(world, gateway, batchId);

        List<OutboxRow> rows = outbox(batchId);
        assertThat(rows).hasSizeGreaterThan(ITEMS / CHUNK_ITEMS).allMatch(OutboxRow::delivered);
        assertThat(filedAsStored(batchId, rows)).isZero();
        summaryAgrees(batchId, accounting);
        Map<String, Long> counted = countedSince(before);
        assertThat(counted.get(failureCounter)).as(fault).isPositive()
                .as("each failure is a failed attempt at the gateway").isEqualTo(failedAttempts(rows));
        assertThat(counted.get("callbacks")).isEqualTo(rows.size());
        assertThat(counted.get("repeats")).isZero();
    }

    @Test
    void lostAcknowledgements_bringTheSameMessageAgain_whichTheTreasuryCountsAsRepeatsAndNeverAsSecondResults() {
        JsonNode before = world.receiverCounters();
        world.receiverFaults("{\"lostAckShare\": 0.3, \"seed\": 9}");
        String batchId = submit("P44");

        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);
        Walls.Accounting accounting = Walls.assertAccountedForOnce(world, gateway, batchId);

        List<OutboxRow> rows = outbox(batchId);
        assertThat(rows).allMatch(OutboxRow::delivered);
        int again = filedAsStored(batchId, rows);
        summaryAgrees(batchId, accounting);
        Map<String, Long> counted = countedSince(before);
        assertThat(counted.get("acknowledgementsLost")).isPositive().isEqualTo(failedAttempts(rows));
        assertThat(counted.get("repeats")).as("every lost acknowledgement brings its message once more, a no-op")
                .isEqualTo(counted.get("acknowledgementsLost")).isEqualTo(again);
        assertThat(counted.get("callbacks")).as("each message filed once").isEqualTo(rows.size());
        assertThat(accounting.treasuryReport().get("issues")).as("no item reported final twice").isEmpty();
        resultFileSaysWhatTheCallbacksSaid(batchId, accounting);
    }

    @Test
    void gatewayRestartedWithCallbacksPending_deliversTheStoredMessages_onceEach_whenTheReceiverIsUp() {
        JsonNode before = world.receiverCounters();
        world.receiverFaults("{\"downForMillis\": 600000}");
        String batchId = submit("P45");
        Await.until("every result is made and the first message refused twice", SETTLE_TIMEOUT,
                () -> inFlight(batchId) == 0 && !outbox(batchId).isEmpty() && outbox(batchId).getFirst().attempts() >= 2);
        List<OutboxRow> atStop = outbox(batchId);
        assertThat(atStop).noneMatch(OutboxRow::delivered);
        assertThat(atStop.getLast().kind()).isEqualTo("SUMMARY");

        gateway.close();
        gateway = startNode();
        List<OutboxRow> afterStart = outbox(batchId);
        assertThat(afterStart).extracting(OutboxRow::sequence, OutboxRow::kind, OutboxRow::payload)
                .as("the new node found the same messages and made none of its own")
                .containsExactlyElementsOf(atStop.stream().map(row -> tuple(row.sequence(), row.kind(),
                        row.payload())).toList());
        world.receiverFaults("{}");

        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);
        Walls.Accounting accounting = Walls.assertAccountedForOnce(world, gateway, batchId);
        List<OutboxRow> rows = outbox(batchId);
        assertThat(rows).allMatch(OutboxRow::delivered);
        assertThat(filedAsStored(batchId, rows)).isZero();
        summaryAgrees(batchId, accounting);
        Map<String, Long> counted = countedSince(before);
        assertThat(counted.get("callbacks")).isEqualTo(rows.size());
        assertThat(counted.get("repeats")).isZero();
        assertThat(counted.get("refusedWhileDown")).isEqualTo(failedAttempts(rows));

        // each item reported in one way only: one report per item across the batch's RESULTS
        Map<String, Integer> reportsPerItem = new HashMap<>();
        world.callbacksReceived(batchId).stream().filter(body -> body.get("type").asString().equals("RESULTS"))
                .flatMap(body -> body.get("items").valueStream())
                .forEach(item -> reportsPerItem.merge(item.get("itemId").asString(), 1, Integer::sum));
        assertThat(reportsPerItem).hasSize(ITEMS);
        assertThat(reportsPerItem.values()).as("no item reported twice").containsOnly(1);
    }

    @Test
    void resultFileOnRequest_saysWhatTheCallbacksSaid() {
        String batchId = submit("P29");
        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);
        Walls.Accounting accounting = Walls.assertAccountedForOnce(world, gateway, batchId);

        resultFileSaysWhatTheCallbacksSaid(batchId, accounting);
    }

    @Test
    void resultFileSummary_isInTheSummaryForm_withComplete() {
        String batchId = submit("P28");
        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);

        JsonNode summaryLine = resultFileLines(batchId).getLast();
        List<JsonNode> summaries = world.callbacksReceived(batchId).stream()
                .filter(body -> body.get("type").asString().equals("SUMMARY")).toList();
        assertThat(summaryLine.has("complete")).as("the file's summary line has complete: %s", summaryLine).isTrue();
        assertThat(summaryLine.get("complete")).isEqualTo(summaries.getLast().get("complete"));
        assertThat(summaryLine.get("sequence")).isEqualTo(summaries.getLast().get("sequence"));
    }

    /** The result file on request, opened as the treasury opens it: sealed to its key, signed by the gateway's. */
    private static List<JsonNode> resultFileLines(String batchId) {
        HttpResponse<byte[]> answer = gateway.client().getBytes("/api/v1/batches/" + batchId + "/result-file");
        assertThat(answer.statusCode()).isEqualTo(200);
        OpenedEnvelope opened = new EnvelopeOpener().open(answer.body(), world.treasuryKey(), world.gatewayPublicKey());
        assertThat(opened.info().label()).isEqualTo(batchId + ".results.jsonl");
        return new String(opened.content(), StandardCharsets.UTF_8).lines().map(JSON::readTree).toList();
    }

    /**
     * The result file holds, for each item, exactly the report the treasury keeps from the callbacks
     * (the one of the highest sequence), and closes with the last summary's counts and tallies.
     */
    private static void resultFileSaysWhatTheCallbacksSaid(String batchId, Walls.Accounting accounting) {
        List<JsonNode> lines = resultFileLines(batchId);
        List<JsonNode> itemLines = lines.subList(0, lines.size() - 1);
        JsonNode summaryLine = lines.getLast();

        Map<String, JsonNode> reported = new HashMap<>();
        Map<String, Integer> reportedAt = new HashMap<>();
        JsonNode lastSummary = null;
        for (JsonNode body : world.callbacksReceived(batchId)) {
            int sequence = body.get("sequence").asInt();
            if (body.get("type").asString().equals("SUMMARY")) {
                if (lastSummary == null || sequence > lastSummary.get("sequence").asInt()) {
                    lastSummary = body;
                }
                continue;
            }
            for (JsonNode item : body.get("items")) {
                String itemId = item.get("itemId").asString();
                if (reportedAt.getOrDefault(itemId, 0) < sequence) {
                    reportedAt.put(itemId, sequence);
                    reported.put(itemId, item);
                }
            }
        }
        assertThat(itemLines).hasSize(ITEMS);
        assertThat(itemLines).extracting(line -> line.get("itemId").asString()).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(reported.keySet());
        for (JsonNode line : itemLines) {
            assertThat(line).as("item %s in the file and in the callbacks", line.get("itemId").asString())
                    .isEqualTo(reported.get(line.get("itemId").asString()));
        }
        assertThat(lastSummary).isNotNull();
        assertThat(summaryLine.get("type").asString()).isEqualTo("SUMMARY");
        for (String field : List.of("batchId", "itemCount", "totalAmountFen", "byState", "byCode")) {
            assertThat(summaryLine.get(field)).as("the file's summary %s", field).isEqualTo(lastSummary.get(field));
        }
        assertThat(tallies(summaryLine.get("byState"))).isEqualTo(tallies(accounting.treasuryReport().get("byState")));
    }
}
