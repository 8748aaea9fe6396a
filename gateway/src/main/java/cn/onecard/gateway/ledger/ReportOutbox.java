package cn.onecard.gateway.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * The transactional outbox of the treasury's callbacks: results and summaries are written in the
 * same transaction as the state changes they report, so a change is never stored without its report
 * or reported without being stored. A sender delivers them later, in sequence, until acknowledged.
 */
public final class ReportOutbox {

    public static final int CHUNK_ITEMS_MAX = 10_000;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    private final JsonMapper json;
    private final Clock clock;
    private final ZoneId zone;
    private final int chunkItems;

    public ReportOutbox(JsonMapper json, Clock clock, ZoneId zone, int chunkItems) {
        if (chunkItems < 1 || chunkItems > CHUNK_ITEMS_MAX) {
            throw new IllegalArgumentException("chunk items must be 1 to " + CHUNK_ITEMS_MAX);
        }
        this.json = json;
        this.clock = clock;
        this.zone = zone;
        this.chunkItems = chunkItems;
    }

    /** Enqueues the items in RESULTS messages of at most {@code chunkItems} each. */
    public void enqueueResults(Connection connection, long batchPk, String batchId, List<ReportedItem> items)
            throws SQLException {
        if (items.isEmpty()) {
            return;
        }
        int chunks = (items.size() + chunkItems - 1) / chunkItems;
        int last = allocateSequences(connection, batchPk, chunks);
        int first = last - chunks + 1;
        Timestamp now = Timestamp.from(clock.instant());
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into callback_outbox (batch_pk, sequence, kind, payload, next_attempt_at, created_at) "
                        + "values (?, ?, 'RESULTS', ?, ?, ?)")) {
            for (int chunk = 0; chunk < chunks; chunk++) {
                List<ReportedItem> part = items.subList(chunk * chunkItems, Math.min(items.size(), (chunk + 1) * chunkItems));
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("type", "RESULTS");
                body.put("batchId", batchId);
                body.put("sequence", first + chunk);
                body.put("items", part.stream().map(this::itemJson).toList());
                insert.setLong(1, batchPk);
                insert.setInt(2, first + chunk);
                insert.setString(3, json.writeValueAsString(body));
                insert.setTimestamp(4, now);
                insert.setTimestamp(5, now);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    Map<String, Object> itemJson(ReportedItem item) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("itemId", item.itemId());
        out.put("state", item.state().name());
        out.put("code", item.code());
        out.put("amountFen", item.amountFen());
        out.put("bankCode", item.bankCode());
        out.put("bankReference", item.bankReference());
        out.put("at", TIME.format(item.at().atZoneSameInstant(zone)));
        return out;
    }

    /**
     * Brings the batch's state up to date and, when nothing of it is in flight any more, enqueues a
     * SUMMARY. Call after every change to the batch's items, in the same transaction.
     *
     * @return the batch's counts
     */
    public BatchTally settle(Connection connection, long batchPk, String batchId, boolean summaryDue)
            throws SQLException {
        return settle(connection, batchPk, batchId, summaryDue, BatchTally.of(connection, batchPk));
    }

    /**
     * The same, with the batch's counts known to the caller: the intake, which has every item's
     * verdict at hand, need not read the batch back from the ledger.
     *
     * @return {@code tally}
     */
    public BatchTally settle(Connection connection, long batchPk, String batchId, boolean summaryDue, BatchTally tally)
            throws SQLException {
        String state = tally.inFlight() > 0 ? "IN_PROGRESS" : tally.awaitingReview() > 0 ? "AWAITING_REVIEW" : "COMPLETED";
        try (PreparedStatement update = connection.prepareStatement(
                "update batches set state = ?, updated_at = ? where batch_pk = ? and state <> 'REPORTED'")) {
            update.setString(1, state);
            update.setTimestamp(2, Timestamp.from(clock.instant()));
            update.setLong(3, batchPk);
            update.executeUpdate();
        }
        if (summaryDue && tally.inFlight() == 0) {
            int sequence = allocateSequences(connection, batchPk, 1);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("type", "SUMMARY");
            body.put("batchId", batchId);
            body.put("sequence", sequence);
            body.put("complete", tally.awaitingReview() == 0);
            body.put("itemCount", tally.itemCount());
            body.put("totalAmountFen", tally.totalFen());
            body.put("byState", sums(tally.byState()));
            body.put("byCode", sums(tally.byCode()));
            Timestamp now = Timestamp.from(clock.instant());
            try (PreparedStatement insert = connection.prepareStatement(
                    "insert into callback_outbox (batch_pk, sequence, kind, payload, next_attempt_at, created_at) "
                            + "values (?, ?, 'SUMMARY', ?, ?, ?)")) {
                insert.setLong(1, batchPk);
                insert.setInt(2, sequence);
                insert.setString(3, json.writeValueAsString(body));
                insert.setTimestamp(4, now);
                insert.setTimestamp(5, now);
                insert.executeUpdate();
            }
        }
        return tally;
    }

    private static Map<String, Object> sums(Map<String, long[]> byKey) {
        Map<String, Object> out = new LinkedHashMap<>();
        byKey.forEach((key, countAndSum) -> out.put(key, Map.of("count", countAndSum[0], "amountFen", countAndSum[1])));
        return out;
    }

    private static int allocateSequences(Connection connection, long batchPk, int count) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "update batches set report_sequence = report_sequence + ? where batch_pk = ? returning report_sequence")) {
            update.setInt(1, count);
            update.setLong(2, batchPk);
            try (ResultSet rows = update.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalStateException("batch " + batchPk + " is not in the ledger");
                }
                return rows.getInt(1);
            }
        }
    }

    /** A batch's items counted and summed by state and by code. */
    public record BatchTally(int itemCount, long totalFen, Map<ItemState, long[]> countByState,
            Map<String, long[]> byCode) {

        static BatchTally of(Connection connection, long batchPk) throws SQLException {
            Counter counter = new Counter();
            try (PreparedStatement select = connection.prepareStatement(
                    "select state, code, count(*), sum(amount_fen) from items where batch_pk = ? group by 1, 2")) {
                select.setLong(1, batchPk);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        counter.add(ItemState.valueOf(rows.getString(1)), rows.getString(2), rows.getLong(3), rows.getLong(4));
                    }
                }
            }
            return counter.tally();
        }

        /** Adds up groups of items into a tally; an item without a code counts under its state's name. */
        public static final class Counter {
            private final Map<ItemState, long[]> byState = new EnumMap<>(ItemState.class);
            private final Map<String, long[]> byCode = new TreeMap<>();
            private long count;
            private long total;

            /** Adds {@code items} items of {@code state} with {@code code} (null for none), summing {@code sumFen}. */
            public Counter add(ItemState state, String code, long items, long sumFen) {
                if (items < 0) {
                    throw new IllegalArgumentException("a group of " + items + " items");
                }
                if (items == 0) {
                    return this;
                }
                addTo(byState.computeIfAbsent(state, k -> new long[2]), items, sumFen);
                addTo(byCode.computeIfAbsent(code == null ? state.name() : code, k -> new long[2]), items, sumFen);
                count += items;
                total += sumFen;
                return this;
            }

            private static void addTo(long[] countAndSum, long items, long sumFen) {
                countAndSum[0] += items;
                countAndSum[1] += sumFen;
            }

            public BatchTally tally() {
                return new BatchTally(Math.toIntExact(count), total, byState, byCode);
            }
        }

        public long inFlight() {
            return countByState.entrySet().stream().filter(e -> e.getKey().inFlight()).mapToLong(e -> e.getValue()[0]).sum();
        }

        public long awaitingReview() {
            return count(ItemState.HELD) + count(ItemState.UNKNOWN);
        }

        public long count(ItemState state) {
            long[] s = countByState.get(state);
            return s == null ? 0 : s[0];
        }

        public long sumFen(ItemState state) {
            long[] s = countByState.get(state);
            return s == null ? 0 : s[1];
        }

        public Map<String, long[]> byState() {
            Map<String, long[]> out = new LinkedHashMap<>();
            countByState.forEach((state, s) -> out.put(state.name(), s));
            return out;
        }
    }
}
