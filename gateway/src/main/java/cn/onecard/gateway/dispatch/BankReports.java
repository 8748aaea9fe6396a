package cn.onecard.gateway.dispatch;

import cn.onecard.adapters.BankReport;
import cn.onecard.adapters.BankReportHandler;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.gateway.ledger.AlertKind;
import cn.onecard.gateway.ledger.Alerts;
import cn.onecard.gateway.ledger.BatchWriter;
import cn.onecard.gateway.ledger.DispatchEvent;
import cn.onecard.gateway.ledger.DispatchRules;
import cn.onecard.gateway.ledger.DispatchWriter;
import cn.onecard.gateway.ledger.ItemWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a bank's reports into the ledger, idempotently: a result seen before (same content) changes
 * nothing and raises {@code DUPLICATE_RESULT_FILE}; an outcome for an item already settled the same
 * way is counted as a repeat; an outcome that contradicts a settled item, names an item not in the
 * dispatch, or disagrees on the amount changes nothing and raises {@code RESULT_CONFLICT}. Everything
 * of one report (item moves, events, the dispatch's and batches' moves, the treasury's reports)
 * commits in one transaction. A whole-dispatch refusal is the dispatch's event, decided by its
 * machine; a result that cannot be used, or a bank that cannot be reached, is an alert.
 */
public final class BankReports implements BankReportHandler {

    private static final Logger log = LoggerFactory.getLogger(BankReports.class);

    private final DataSource dataSource;
    private final ItemWriter items;
    private final DispatchWriter dispatches;
    private final BatchWriter batches;
    private final Alerts alerts;
    private final Clock clock;
    private final String bankCode;
    private final DispatchRules rules;
    private final Duration resultDeadline;

    public BankReports(DataSource dataSource, ItemWriter items, DispatchWriter dispatches, BatchWriter batches, Alerts alerts,
            Clock clock, String bankCode, DispatchRules rules, Duration resultDeadline) {
        this.dataSource = dataSource;
        this.items = items;
        this.dispatches = dispatches;
        this.batches = batches;
        this.alerts = alerts;
        this.clock = clock;
        this.bankCode = bankCode;
        this.rules = rules;
        this.resultDeadline = resultDeadline;
    }

    /** What one report did to the ledger. */
    public record Applied(int applied, int repeated, int conflicting, boolean duplicate) {
        static final Applied NOTHING = new Applied(0, 0, 0, false);
    }

    @Override
    public void accept(BankReport report) throws SQLException {
        apply(report);
    }

    public Applied apply(BankReport report) throws SQLException {
        return switch (report) {
            case BankReport.Results results -> results(results);
            case BankReport.Refusal refusal -> refusal(refusal);
            case BankReport.Unusable unusable -> {
                alerts.raise(bankCode, switch (unusable.problem()) {
                    case CORRUPT -> AlertKind.RESULT_FILE_CORRUPT;
                    case UNVERIFIED -> AlertKind.RESULT_FILE_UNVERIFIED;
                }, unusable.source(), unusable.detail());
                yield Applied.NOTHING;
            }
            case BankReport.Unreachable unreachable -> {
                alerts.raise(bankCode, AlertKind.BANK_UNREACHABLE, unreachable.where(), unreachable.detail());
                yield Applied.NOTHING;
            }
        };
    }

    private Applied results(BankReport.Results results) throws SQLException {
        Applied applied;
        DispatchWriter.Recorded recorded = null;
        Optional<Alerts.Stored> conflict = Optional.empty();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Optional<Long> dispatch = dispatches.find(connection, bankCode, results.dispatchId());
                if (dispatch.isEmpty()) {
                    connection.rollback();
                    alerts.raise(bankCode, AlertKind.RESULT_CONFLICT, results.source(), "results name dispatch "
                            + results.dispatchId() + ", which this gateway never sent to " + bankCode + "; nothing applied");
                    return new Applied(0, 0, results.outcomes().size(), false);
                }
                long dispatchPk = dispatch.get();
                if (!recordResult(connection, results.source(), results.dispatchId(), results.contentSm3(),
                        results.outcomes().size(), results.totalFen())) {
                    connection.rollback();
                    applied = new Applied(0, results.outcomes().size(), 0, true);
                } else {
                    String cause = "result " + results.source();
                    ItemWriter.Changes changes = items.applyOutcomes(connection, dispatchPk, bankCode, results.outcomes(), cause);
                    // in key order, as every writer takes batches' locks
                    for (long batchPk : new TreeSet<>(changes.batchesToRetally())) {
                        batches.itemsChanged(connection, batchPk, cause);
                    }
                    ItemWriter.Waiting waiting = items.waitingIn(connection, dispatchPk);
                    recorded = dispatches.record(connection, dispatchPk,
                            new DispatchEvent.OutcomesApplied(waiting.dispatched(), waiting.unknown()), rules, resultDeadline,
                            DispatchWriter.Cause.of(cause));
                    applied = new Applied(changes.moved(), changes.repeated(), changes.refused(), false);
                    countResult(connection, results.contentSm3(), applied);
                    if (applied.conflicting() > 0) {
                        conflict = alerts.store(connection, bankCode, AlertKind.RESULT_CONFLICT, results.source(),
                                applied.conflicting() + " records contradict the ledger (settled otherwise, another dispatch, "
                                        + "an unknown item or another amount); they changed nothing");
                    }
                    connection.commit();
                }
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        if (recorded != null) {
            recorded.logAlerts();
        }
        conflict.ifPresent(Alerts.Stored::log);
        if (applied.duplicate()) {
            alerts.raise(bankCode, AlertKind.DUPLICATE_RESULT_FILE, results.source(),
                    "a result file with the same content was applied before; nothing counted twice");
        }
        log.info("results {} of dispatch {}: {} applied, {} repeated, {} conflicting", results.source(), results.dispatchId(),
                applied.applied(), applied.repeated(), applied.conflicting());
        return applied;
    }

    /**
     * Applies definite outcomes the bank gave on an exchange after their dispatch moved on (a late
     * answer), as a result file's are, in one transaction; contradictions are alerted.
     */
    public Applied applyLate(long dispatchPk, List<ItemOutcome> outcomes, String source) {
        Applied applied;
        DispatchWriter.Recorded recorded;
        Optional<Alerts.Stored> conflict = Optional.empty();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                dispatches.lockDispatch(connection, dispatchPk);
                ItemWriter.Changes changes = items.applyOutcomes(connection, dispatchPk, bankCode, outcomes, source);
                for (long batchPk : new TreeSet<>(changes.batchesToRetally())) {
                    batches.itemsChanged(connection, batchPk, source);
                }
                ItemWriter.Waiting waiting = items.waitingIn(connection, dispatchPk);
                recorded = dispatches.record(connection, dispatchPk, new DispatchEvent.OutcomesApplied(waiting.dispatched(),
                        waiting.unknown()), rules, resultDeadline, DispatchWriter.Cause.of(source));
                applied = new Applied(changes.moved(), changes.repeated(), changes.refused(), false);
                if (applied.conflicting() > 0) {
                    conflict = alerts.store(connection, bankCode, AlertKind.RESULT_CONFLICT, source + " of dispatch "
                            + dispatchPk, applied.conflicting() + " outcomes of a late answer contradict the ledger; they "
                            + "changed nothing");
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while applying a late answer to dispatch " + dispatchPk, e);
        }
        recorded.logAlerts();
        conflict.ifPresent(Alerts.Stored::log);
        return applied;
    }

    private Applied refusal(BankReport.Refusal refusal) throws SQLException {
        DispatchWriter.Recorded recorded;
        long dispatchPk;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Optional<Long> dispatch = dispatches.find(connection, bankCode, refusal.dispatchId());
                if (dispatch.isEmpty()) {
                    connection.rollback();
                    alerts.raise(bankCode, AlertKind.RESULT_CONFLICT, refusal.source(), "a refusal names dispatch "
                            + refusal.dispatchId() + ", which this gateway never sent to " + bankCode + "; nothing changed");
                    return Applied.NOTHING;
                }
                dispatchPk = dispatch.get();
                if (!recordResult(connection, refusal.source(), refusal.dispatchId(), refusal.contentSm3(), 0, 0)) {
                    connection.rollback();
                    alerts.raise(bankCode, AlertKind.DUPLICATE_RESULT_FILE, refusal.source(),
                            "a refusal with the same content was taken before; nothing changed");
                    return new Applied(0, 0, 0, true);
                }
                recorded = dispatches.record(connection, dispatchPk, new DispatchEvent.RefusedWhole(refusal.outcome()), rules,
                        resultDeadline, new DispatchWriter.Cause("refusal " + refusal.source() + ", reason "
                                + refusal.bankResultCode(), refusal.bankResultCode()));
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        recorded.logAlerts();
        return Applied.NOTHING;
    }

    /** Records a result file by its content's SM3; false when the same content was recorded before. */
    private boolean recordResult(Connection connection, String source, String dispatchId, String contentSm3, int records,
            long totalFen) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into result_files (bank_code, source, dispatch_id, content_sm3, record_count, total_amount_fen, "
                        + "applied_count, repeated_count, conflicting_count, received_at) values (?, ?, ?, ?, ?, ?, 0, 0, 0, ?) "
                        + "on conflict (bank_code, content_sm3) do nothing returning result_file_pk")) {
            insert.setString(1, bankCode);
            insert.setString(2, source);
            insert.setString(3, dispatchId);
            insert.setString(4, contentSm3);
            insert.setInt(5, records);
            insert.setLong(6, totalFen);
            insert.setTimestamp(7, Timestamp.from(clock.instant()));
            try (ResultSet rows = insert.executeQuery()) {
                return rows.next();
            }
        }
    }

    private void countResult(Connection connection, String contentSm3, Applied applied) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "update result_files set applied_count = ?, repeated_count = ?, conflicting_count = ? "
                        + "where bank_code = ? and content_sm3 = ?")) {
            update.setInt(1, applied.applied());
            update.setInt(2, applied.repeated());
            update.setInt(3, applied.conflicting());
            update.setString(4, bankCode);
            update.setString(5, contentSm3);
            update.executeUpdate();
        }
    }
}
