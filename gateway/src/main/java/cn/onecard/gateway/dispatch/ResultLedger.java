package cn.onecard.gateway.dispatch;

import cn.onecard.adapters.BankAlert;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.ResultDelivery;
import cn.onecard.adapters.ResultHandler;
import cn.onecard.gateway.db.CopyRows;
import cn.onecard.gateway.ledger.Alerts;
import cn.onecard.gateway.ledger.BankReferences;
import cn.onecard.gateway.ledger.ItemState;
import cn.onecard.gateway.ledger.PaymentItemStateMachine;
import cn.onecard.gateway.ledger.ReportOutbox;
import cn.onecard.gateway.ledger.ReportedItem;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a bank's results to the ledger, idempotently: a result file seen before (same content)
 * changes nothing; an outcome for an item that is already settled the same way is counted as a
 * repeat; an outcome that contradicts a settled item, names an item not in the dispatch, or
 * disagrees on the amount changes nothing and raises an alert. Everything of one delivery (item
 * transitions, events, the treasury's reports) commits in one transaction.
 */
public final class ResultLedger implements ResultHandler {

    private static final Logger log = LoggerFactory.getLogger(ResultLedger.class);

    private final DataSource dataSource;
    private final ReportOutbox outbox;
    private final Alerts alerts;
    private final Clock clock;
    private final String bankCode;

    public ResultLedger(DataSource dataSource, ReportOutbox outbox, Alerts alerts, Clock clock, String bankCode) {
        this.dataSource = dataSource;
        this.outbox = outbox;
        this.alerts = alerts;
        this.clock = clock;
        this.bankCode = bankCode;
    }

    /** What one delivery did. */
    public record Applied(int applied, int repeated, int conflicting, boolean duplicateFile) {
    }

    @Override
    public void accept(ResultDelivery delivery) throws SQLException, IOException {
        apply(delivery);
    }

    public Applied apply(ResultDelivery delivery) throws SQLException, IOException {
        List<String> problems = new ArrayList<>();
        Applied applied;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                applied = applyInTransaction(connection, delivery, problems);
                connection.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        if (applied.duplicateFile()) {
            alerts.raise(bankCode, "DUPLICATE_RESULT_FILE", delivery.source(),
                    "a result file with the same content was applied before; nothing counted twice");
        }
        for (String problem : problems) {
            alerts.raise(bankCode, "RESULT_CONFLICT", delivery.source(), problem);
        }
        log.info("results {} of dispatch {}: {} applied, {} repeated, {} conflicting", delivery.source(),
                delivery.dispatchId(), applied.applied(), applied.repeated(), applied.conflicting());
        return applied;
    }

    @Override
    public void alert(BankAlert alert) {
        alerts.raise(alert.bankCode(), alert.kind().name(), alert.source(), alert.detail());
    }

    private Applied applyInTransaction(Connection connection, ResultDelivery delivery, List<String> problems)
            throws SQLException, IOException {
        Timestamp now = Timestamp.from(clock.instant());
        long dispatchPk;
        try (PreparedStatement select = connection.prepareStatement(
                "select dispatch_pk from dispatches where dispatch_id = ? and bank_code = ?")) {
            select.setString(1, delivery.dispatchId());
            select.setString(2, bankCode);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    problems.add("result file names dispatch " + delivery.dispatchId() + ", which this gateway never sent to "
                            + bankCode + "; nothing applied");
                    return new Applied(0, 0, delivery.outcomes().size(), false);
                }
                dispatchPk = rows.getLong(1);
            }
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into result_files (bank_code, source, dispatch_id, content_sm3, record_count, total_amount_fen, "
                        + "applied_count, repeated_count, conflicting_count, received_at) values (?, ?, ?, ?, ?, ?, 0, 0, 0, ?) "
                        + "on conflict (bank_code, content_sm3) do nothing returning result_file_pk")) {
            insert.setString(1, bankCode);
            insert.setString(2, delivery.source());
            insert.setString(3, delivery.dispatchId());
            insert.setString(4, delivery.contentSm3());
            insert.setInt(5, delivery.outcomes().size());
            insert.setLong(6, delivery.totalFen());
            insert.setTimestamp(7, now);
            try (ResultSet rows = insert.executeQuery()) {
                if (!rows.next()) {
                    return new Applied(0, delivery.outcomes().size(), 0, true);
                }
            }
        }

        try (Statement statement = connection.createStatement()) {
            statement.execute("create temp table outcomes (batch_pk bigint, seq integer, target text, code text, "
                    + "bank_code text, amount_fen bigint) on commit drop");
        }
        PGCopyOutputStream copy = new PGCopyOutputStream(connection.unwrap(PGConnection.class), "copy outcomes from stdin");
        int foreign = 0;
        try {
            CopyRows rows = new CopyRows(copy);
            for (ItemOutcome outcome : delivery.outcomes()) {
                BankReferences.ItemKey key = BankReferences.parse(outcome.bankReference());
                if (key == null) {
                    foreign++;
                    continue;
                }
                ItemState target = switch (outcome.disposition()) {
                    case PAID -> ItemState.PAID;
                    case FAILED -> ItemState.FAILED;
                    case UNKNOWN -> ItemState.UNKNOWN;
                };
                rows.number(key.batchPk()).number(key.seq()).text(target.name()).text(outcome.resultCode())
                        .text(outcome.bankResultCode()).number(outcome.amountFen());
                rows.endRow();
            }
            rows.flush();
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        try (Statement statement = connection.createStatement()) {
            // a temporary table has no statistics until analysed; without them the joins below may scan items
            statement.execute("analyze outcomes");
        }
        if (foreign > 0) {
            problems.add(foreign + " records carry references that are not this gateway's; ignored");
        }

        // classify against the ledger as it stands: applicable, a repeat of a settlement, or a conflict
        String[] paidSources = PaymentItemStateMachine.sourceNames(ItemState.PAID);
        String[] failedSources = PaymentItemStateMachine.sourceNames(ItemState.FAILED);
        String[] unknownSources = PaymentItemStateMachine.sourceNames(ItemState.UNKNOWN);
        String allowed = "((o.target = 'PAID' and i.state = any(?)) or (o.target = 'FAILED' and i.state = any(?)) "
                + "or (o.target = 'UNKNOWN' and i.state = any(?)))";
        String ours = "i.dispatch_pk = ? and i.amount_fen = o.amount_fen";
        int repeated;
        int conflicting;
        try (PreparedStatement classify = connection.prepareStatement(
                "select count(*) filter (where " + ours + " and not " + allowed + " and (i.state = o.target "
                        + "or (o.target = 'UNKNOWN' and i.state in ('PAID', 'FAILED')))), "
                        + "count(*) filter (where i.batch_pk is null or not (" + ours + ") or (not " + allowed
                        + " and i.state <> o.target and not (o.target = 'UNKNOWN' and i.state in ('PAID', 'FAILED')))) "
                        + "from outcomes o left join items i on i.batch_pk = o.batch_pk and i.seq = o.seq")) {
            int index = 1;
            for (int repeat = 0; repeat < 2; repeat++) {
                classify.setLong(index++, dispatchPk);
                classify.setArray(index++, connection.createArrayOf("text", paidSources));
                classify.setArray(index++, connection.createArrayOf("text", failedSources));
                classify.setArray(index++, connection.createArrayOf("text", unknownSources));
            }
            try (ResultSet rows = classify.executeQuery()) {
                rows.next();
                repeated = rows.getInt(1);
                conflicting = rows.getInt(2);
            }
        }

        // one guarded statement: only transitions the state machine allows, each with its event row
        Map<Long, List<ReportedItem>> reports = new LinkedHashMap<>();
        Map<Long, String> batchIds = new HashMap<>();
        int failedCount = 0;
        int applied = 0;
        OffsetDateTime at = now.toInstant().atOffset(ZoneOffset.UTC);
        try (PreparedStatement update = connection.prepareStatement(
                "with settling as (select i.batch_pk, i.seq, i.state as old_state, o.target, o.code, o.bank_code "
                        + "from outcomes o join items i on i.batch_pk = o.batch_pk and i.seq = o.seq "
                        + "where " + ours + " and " + allowed + " for update of i), "
                        + "changed as (update items i set state = s.target, code = s.code, bank_result_code = s.bank_code, "
                        + "updated_at = ? from settling s where i.batch_pk = s.batch_pk and i.seq = s.seq "
                        + "returning i.batch_pk, i.seq, i.item_id, i.state, i.code, i.amount_fen, s.old_state), "
                        + "logged as (insert into item_events (batch_pk, seq, from_state, to_state, code, cause, at) "
                        + "select batch_pk, seq, old_state, state, code, ?, ? from changed) "
                        + "select c.batch_pk, c.seq, c.item_id, c.state, c.code, c.amount_fen, b.batch_id "
                        + "from changed c join batches b using (batch_pk) order by c.batch_pk, c.seq")) {
            update.setLong(1, dispatchPk);
            update.setArray(2, connection.createArrayOf("text", paidSources));
            update.setArray(3, connection.createArrayOf("text", failedSources));
            update.setArray(4, connection.createArrayOf("text", unknownSources));
            update.setTimestamp(5, now);
            update.setString(6, "result " + delivery.source());
            update.setTimestamp(7, now);
            try (ResultSet rows = update.executeQuery()) {
                while (rows.next()) {
                    applied++;
                    long batchPk = rows.getLong(1);
                    int seq = rows.getInt(2);
                    ItemState state = ItemState.valueOf(rows.getString(4));
                    reports.computeIfAbsent(batchPk, k -> new ArrayList<>()).add(new ReportedItem(rows.getString(3),
                            state, rows.getString(5), rows.getLong(6), bankCode, BankReferences.of(batchPk, seq), at));
                    if (state == ItemState.FAILED) {
                        failedCount++;
                    }
                    batchIds.put(batchPk, rows.getString(7));
                }
            }
        }
        if (conflicting > 0) {
            problems.add(conflicting + " records contradict the ledger (settled otherwise, another dispatch, an unknown "
                    + "item or another amount); they changed nothing");
        }

        // a failed item no longer holds its entitlement: the treasury may pay the person again, correctly
        if (failedCount > 0) {
            try (Statement statement = connection.createStatement()) {
                // a few hundred key lookups; stale statistics of entitlements must not turn them into scans
                statement.execute("set local enable_seqscan = off");
                statement.execute("set local enable_hashjoin = off");
                statement.execute("set local enable_mergejoin = off");
            }
            try (PreparedStatement release = connection.prepareStatement(
                    "delete from entitlements e using outcomes o, items i, batches b "
                            + "where o.target = 'FAILED' and i.batch_pk = o.batch_pk and i.seq = o.seq and i.state = 'FAILED' "
                            + "and b.batch_pk = i.batch_pk and e.program_code = b.program_code and e.period = b.period "
                            + "and e.id_number = i.id_number and e.batch_pk = i.batch_pk and e.seq = i.seq")) {
                release.executeUpdate();
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("reset enable_seqscan");
                statement.execute("reset enable_hashjoin");
                statement.execute("reset enable_mergejoin");
            }
        }
        for (Map.Entry<Long, List<ReportedItem>> entry : reports.entrySet()) {
            String batchId = batchIds.get(entry.getKey());
            outbox.enqueueResults(connection, entry.getKey(), batchId, entry.getValue());
            outbox.settle(connection, entry.getKey(), batchId, true);
        }
        try (PreparedStatement update = connection.prepareStatement(
                "update result_files set applied_count = ?, repeated_count = ?, conflicting_count = ? "
                        + "where bank_code = ? and content_sm3 = ?")) {
            update.setInt(1, applied);
            update.setInt(2, repeated);
            update.setInt(3, conflicting + foreign);
            update.setString(4, bankCode);
            update.setString(5, delivery.contentSm3());
            update.executeUpdate();
        }
        try (PreparedStatement settle = connection.prepareStatement(
                "update dispatches set state = 'SETTLED', updated_at = ? where dispatch_pk = ? and state in ('SENT', 'PREPARED') "
                        + "and not exists (select 1 from items where dispatch_pk = ? and state = 'DISPATCHED')")) {
            settle.setTimestamp(1, now);
            settle.setLong(2, dispatchPk);
            settle.setLong(3, dispatchPk);
            settle.executeUpdate();
        }
        return new Applied(applied, repeated, conflicting + foreign, false);
    }

    /**
     * Settles as UNKNOWN every item of a dispatch that still waits for its result after the last
     * resend: the bank has not answered, so the item is neither paid nor failed, and it is never
     * sent again blindly. The treasury is told; an operator or reconciliation settles it.
     */
    public Applied giveUp(String dispatchId, String resultCode) throws SQLException, IOException {
        List<ItemOutcome> waiting = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "select i.batch_pk, i.seq, i.amount_fen from items i join dispatches d using (dispatch_pk) "
                                + "where d.dispatch_id = ? and i.state = 'DISPATCHED' order by i.batch_pk, i.seq")) {
            select.setString(1, dispatchId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    waiting.add(new ItemOutcome(BankReferences.of(rows.getLong(1), rows.getInt(2)),
                            ItemOutcome.Disposition.UNKNOWN, resultCode, "", rows.getLong(3)));
                }
            }
        }
        if (waiting.isEmpty()) {
            return new Applied(0, 0, 0, false);
        }
        alerts.raise(bankCode, "RESULTS_MISSING", dispatchId,
                waiting.size() + " items have no result after the last resend; marked UNKNOWN for settlement");
        return apply(new ResultDelivery("gateway: results overdue", dispatchId, waiting,
                "overdue:" + dispatchId + ":" + clock.millis()));
    }
}
