package cn.onecard.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The end-to-end checks, made at the walls: the gateway's API and ledger, the treasury's book of
 * callbacks (its own audit) and each bank's own ledger. Every item accounted for once, sums equal
 * (received = rejected + held + paid + failed + unknown), and no reference paid twice by any bank.
 */
public final class Walls {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> SETTLED_STATES = Set.of("REJECTED", "HELD", "PAID", "FAILED", "UNKNOWN");
    private static final int PAGE_SIZE = 1_000;

    private Walls() {
    }

    /** What one batch came to, as the walls saw it. */
    public record Accounting(JsonNode batch, List<JsonNode> items, JsonNode treasuryReport, Map<String, Long> paidCountByBank) {
        public long count(String state) {
            return batch.at("/byState/" + state + "/count").asLong(0);
        }
    }

    /** Waits until the batch exists, nothing of it is in flight and every callback of it is acknowledged. */
    public static void awaitSettled(GatewayNode gateway, String batchId, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            List<Map<String, Object>> rows = gateway.jdbc().queryForList("select b.state, "
                    + "(select count(*) from items i where i.batch_pk = b.batch_pk and i.state in ('RECEIVED', 'VALIDATED', 'DISPATCHED')) as in_flight, "
                    + "(select count(*) from callback_outbox o where o.batch_pk = b.batch_pk and o.delivered_at is null) as undelivered "
                    + "from batches b where b.batch_id = ?", batchId);
            if (!rows.isEmpty()) {
                Map<String, Object> row = rows.getFirst();
                if (((Number) row.get("in_flight")).longValue() == 0 && ((Number) row.get("undelivered")).longValue() == 0
                        && !row.get("state").equals("IN_PROGRESS") && !row.get("state").equals("RECEIVED")) {
                    return;
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("batch " + batchId + " did not settle within " + timeout + ": " + rows
                        + "; items " + gateway.jdbc().queryForList("select i.state, i.code, i.bank_code, count(*) from items i "
                        + "join batches b using (batch_pk) where b.batch_id = ? group by 1, 2, 3 order by 1, 2, 3", batchId)
                        + "; dispatches " + gateway.jdbc().queryForList("select dispatch_id, bank_code, state, send_attempts, "
                        + "last_send_result from dispatches order by dispatch_pk")
                        + "; alerts " + gateway.jdbc().queryForList("select kind, source from alerts order by alert_pk"));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /**
     * Checks the settled batch at every wall: the gateway's state and tallies, each item once with its
     * amount, the banks' payments equal to the gateway's PAID items (reference by reference, amount by
     * amount) and no reference paid twice, each PAID item paid by one event, and the treasury's own audit
     * passed with the same tallies.
     */
    public static Accounting assertAccountedForOnce(SimulatedWorld world, GatewayNode gateway, String batchId) {
        HttpResponse<String> answer = gateway.client().get("/api/v1/batches/" + batchId);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode batch = JSON.readTree(answer.body());
        long itemCount = batch.get("itemCount").asLong();
        long totalFen = batch.get("totalAmountFen").asLong();
        assertThat(batch.get("state").asString()).as("batch state").isIn("COMPLETED", "REPORTED", "AWAITING_REVIEW");

        // received = rejected + held + paid + failed + unknown, in count and in fen
        long countSum = 0;
        long fenSum = 0;
        for (Map.Entry<String, JsonNode> state : batch.get("byState").properties()) {
            assertThat(state.getKey()).as("no item in flight").isIn(SETTLED_STATES);
            countSum += state.getValue().get("count").asLong();
            fenSum += state.getValue().get("amountFen").asLong();
        }
        assertThat(countSum).as("items by state add up to the batch's count").isEqualTo(itemCount);
        assertThat(fenSum).as("amounts by state add up to the batch's total").isEqualTo(totalFen);

        // every item once, with its state, amount, and (once sent) its bank and reference
        List<JsonNode> items = items(gateway, batchId);
        assertThat(items).hasSize((int) itemCount);
        assertThat(items.stream().map(item -> item.get("itemId").asString()).distinct().count()).isEqualTo(itemCount);
        Map<String, Long> countByState = new TreeMap<>();
        Map<String, Map<String, Long>> paidByBank = new HashMap<>();
        Set<String> referencesOfBatch = new HashSet<>();
        for (JsonNode item : items) {
            String state = item.get("state").asString();
            countByState.merge(state, 1L, Long::sum);
            String reference = item.path("bankReference").asString(null);
            if (reference != null) {
                referencesOfBatch.add(reference);
            }
            if (state.equals("PAID")) {
                assertThat(reference).as("a paid item has its bank reference").isNotNull();
                Long before = paidByBank.computeIfAbsent(item.get("bankCode").asString(), bank -> new HashMap<>())
                        .put(reference, item.get("amountFen").asLong());
                assertThat(before).as("one reference per item").isNull();
            }
        }
        countByState.forEach((state, count) -> assertThat(batch.at("/byState/" + state + "/count").asLong())
                .as("items listed in state " + state).isEqualTo(count));

        // the banks: what they paid of this batch is exactly what the gateway holds PAID, and nothing twice
        Map<String, Long> paidCountByBank = new TreeMap<>();
        Set<String> batchPrefixes = batchPrefixes(referencesOfBatch);
        for (String bank : SimulatedWorld.BANKS) {
            JsonNode ledger = world.bankLedger(bank);
            assertThat(ledger.get("referencesPaidMoreThanOnce").asLong()).as(bank + " paid no reference twice").isZero();
            Map<String, Long> bankPaid = new HashMap<>();
            for (JsonNode payment : ledger.get("payments")) {
                String reference = payment.get("reference").asString();
                // a reference is 'OC' + the batch's 10-digit key + the item's seq: one the gateway never
                // gave an item of this batch would be a payment made twice under a new reference
                assertThat(referencesOfBatch.contains(reference) || batchPrefixes.stream().noneMatch(reference::startsWith)).as(bank + " paid " + reference + ", no item's reference").isTrue();
                if (referencesOfBatch.contains(reference)) {
                    assertThat(bankPaid.put(reference, payment.get("amountFen").asLong()))
                            .as(bank + " paid " + reference + " once").isNull();
                }
            }
            assertThat(bankPaid).as(bank + "'s payments of batch " + batchId + " against the gateway's PAID items")
                    .isEqualTo(paidByBank.getOrDefault(bank, Map.of()));
            paidCountByBank.put(bank, (long) bankPaid.size());
        }

        // the ledger: one PAID event per paid item
        Integer paidEvents = gateway.jdbc().queryForObject("select count(*) from item_events e join batches b using (batch_pk) "
                + "where b.batch_id = ? and e.to_state = 'PAID'", Integer.class, batchId);
        assertThat(paidEvents.longValue()).as("PAID events").isEqualTo(countByState.getOrDefault("PAID", 0L));

        // the treasury's own audit, from the callbacks it received, agrees
        JsonNode report = world.report(batchId);
        assertThat(report.get("passed").asBoolean()).as("the treasury's audit: %s", report.get("issues")).isTrue();
        assertThat(report.get("items").asLong()).isEqualTo(itemCount);
        assertThat(report.get("itemsReported").asLong()).isEqualTo(itemCount);
        assertThat(report.at("/counters/badSignatures").asLong()).isZero();
        for (Map.Entry<String, JsonNode> state : batch.get("byState").properties()) {
            assertThat(report.at("/byState/" + state.getKey() + "/count").asLong()).as("treasury's count of " + state.getKey())
                    .isEqualTo(state.getValue().get("count").asLong());
            assertThat(report.at("/byState/" + state.getKey() + "/amountFen").asLong()).as("treasury's sum of " + state.getKey())
                    .isEqualTo(state.getValue().get("amountFen").asLong());
        }
        return new Accounting(batch, items, report, paidCountByBank);
    }

    private static final Pattern DIGIT_RUN = Pattern.compile("[0-9]{11,}[0-9Xx]?");

    /**
     * No identity, card, proxy or phone number of these items (as the treasury sent them, in clear)
     * appears in any of the logs. A finding is named masked, never in clear.
     */
    public static void assertNoPersonalDataInLogs(List<Path> logs, List<JsonNode> clearItems) {
        Set<String> numbers = new HashSet<>();
        for (JsonNode item : clearItems) {
            for (String field : List.of("idNumber", "cardNumber", "proxyId", "phone")) {
                String value = item.path(field).asString(null);
                if (value != null && value.length() >= 11) {
                    numbers.add(value.toUpperCase(java.util.Locale.ROOT));
                }
            }
        }
        assertThat(numbers).as("personal numbers to look for").isNotEmpty();
        for (Path log : logs) {
            String text;
            try {
                text = Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Matcher runs = DIGIT_RUN.matcher(text);
            while (runs.find()) {
                String run = runs.group().toUpperCase(java.util.Locale.ROOT);
                for (int length : new int[] {11, 16, 18, 19}) {
                    for (int start = 0; start + length <= run.length(); start++) {
                        String candidate = run.substring(start, start + length);
                        if (numbers.contains(candidate)) {
                            throw new AssertionError(log.getFileName() + " holds a personal number in clear: "
                                    + candidate.substring(0, 6) + "*".repeat(length - 10) + candidate.substring(length - 4));
                        }
                    }
                }
            }
        }
    }

    /** Every item of the batch through the paged API. */
    public static List<JsonNode> items(GatewayNode gateway, String batchId) {
        List<JsonNode> items = new java.util.ArrayList<>();
        for (int page = 0; ; page++) {
            HttpResponse<String> answer = gateway.client().get("/api/v1/batches/" + batchId + "/items?size=" + PAGE_SIZE
                    + "&page=" + page);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            JsonNode pageItems = JSON.readTree(answer.body()).get("items");
            pageItems.forEach(items::add);
            if (pageItems.size() < PAGE_SIZE) {
                return items;
            }
        }
    }

    /** The batch keys' reference prefixes ('OC' + 10 digits) of these references. */
    private static Set<String> batchPrefixes(Set<String> references) {
        Set<String> prefixes = new HashSet<>();
        references.forEach(reference -> prefixes.add(reference.substring(0, Math.min(12, reference.length()))));
        return prefixes;
    }
}
