package cn.onecard.gateway.dispatch;

import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.gateway.ledger.BankReferences;
import cn.onecard.gateway.ledger.ItemState;
import cn.onecard.gateway.ledger.PaymentItemStateMachine;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The dispatches in the ledger. A dispatch is prepared once, in one transaction that fixes its id
 * and claims its items (VALIDATED → DISPATCHED); from then on it is only ever sent again as it is,
 * so every send of an item carries the same dispatch id and the same bank reference.
 */
public final class DispatchLedger {

    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    /** A dispatch that is due to be sent (first time or again). */
    public record PendingDispatch(long dispatchPk, String dispatchId, String bankCode, LocalDate businessDate,
            int sendAttempts) {
    }

    /** The state items are dispatched from: the state machine allows exactly one. */
    private static final ItemState READY = onlySource(ItemState.DISPATCHED);

    private static ItemState onlySource(ItemState target) {
        var sources = PaymentItemStateMachine.sourcesOf(target);
        if (sources.size() != 1) {
            throw new IllegalStateException(target + " has " + sources + " as sources; the dispatch claim expects one");
        }
        return sources.iterator().next();
    }

    private final DataSource dataSource;
    private final Clock clock;

    public DispatchLedger(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /**
     * Claims up to {@code itemsMax} validated items of the bank into a new dispatch. Returns the
     * number of items claimed (0: nothing was ready, no dispatch created).
     */
    public int prepare(String bankCode, int itemsMax, LocalDate businessDate) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                long dispatchPk;
                try (PreparedStatement next = connection.prepareStatement(
                        "select nextval(pg_get_serial_sequence('dispatches', 'dispatch_pk'))");
                        ResultSet rows = next.executeQuery()) {
                    rows.next();
                    dispatchPk = rows.getLong(1);
                }
                String dispatchId = bankCode + DAY.format(businessDate) + String.format("%012d", dispatchPk);
                Timestamp now = Timestamp.from(clock.instant());
                int claimed;
                long total;
                // the one source state, written literally so that the partial index items_ready applies
                try (PreparedStatement claim = connection.prepareStatement(
                        "with ready as (select batch_pk, seq from items where bank_code = ? and state = '" + READY + "' "
                                + "order by batch_pk, seq limit ? for update skip locked) "
                                + "update items i set state = 'DISPATCHED', dispatch_pk = ?, updated_at = ? from ready "
                                + "where i.batch_pk = ready.batch_pk and i.seq = ready.seq returning i.amount_fen")) {
                    claim.setString(1, bankCode);
                    claim.setInt(2, itemsMax);
                    claim.setLong(3, dispatchPk);
                    claim.setTimestamp(4, now);
                    claimed = 0;
                    total = 0;
                    try (ResultSet rows = claim.executeQuery()) {
                        while (rows.next()) {
                            claimed++;
                            total += rows.getLong(1);
                        }
                    }
                }
                if (claimed == 0) {
                    connection.rollback();
                    return 0;
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "insert into dispatches (dispatch_pk, dispatch_id, bank_code, business_date, item_count, "
                                + "total_amount_fen, state, next_send_at, created_at, updated_at) overriding system value "
                                + "values (?, ?, ?, ?, ?, ?, 'PREPARED', ?, ?, ?)")) {
                    insert.setLong(1, dispatchPk);
                    insert.setString(2, dispatchId);
                    insert.setString(3, bankCode);
                    insert.setDate(4, Date.valueOf(businessDate));
                    insert.setInt(5, claimed);
                    insert.setLong(6, total);
                    insert.setTimestamp(7, now);
                    insert.setTimestamp(8, now);
                    insert.setTimestamp(9, now);
                    insert.executeUpdate();
                }
                try (PreparedStatement events = connection.prepareStatement(
                        "insert into item_events (batch_pk, seq, from_state, to_state, code, cause, at) "
                                + "select batch_pk, seq, 'VALIDATED', 'DISPATCHED', null, ?, ? from items where dispatch_pk = ?")) {
                    events.setString(1, "dispatch " + dispatchId);
                    events.setTimestamp(2, now);
                    events.setLong(3, dispatchPk);
                    events.executeUpdate();
                }
                try (PreparedStatement batches = connection.prepareStatement(
                        "update batches set state = 'IN_PROGRESS', updated_at = ? where state = 'RECEIVED' "
                                + "and batch_pk in (select distinct batch_pk from items where dispatch_pk = ?)")) {
                    batches.setTimestamp(1, now);
                    batches.setLong(2, dispatchPk);
                    batches.executeUpdate();
                }
                connection.commit();
                return claimed;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while preparing a dispatch for " + bankCode, e);
        }
    }

    /** Dispatches of the bank waiting for a send (prepared, or a resend after a failure). */
    public List<PendingDispatch> dueForSending(String bankCode, int limit) {
        List<PendingDispatch> due = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "select dispatch_pk, dispatch_id, bank_code, business_date, send_attempts from dispatches "
                                + "where bank_code = ? and state = 'PREPARED' and next_send_at <= ? order by dispatch_pk limit ?")) {
            select.setString(1, bankCode);
            select.setTimestamp(2, Timestamp.from(clock.instant()));
            select.setInt(3, limit);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    due.add(new PendingDispatch(rows.getLong(1), rows.getString(2), rows.getString(3),
                            rows.getDate(4).toLocalDate(), rows.getInt(5)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while listing dispatches", e);
        }
        return due;
    }

    /** The dispatch as the bank is sent it: its items in order, with the same references every time. */
    public Dispatch load(PendingDispatch pending) {
        List<PaymentInstruction> instructions = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "select i.batch_pk, i.seq, i.card_number, i.holder_name, i.id_number, i.amount_fen, b.program_code "
                                + "from items i join batches b using (batch_pk) where i.dispatch_pk = ? order by i.batch_pk, i.seq")) {
            select.setLong(1, pending.dispatchPk());
            select.setFetchSize(10_000);
            connection.setAutoCommit(false); // a cursor, not the whole result at once
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    instructions.add(new PaymentInstruction(BankReferences.of(rows.getLong(1), rows.getInt(2)),
                            rows.getString(3), rows.getString(4), rows.getString(5), rows.getLong(6), rows.getString(7)));
                }
            }
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while loading dispatch " + pending.dispatchId(), e);
        }
        return new Dispatch(pending.dispatchId(), pending.bankCode(), pending.businessDate(), pending.sendAttempts() + 1,
                instructions);
    }

    /** Records a send's receipt: sent (results now due), or to be sent again after {@code retryAfter}. */
    public void recordSend(PendingDispatch pending, SendReceipt receipt, Duration resultDeadline, Duration retryAfter) {
        Timestamp now = Timestamp.from(clock.instant());
        // a file bank recognises a resend by its id, so an unclear send is simply sent again, as a failed one is
        String sql = receipt instanceof SendReceipt.Sent
                ? "update dispatches set state = 'SENT', send_attempts = send_attempts + 1, "
                        + "transport_name = ?, last_send_result = 'SENT', results_due_at = ?, next_send_at = null, updated_at = ? "
                        + "where dispatch_pk = ? and state = 'PREPARED'"
                : "update dispatches set send_attempts = send_attempts + 1, "
                        + "last_send_result = ?, next_send_at = ?, updated_at = ? where dispatch_pk = ? and state = 'PREPARED'";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement update = connection.prepareStatement(sql)) {
            switch (receipt) {
                case SendReceipt.Sent sent -> {
                    update.setString(1, sent.transportName());
                    update.setTimestamp(2, Timestamp.from(clock.instant().plus(resultDeadline)));
                }
                case SendReceipt.NotSent notSent -> {
                    update.setString(1, "NOT_SENT: " + notSent.reason());
                    update.setTimestamp(2, Timestamp.from(clock.instant().plus(retryAfter)));
                }
                case SendReceipt.Unknown unknown -> {
                    update.setString(1, "UNKNOWN: " + unknown.reason());
                    update.setTimestamp(2, Timestamp.from(clock.instant().plus(retryAfter)));
                }
            }
            update.setTimestamp(3, now);
            update.setLong(4, pending.dispatchPk());
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while recording a send of " + pending.dispatchId(), e);
        }
    }

    /**
     * A sent dispatch whose results are overdue.
     *
     * @param overdueResends how often it was sent again because its results were overdue (sends that
     *                       failed to reach the bank do not count)
     */
    public record OverdueDispatch(long dispatchPk, String dispatchId, int overdueResends, int itemsWaiting) {
    }

    public List<OverdueDispatch> overdue(String bankCode) {
        List<OverdueDispatch> overdue = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "select d.dispatch_pk, d.dispatch_id, d.overdue_resends, "
                                + "(select count(*) from items i where i.dispatch_pk = d.dispatch_pk and i.state = 'DISPATCHED') "
                                + "from dispatches d where d.bank_code = ? and d.state = 'SENT' and d.results_due_at <= ?")) {
            select.setString(1, bankCode);
            select.setTimestamp(2, Timestamp.from(clock.instant()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    overdue.add(new OverdueDispatch(rows.getLong(1), rows.getString(2), rows.getInt(3), rows.getInt(4)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while listing overdue dispatches", e);
        }
        return overdue;
    }

    /** Sends an overdue dispatch again as it is (same id, same items): the bank answers a known id with its results. */
    public void scheduleResend(long dispatchPk) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement update = connection.prepareStatement(
                        "update dispatches set state = 'PREPARED', overdue_resends = overdue_resends + 1, next_send_at = ?, "
                                + "updated_at = ? where dispatch_pk = ? and state = 'SENT'")) {
            Timestamp now = Timestamp.from(clock.instant());
            update.setTimestamp(1, now);
            update.setTimestamp(2, now);
            update.setLong(3, dispatchPk);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while rescheduling dispatch " + dispatchPk, e);
        }
    }

    /** Marks a dispatch settled when none of its items waits for a result any more. */
    public boolean settleIfDone(long dispatchPk) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement update = connection.prepareStatement(
                        "update dispatches set state = 'SETTLED', updated_at = ? where dispatch_pk = ? "
                                + "and state in ('SENT', 'PREPARED') "
                                + "and not exists (select 1 from items where dispatch_pk = ? and state = 'DISPATCHED')")) {
            update.setTimestamp(1, Timestamp.from(clock.instant()));
            update.setLong(2, dispatchPk);
            update.setLong(3, dispatchPk);
            return update.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while settling dispatch " + dispatchPk, e);
        }
    }

    /** When the bank's latest dispatch was prepared, if it has any. */
    public java.util.Optional<java.time.Instant> lastPreparedAt(String bankCode) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "select max(created_at) from dispatches where bank_code = ?")) {
            select.setString(1, bankCode);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                Timestamp last = rows.getTimestamp(1);
                return java.util.Optional.ofNullable(last).map(Timestamp::toInstant);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while reading dispatch times", e);
        }
    }
}
