package cn.onecard.gateway.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The one writer of batches' states: each change is decided by {@link BatchStateMachine} from the
 * batch's items as they stand, recorded with an event row, and a SUMMARY enqueued where the machine
 * says so, in the caller's transaction.
 */
public final class BatchWriter {

    private final ReportOutbox outbox;
    private final Clock clock;

    public BatchWriter(ReportOutbox outbox, Clock clock) {
        this.outbox = outbox;
        this.clock = clock;
    }

    /** The batch's items counted and summed by state and code, as this transaction sees them. */
    public static BatchTally tally(Connection connection, long batchPk) throws SQLException {
        BatchTally tally = new BatchTally();
        try (PreparedStatement select = connection.prepareStatement(
                "select state, code, count(*), sum(amount_fen) from items where batch_pk = ? group by 1, 2")) {
            select.setLong(1, batchPk);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    tally.add(ItemState.valueOf(rows.getString(1)), rows.getString(2), rows.getLong(3), rows.getLong(4));
                }
            }
        }
        return tally;
    }

    /**
     * Brings the batch's state up to date after its items changed (in this transaction), and enqueues
     * a SUMMARY when nothing of it is in flight any more. Returns its state.
     */
    public BatchState itemsChanged(Connection connection, long batchPk, String cause) throws SQLException {
        return itemsChanged(connection, batchPk, cause, null);
    }

    /**
     * The same, with the batch's items counted by the caller, who has them at hand (the intake): the
     * batch is not read back from the ledger. Null: counted from the ledger.
     */
    public BatchState itemsChanged(Connection connection, long batchPk, String cause, BatchTally counted) throws SQLException {
        Row batch = lock(connection, batchPk);
        if (counted == null && batch.state() == BatchState.IN_PROGRESS && anyInFlight(connection, batchPk)) {
            // the machine keeps it in progress whatever else changed; its full count is taken once nothing is in flight
            return batch.state();
        }
        BatchTally tally = counted != null ? counted : tally(connection, batchPk);
        BatchStateMachine.Decision decision = BatchStateMachine.decide(batch.state(),
                new BatchEvent.ItemsChanged(tally, batch.itemCount(), batch.totalFen()));
        if (!(decision instanceof BatchStateMachine.Move move)) {
            return batch.state();
        }
        write(connection, batchPk, batch.state(), move.to(), cause);
        if (move.enqueueSummary()) {
            outbox.enqueueSummary(connection, batchPk, batch.batchId(), tally);
        }
        return move.to();
    }

    /**
     * Marks the batch reported once the treasury acknowledged every report enqueued for it and the
     * machine agrees (every item final). Returns whether it changed.
     */
    public boolean reportsDelivered(Connection connection, long batchPk) throws SQLException {
        // locked first: a transaction that changes the batch's items (and enqueues its reports) holds the same lock
        Row batch = lock(connection, batchPk);
        try (PreparedStatement pending = connection.prepareStatement(
                "select 1 from callback_outbox where batch_pk = ? and delivered_at is null limit 1")) {
            pending.setLong(1, batchPk);
            try (ResultSet rows = pending.executeQuery()) {
                if (rows.next()) {
                    return false;
                }
            }
        }
        if (!(BatchStateMachine.decide(batch.state(), new BatchEvent.ReportsDelivered()) instanceof BatchStateMachine.Move move)) {
            return false;
        }
        write(connection, batchPk, batch.state(), move.to(), "every report acknowledged");
        return true;
    }

    private record Row(String batchId, BatchState state, long itemCount, long totalFen) {
    }

    /** A batch as the treasury sent it, to be stored before its items. */
    public record NewBatch(String clientId, String batchId, String programCode, String programName, String period,
            String payerAccount, String callbackUrl, int itemCount, long totalAmountFen, byte[] contentSm3, String source) {
    }

    /**
     * Stores a new batch in the machine's first state, {@link BatchState#RECEIVED}, with its own
     * key; false when the client stored a batch of that id a moment ago (nothing is written).
     */
    public boolean insertReceived(Connection connection, long batchPk, NewBatch batch) throws SQLException {
        Timestamp now = Timestamp.from(clock.instant());
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into batches (batch_pk, client_id, batch_id, program_code, program_name, period, payer_account, "
                        + "callback_url, item_count, total_amount_fen, content_sm3, source, state, received_at, updated_at) "
                        + "overriding system value values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        + "on conflict (client_id, batch_id) do nothing returning batch_pk")) {
            int p = 0;
            insert.setLong(++p, batchPk);
            insert.setString(++p, batch.clientId());
            insert.setString(++p, batch.batchId());
            insert.setString(++p, batch.programCode());
            insert.setString(++p, batch.programName());
            insert.setString(++p, batch.period());
            insert.setString(++p, batch.payerAccount());
            insert.setString(++p, batch.callbackUrl());
            insert.setInt(++p, batch.itemCount());
            insert.setLong(++p, batch.totalAmountFen());
            insert.setBytes(++p, batch.contentSm3());
            insert.setString(++p, batch.source());
            insert.setString(++p, BatchState.RECEIVED.name());
            insert.setTimestamp(++p, now);
            insert.setTimestamp(++p, now);
            try (ResultSet rows = insert.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** The in-flight states, written literally so that the partial index items_in_flight applies. */
    private static final String IN_FLIGHT_STATES = Arrays.stream(ItemState.values()).filter(ItemState::inFlight)
            .map(state -> "'" + state.name() + "'").collect(Collectors.joining(", ", "(", ")"));

    /** Whether an item of the batch may still move by itself; one probe of the index items_in_flight. */
    private static boolean anyInFlight(Connection connection, long batchPk) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "select 1 from items where batch_pk = ? and state in " + IN_FLIGHT_STATES + " limit 1")) {
            select.setLong(1, batchPk);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static Row lock(Connection connection, long batchPk) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "select batch_id, state, item_count, total_amount_fen from batches where batch_pk = ? for update")) {
            select.setLong(1, batchPk);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalStateException("batch " + batchPk + " is not in the ledger");
                }
                return new Row(rows.getString(1), BatchState.valueOf(rows.getString(2)), rows.getLong(3), rows.getLong(4));
            }
        }
    }

    private void write(Connection connection, long batchPk, BatchState from, BatchState to, String cause) throws SQLException {
        if (from == to) {
            return;
        }
        Timestamp now = Timestamp.from(clock.instant());
        try (PreparedStatement update = connection.prepareStatement(
                "with changed as (update batches set state = ?, updated_at = ? where batch_pk = ? and state = ? returning batch_pk) "
                        + "insert into batch_events (batch_pk, from_state, to_state, cause, at) "
                        + "select batch_pk, ?, ?, ?, ? from changed")) {
            update.setString(1, to.name());
            update.setTimestamp(2, now);
            update.setLong(3, batchPk);
            update.setString(4, from.name());
            update.setString(5, from.name());
            update.setString(6, to.name());
            update.setString(7, cause);
            update.setTimestamp(8, now);
            if (update.executeUpdate() != 1) {
                throw new IllegalStateException("batch " + batchPk + " left " + from + " under a lock");
            }
        }
    }
}
