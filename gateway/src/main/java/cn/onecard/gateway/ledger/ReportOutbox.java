package cn.onecard.gateway.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** Enqueues a SUMMARY of the batch as its items now stand (docs/api.md); {@link BatchWriter} decides when. */
    public void enqueueSummary(Connection connection, long batchPk, String batchId, BatchTally tally) throws SQLException {
        int sequence = allocateSequences(connection, batchPk, 1);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "SUMMARY");
        body.put("batchId", batchId);
        body.put("sequence", sequence);
        body.putAll(BatchSummary.of(tally));
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
}
