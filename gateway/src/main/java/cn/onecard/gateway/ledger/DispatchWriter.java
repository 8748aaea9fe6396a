package cn.onecard.gateway.ledger;

import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.gateway.ledger.DispatchDecision.Alert;
import cn.onecard.gateway.ledger.DispatchDecision.ApplyOutcomes;
import cn.onecard.gateway.ledger.DispatchDecision.Effect;
import cn.onecard.gateway.ledger.DispatchDecision.Move;
import cn.onecard.gateway.ledger.DispatchDecision.TellEveryItem;
import cn.onecard.gateway.ledger.DispatchDecision.TellItems;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of dispatches' states. A dispatch is prepared once, in one transaction that fixes
 * its id and claims its items; from then on every change is an event decided by
 * {@link DispatchStateMachine} and recorded here with its event row and its effects on the items
 * ({@link ItemWriter}), the batches ({@link BatchWriter}) and the operator's alerts, all in one
 * transaction. A dispatch is only ever sent again as it is: same id, same items, same references.
 */
public final class DispatchWriter {

    private static final Logger log = LoggerFactory.getLogger(DispatchWriter.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;
    private static final int DETAIL_CHARS_MAX = 500;
    /** How a batch's event begins when events of several dispatches changed its items in one transaction. */
    private static final String TOGETHER = "events of several dispatches, the first: ";

    /** Why an event happened, for its event rows: a line for the operator and the bank's own code, if any. */
    public record Cause(String text, String bankResultCode) {
        public Cause {
            Objects.requireNonNull(text, "text");
        }

        public static Cause of(String text) {
            return new Cause(text, null);
        }
    }

    /** A dispatch the dispatcher is to act on, as it stood when listed. */
    public record Pending(long dispatchPk, String dispatchId, String bankCode, LocalDate businessDate,
            DispatchProgress progress) {

        public DispatchState state() {
            return progress.state();
        }

        public int sendAttempts() {
            return progress.sendAttempts();
        }
    }

    /** What recording an event did: the machine's decision and, for a move, the alerts stored with it. */
    public record Recorded(DispatchDecision decision, List<Alerts.Stored> alerts) {

        /** Logs the alerts stored with the event; called once its transaction has committed. */
        public void logAlerts() {
            alerts.forEach(Alerts.Stored::log);
        }
    }

    private final DataSource dataSource;
    private final ItemWriter items;
    private final BatchWriter batches;
    private final Alerts alerts;
    private final Clock clock;
    private final Durations durations;

    /**
     * @param durations the dispatcher's retry pause, and each bank's result deadline
     */
    public DispatchWriter(DataSource dataSource, ItemWriter items, BatchWriter batches, Alerts alerts, Clock clock,
            Durations durations) {
        this.dataSource = dataSource;
        this.items = items;
        this.batches = batches;
        this.alerts = alerts;
        this.clock = clock;
        this.durations = durations;
    }

    /** The pauses a schedule stands for. */
    public record Durations(Duration retryPause) {
        public Durations {
            if (retryPause == null || retryPause.isNegative() || retryPause.isZero()) {
                throw new IllegalArgumentException("the retry pause must be positive");
            }
        }
    }

    /**
     * Claims up to {@code itemsMax} dispatchable items of the bank into a new dispatch. Returns the
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
                ItemWriter.Claimed claimed = items.dispatch(connection, dispatchPk, bankCode, itemsMax, now, "dispatch " + dispatchId);
                if (claimed.items() == 0) {
                    connection.rollback();
                    return 0;
                }
                DispatchProgress progress = DispatchProgress.PREPARED;
                try (PreparedStatement insert = connection.prepareStatement(
                        "insert into dispatches (dispatch_pk, dispatch_id, bank_code, business_date, item_count, "
                                + "total_amount_fen, state, next_action_at, created_at, updated_at) overriding system value "
                                + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    insert.setLong(1, dispatchPk);
                    insert.setString(2, dispatchId);
                    insert.setString(3, bankCode);
                    insert.setDate(4, Date.valueOf(businessDate));
                    insert.setInt(5, claimed.items());
                    insert.setLong(6, claimed.totalFen());
                    insert.setString(7, progress.state().name());
                    insert.setTimestamp(8, now);
                    insert.setTimestamp(9, now);
                    insert.setTimestamp(10, now);
                    insert.executeUpdate();
                }
                try (Writes writes = new Writes(connection)) {
                    writes.event(dispatchPk, null, progress.state(), "Prepared", claimed.items() + " items", now);
                    writes.flush();
                }
                connection.commit();
                return claimed.items();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while preparing a dispatch for " + bankCode, e);
        }
    }

    /**
     * Claims up to {@code itemsMax} dispatchable items of the bank each into a dispatch of its own, in
     * one transaction: the way an online bank's items are prepared, a set at a time. Returns the
     * number of dispatches prepared.
     */
    public int prepareEach(String bankCode, int itemsMax, LocalDate businessDate) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                String idPrefix = bankCode + DAY.format(businessDate);
                Timestamp now = Timestamp.from(clock.instant());
                List<ItemWriter.ClaimedAlone> claimed = items.dispatchEach(connection, bankCode, itemsMax, now, idPrefix);
                if (claimed.isEmpty()) {
                    connection.rollback();
                    return 0;
                }
                Long[] keys = new Long[claimed.size()];
                Long[] amounts = new Long[claimed.size()];
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = claimed.get(i).dispatchPk();
                    amounts[i] = claimed.get(i).amountFen();
                }
                DispatchState prepared = DispatchProgress.PREPARED.state();
                try (PreparedStatement insert = connection.prepareStatement(
                        "with created as (insert into dispatches (dispatch_pk, dispatch_id, bank_code, business_date, item_count, "
                                + "total_amount_fen, state, next_action_at, created_at, updated_at) overriding system value "
                                + "select pk, ? || lpad(pk::text, 12, '0'), ?, ?, 1, amount, ?, ?, ?, ? "
                                + "from unnest(?::bigint[], ?::bigint[]) as claimed(pk, amount) returning dispatch_pk) "
                                + "insert into dispatch_events (dispatch_pk, from_state, to_state, event, detail, at) "
                                + "select dispatch_pk, null, ?, 'Prepared', '1 items', ? from created")) {
                    insert.setString(1, idPrefix);
                    insert.setString(2, bankCode);
                    insert.setDate(3, Date.valueOf(businessDate));
                    insert.setString(4, prepared.name());
                    insert.setTimestamp(5, now);
                    insert.setTimestamp(6, now);
                    insert.setTimestamp(7, now);
                    insert.setArray(8, connection.createArrayOf("bigint", keys));
                    insert.setArray(9, connection.createArrayOf("bigint", amounts));
                    insert.setString(10, prepared.name());
                    insert.setTimestamp(11, now);
                    if (insert.executeUpdate() != keys.length) {
                        throw new IllegalStateException("not every claimed item got its dispatch");
                    }
                }
                connection.commit();
                return claimed.size();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while preparing dispatches for " + bankCode, e);
        }
    }

    /**
     * One event for one dispatch, and what to record after it in the same transaction if the machine
     * lets the dispatch go on ({@link DispatchDecision.Proceed}: accounts verified, send now).
     */
    public record Step(long dispatchPk, DispatchEvent event, Cause cause, Step thenOnProceed) {
        public Step {
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(cause, "cause");
        }

        public Step(long dispatchPk, DispatchEvent event, Cause cause) {
            this(dispatchPk, event, cause, null);
        }
    }

    /** A step as recorded: the decision of its event and, when it had one, of the step after it. */
    public record StepRecorded(Step step, Recorded recorded, Optional<Recorded> then) {

        /** The last decision taken for the dispatch in this step. */
        public Recorded last() {
            return then.orElse(recorded);
        }
    }

    /**
     * Records many events in one transaction (a group commit): the dispatches locked in key order,
     * each batch brought up to date once at the end. An event the ledger cannot take rolls the group
     * back; it is then recorded step by step, so that one bad step holds up no other. Alerts are
     * logged after the commit. Results are in the order of {@code steps}.
     */
    public List<StepRecorded> recordAll(List<Step> steps, DispatchRules rules, Duration resultDeadline) {
        if (steps.isEmpty()) {
            return List.of();
        }
        List<StepRecorded> recorded;
        try {
            recorded = inOneTransaction(steps, rules, resultDeadline);
        } catch (RuntimeException e) {
            log.warn("a group of {} dispatch events could not be recorded together ({}); recording them one by one",
                    steps.size(), e.getClass().getSimpleName());
            recorded = new ArrayList<>();
            for (Step step : steps) {
                recorded.add(inOneTransaction(List.of(step), rules, resultDeadline).getFirst());
            }
            return recorded;
        }
        return recorded;
    }

    private List<StepRecorded> inOneTransaction(List<Step> steps, DispatchRules rules, Duration resultDeadline) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            order.add(i);
        }
        // the writers' one lock order: dispatches by key; a stable sort keeps one dispatch's steps in order
        order.sort(Comparator.comparingLong(i -> steps.get(i).dispatchPk()));
        StepRecorded[] results = new StepRecorded[steps.size()];
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Map<Long, String> retally = new TreeMap<>();
                Deferred deferred = new Deferred();
                Map<Long, Row> locked = lockAll(connection, steps);
                try (Writes writes = new Writes(connection)) {
                    for (int i : order) {
                        Step step = steps.get(i);
                        if (deferred.holds(step.dispatchPk())) {
                            applyDeferred(connection, deferred, retally);
                        }
                        Recorded first = record(connection, step.dispatchPk(), step.event(), rules, resultDeadline, step.cause(),
                                retally, deferred, locked, writes);
                        Optional<Recorded> then = Optional.empty();
                        if (step.thenOnProceed() != null && first.decision() instanceof DispatchDecision.Proceed) {
                            Step next = step.thenOnProceed();
                            if (deferred.holds(next.dispatchPk())) {
                                applyDeferred(connection, deferred, retally);
                            }
                            then = Optional.of(record(connection, next.dispatchPk(), next.event(), rules, resultDeadline,
                                    next.cause(), retally, deferred, locked, writes));
                        }
                        results[i] = new StepRecorded(step, first, then);
                    }
                    writes.flush();
                }
                applyDeferred(connection, deferred, retally);
                retally(connection, retally);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while recording " + steps.size() + " dispatch events", e);
        }
        for (StepRecorded result : results) {
            result.recorded().logAlerts();
            result.then().ifPresent(Recorded::logAlerts);
        }
        return List.of(results);
    }

    /** Records {@code event} for the dispatch in a transaction of its own, its alerts with it. */
    public Recorded record(long dispatchPk, DispatchEvent event, DispatchRules rules, Duration resultDeadline, Cause cause) {
        Recorded recorded;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                recorded = record(connection, dispatchPk, event, rules, resultDeadline, cause);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while recording " + event.getClass().getSimpleName()
                    + " of dispatch " + dispatchPk, e);
        }
        recorded.logAlerts();
        return recorded;
    }

    /**
     * Records {@code event} in the caller's transaction: locks the dispatch, asks the machine, writes
     * the move and its event row, runs its effects and stores its alerts, so that a crash cannot keep
     * the move and lose its alert. The caller logs them after committing ({@link Recorded#logAlerts()}).
     */
    public Recorded record(Connection connection, long dispatchPk, DispatchEvent event, DispatchRules rules,
            Duration resultDeadline, Cause cause) throws SQLException {
        Map<Long, String> retally = new TreeMap<>();
        Recorded recorded;
        try (Writes writes = new Writes(connection)) {
            recorded = record(connection, dispatchPk, event, rules, resultDeadline, cause, retally, null, null, writes);
            writes.flush();
        }
        retally(connection, retally);
        return recorded;
    }

    /**
     * The same, leaving the batches whose items changed in {@code retally} (with why) for the caller to
     * bring up to date once, before committing ({@link #retally}).
     */
    private Recorded record(Connection connection, long dispatchPk, DispatchEvent event, DispatchRules rules,
            Duration resultDeadline, Cause cause, Map<Long, String> retally, Deferred deferred, Map<Long, Row> locked,
            Writes writes) throws SQLException {
        Row row = locked != null ? locked.get(dispatchPk) : lock(connection, dispatchPk);
        DispatchDecision decision = DispatchStateMachine.decide(row.progress(), event, rules);
        if (!(decision instanceof Move move)) {
            log.debug("dispatch {}: {} changes nothing ({})", row.dispatchId(), event.getClass().getSimpleName(), decision);
            return new Recorded(decision, List.of());
        }
        Timestamp now = Timestamp.from(clock.instant());
        DispatchProgress next = move.next();
        Timestamp actionAt = null;
        Timestamp resultsDueAt = null;
        Instant base = clock.instant();
        Instant when = switch (move.schedule()) {
            case NONE -> null;
            case NOW -> base;
            case AFTER_RETRY_PAUSE -> base.plus(durations.retryPause());
            case AFTER_RESULT_DEADLINE -> base.plus(resultDeadline);
        };
        if (when != null) {
            if (next.state() == DispatchState.SENT) {
                resultsDueAt = Timestamp.from(when);
            } else {
                actionAt = Timestamp.from(when);
            }
        }
        String sendResult = null;
        String transportName = null;
        if (event instanceof DispatchEvent.SendCompleted completed) {
            sendResult = describe(completed.receipt());
            if (completed.receipt() instanceof SendReceipt.Sent sent) {
                transportName = sent.transportName();
            }
        } else if (event instanceof DispatchEvent.SendInterrupted interrupted) {
            sendResult = "UNKNOWN: " + interrupted.reason();
        }
        writes.update(row.dispatchId(), dispatchPk, row.progress().state(), next, actionAt, resultsDueAt, clip(sendResult),
                transportName, now);
        writes.event(dispatchPk, row.progress().state(), next.state(), event.getClass().getSimpleName(), clip(cause.text()),
                now);
        if (locked != null) {
            locked.put(dispatchPk, new Row(row.dispatchId(), row.bankCode(), next));
        }
        List<Alert> raised = new ArrayList<>();
        String itemCause = "dispatch " + row.dispatchId() + ": " + cause.text();
        List<Effect> itemEffects = move.effects().stream().filter(effect -> !(effect instanceof Alert)).toList();
        // one effect on the items of one dispatch can wait for the group's one pass; several in a row cannot
        Effect deferredEffect = deferred != null && itemEffects.size() == 1 && !(itemEffects.getFirst() instanceof TellItems)
                ? itemEffects.getFirst() : null;
        for (Effect effect : move.effects()) {
            if (effect == deferredEffect) {
                switch (effect) {
                    case TellEveryItem tell -> deferred.items.tellEveryItem(dispatchPk, tell.event(), cause.bankResultCode(),
                            itemCause);
                    case ApplyOutcomes apply -> deferred.items.applyOutcomes(dispatchPk, apply.outcomes(), itemCause);
                    case TellItems tell -> throw new IllegalStateException("not deferred");
                    case Alert alert -> throw new IllegalStateException("not deferred");
                }
                continue;
            }
            ItemWriter.Changes changes = switch (effect) {
                case TellEveryItem tell -> items.tellEveryItem(connection, dispatchPk, row.bankCode(), tell.event(),
                        cause.bankResultCode(), itemCause);
                case TellItems tell -> items.tellItems(connection, dispatchPk, row.bankCode(), tell.eventByReference(),
                        cause.bankResultCode(), itemCause);
                case ApplyOutcomes apply -> items.applyOutcomes(connection, dispatchPk, row.bankCode(), apply.outcomes(), itemCause);
                case Alert alert -> {
                    raised.add(alert);
                    yield ItemWriter.Changes.NONE;
                }
            };
            if (effect instanceof ApplyOutcomes && changes.refused() > 0) {
                raised.add(conflict(changes.refused()));
            }
            for (long batchPk : changes.batchesToRetally()) {
                changedBy(retally, batchPk, itemCause);
            }
        }
        if (deferredEffect == null && next.state().isFinal() && items.waitingIn(connection, dispatchPk).dispatched() > 0) {
            throw new IllegalStateException("dispatch " + row.dispatchId() + " would be " + next.state()
                    + " with items still waiting for the bank's word");
        }
        List<Alerts.Stored> stored = new ArrayList<>();
        for (Alert alert : raised) {
            alerts.store(connection, row.bankCode(), alert.kind(), row.dispatchId(), alert.detail()).ifPresent(stored::add);
        }
        if (deferredEffect != null) {
            deferred.add(new Deferred.Awaiting(dispatchPk, row, itemCause, deferredEffect instanceof ApplyOutcomes,
                    next.state().isFinal(), stored));
        }
        return new Recorded(decision, stored);
    }

    private static Alert conflict(int refused) {
        return new Alert(AlertKind.RESULT_CONFLICT, refused + " outcomes of the bank's answer contradict the ledger; "
                + "they changed nothing");
    }

    /** Notes that the batch's items changed, and why; several dispatches' changes are said to be together. */
    private static void changedBy(Map<Long, String> retally, long batchPk, String itemCause) {
        retally.merge(batchPk, itemCause,
                (first, later) -> first.equals(later) || first.startsWith(TOGETHER) ? first : TOGETHER + first);
    }

    /**
     * The item effects of a group's moves, applied in one pass after every move of the group is
     * recorded; then what each move still owes: its conflict alert, the check that a final dispatch
     * leaves no item waiting.
     */
    private static final class Deferred {
        ItemWriter.Grouped items = new ItemWriter.Grouped();
        final List<Awaiting> awaiting = new ArrayList<>();
        private final Set<Long> held = new HashSet<>();

        /** Whether an effect on the dispatch's items waits: a later one must not overtake it. */
        boolean holds(long dispatchPk) {
            return held.contains(dispatchPk);
        }

        void add(Awaiting move) {
            awaiting.add(move);
            held.add(move.dispatchPk());
        }

        void clear() {
            items = new ItemWriter.Grouped();
            awaiting.clear();
            held.clear();
        }

        record Awaiting(long dispatchPk, Row row, String itemCause, boolean appliesOutcomes, boolean toFinal,
                List<Alerts.Stored> stored) {
        }
    }

    private void applyDeferred(Connection connection, Deferred deferred, Map<Long, String> retally) throws SQLException {
        if (deferred.awaiting.isEmpty()) {
            return;
        }
        ItemWriter.GroupApplied applied = items.applyGrouped(connection, deferred.items,
                deferred.awaiting.getFirst().row().bankCode());
        List<Long> finals = new ArrayList<>();
        for (Deferred.Awaiting move : deferred.awaiting) {
            int refused = applied.refusedByDispatch().getOrDefault(move.dispatchPk(), 0);
            if (move.appliesOutcomes() && refused > 0) {
                Alert alert = conflict(refused);
                alerts.store(connection, move.row().bankCode(), alert.kind(), move.row().dispatchId(), alert.detail())
                        .ifPresent(move.stored()::add);
            }
            if (move.toFinal()) {
                finals.add(move.dispatchPk());
            }
        }
        String firstCause = deferred.awaiting.getFirst().itemCause();
        for (long batchPk : applied.batchesToRetally()) {
            changedBy(retally, batchPk, deferred.awaiting.size() > 1 ? TOGETHER + firstCause : firstCause);
        }
        deferred.clear();
        if (!finals.isEmpty()) {
            try (PreparedStatement waiting = connection.prepareStatement(
                    "select dispatch_pk from items where dispatch_pk = any(?) and state = ? limit 1")) {
                waiting.setArray(1, connection.createArrayOf("bigint", finals.toArray()));
                waiting.setString(2, ItemState.DISPATCHED.name());
                try (ResultSet rows = waiting.executeQuery()) {
                    if (rows.next()) {
                        throw new IllegalStateException("dispatch " + rows.getLong(1)
                                + " would be final with items still waiting for the bank's word");
                    }
                }
            }
        }
    }

    /** Brings each batch up to date once, in key order (a tree map's), as every writer takes batches' locks. */
    private void retally(Connection connection, Map<Long, String> causeByBatch) throws SQLException {
        for (Map.Entry<Long, String> batch : causeByBatch.entrySet()) {
            batches.itemsChanged(connection, batch.getKey(), batch.getValue());
        }
    }

    private record Row(String dispatchId, String bankCode, DispatchProgress progress) {
    }

    /** Locks the dispatches of the steps in one statement, in key order, as every writer locks them. */
    private static Map<Long, Row> lockAll(Connection connection, List<Step> steps) throws SQLException {
        Long[] keys = steps.stream().flatMap(step -> step.thenOnProceed() == null ? Stream.of(step.dispatchPk())
                : Stream.of(step.dispatchPk(), step.thenOnProceed().dispatchPk())).distinct().sorted().toArray(Long[]::new);
        Map<Long, Row> rows = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(
                "select dispatch_pk, dispatch_id, bank_code, state, send_attempts, resends, inquiries, reversals, "
                        + "may_have_reached_bank from dispatches where dispatch_pk = any(?) order by dispatch_pk for update")) {
            select.setArray(1, connection.createArrayOf("bigint", keys));
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    rows.put(result.getLong(1), new Row(result.getString(2), result.getString(3), new DispatchProgress(
                            DispatchState.valueOf(result.getString(4)), result.getInt(5), result.getInt(6), result.getInt(7),
                            result.getInt(8), result.getBoolean(9))));
                }
            }
        }
        for (Long key : keys) {
            if (!rows.containsKey(key)) {
                throw new IllegalStateException("dispatch " + key + " is not in the ledger");
            }
        }
        return rows;
    }

    /**
     * A transaction's moves and event rows, sent to the database as two batches: many dispatches' moves
     * cost two round trips, not two each.
     */
    private static final class Writes implements AutoCloseable {
        private final Connection connection;
        private final List<String> moved = new ArrayList<>();
        private PreparedStatement update;
        private PreparedStatement event;

        Writes(Connection connection) {
            this.connection = connection;
        }

        void update(String dispatchId, long dispatchPk, DispatchState from, DispatchProgress next, Timestamp actionAt,
                Timestamp resultsDueAt, String sendResult, String transportName, Timestamp now) throws SQLException {
            if (update == null) {
                update = connection.prepareStatement(
                        "update dispatches set state = ?, send_attempts = ?, resends = ?, inquiries = ?, reversals = ?, "
                                + "may_have_reached_bank = ?, next_action_at = ?, results_due_at = ?, "
                                + "last_send_result = coalesce(?, last_send_result), transport_name = coalesce(?, transport_name), "
                                + "updated_at = ?, unclear_since = case when ? then coalesce(unclear_since, ?) end "
                                + "where dispatch_pk = ? and state = ?");
            }
            update.setString(1, next.state().name());
            update.setInt(2, next.sendAttempts());
            update.setInt(3, next.resends());
            update.setInt(4, next.inquiries());
            update.setInt(5, next.reversals());
            update.setBoolean(6, next.mayHaveReachedBank());
            update.setTimestamp(7, actionAt);
            update.setTimestamp(8, resultsDueAt);
            update.setString(9, sendResult);
            update.setString(10, transportName);
            update.setTimestamp(11, now);
            update.setBoolean(12, next.state() == DispatchState.INQUIRING || next.state() == DispatchState.REVERSING);
            update.setTimestamp(13, now);
            update.setLong(14, dispatchPk);
            update.setString(15, from.name());
            update.addBatch();
            moved.add(dispatchId);
        }

        void event(long dispatchPk, DispatchState from, DispatchState to, String name, String detail, Timestamp at)
                throws SQLException {
            if (event == null) {
                event = connection.prepareStatement("insert into dispatch_events (dispatch_pk, from_state, to_state, event, "
                        + "detail, at) values (?, ?, ?, ?, ?, ?)");
            }
            event.setLong(1, dispatchPk);
            event.setString(2, from == null ? null : from.name());
            event.setString(3, to.name());
            event.setString(4, name);
            event.setString(5, detail);
            event.setTimestamp(6, at);
            event.addBatch();
        }

        void flush() throws SQLException {
            if (update != null && !moved.isEmpty()) {
                int[] counts = update.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] != 1 && counts[i] != Statement.SUCCESS_NO_INFO) {
                        throw new IllegalStateException("dispatch " + moved.get(i) + " changed under a lock");
                    }
                }
                moved.clear();
            }
            if (event != null) {
                event.executeBatch();
            }
        }

        @Override
        public void close() throws SQLException {
            try {
                if (update != null) {
                    update.close();
                }
            } finally {
                if (event != null) {
                    event.close();
                }
            }
        }
    }

    private static Row lock(Connection connection, long dispatchPk) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "select dispatch_id, bank_code, state, send_attempts, resends, inquiries, reversals, may_have_reached_bank "
                        + "from dispatches where dispatch_pk = ? for update")) {
            select.setLong(1, dispatchPk);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalStateException("dispatch " + dispatchPk + " is not in the ledger");
                }
                return new Row(rows.getString(1), rows.getString(2), new DispatchProgress(
                        DispatchState.valueOf(rows.getString(3)), rows.getInt(4), rows.getInt(5), rows.getInt(6),
                        rows.getInt(7), rows.getBoolean(8)));
            }
        }
    }

    private static String describe(SendReceipt receipt) {
        return switch (receipt) {
            case SendReceipt.Sent sent -> "SENT";
            case SendReceipt.Answered answered -> "ANSWERED";
            case SendReceipt.NotSent notSent -> "NOT_SENT: " + notSent.reason();
            case SendReceipt.Unknown unknown -> "UNKNOWN: " + unknown.reason();
            case SendReceipt.NotEncodable notEncodable -> "NOT_ENCODABLE: " + notEncodable.reasonByReference().size() + " items";
        };
    }

    private static String clip(String text) {
        return text == null || text.length() <= DETAIL_CHARS_MAX ? text : text.substring(0, DETAIL_CHARS_MAX);
    }

    /** Dispatches of the bank the dispatcher is to act on now: to send, to inquire about, to reverse. */
    public List<Pending> dueForAction(String bankCode, int limit) {
        return pending("select dispatch_pk, dispatch_id, bank_code, business_date, state, send_attempts, "
                + "resends, inquiries, reversals, may_have_reached_bank from dispatches "
                + "where bank_code = ? and state in ('PREPARED', 'INQUIRING', 'REVERSING') and next_action_at <= ? "
                + "order by next_action_at, dispatch_pk limit ?", bankCode, limit, true);
    }

    /** Dispatches of the bank whose results are past their deadline. */
    public List<Pending> overdue(String bankCode, int limit) {
        return pending("select dispatch_pk, dispatch_id, bank_code, business_date, state, send_attempts, "
                + "resends, inquiries, reversals, may_have_reached_bank from dispatches "
                + "where bank_code = ? and state = 'SENT' and results_due_at <= ? order by results_due_at, dispatch_pk limit ?",
                bankCode, limit, true);
    }

    /** A dispatch whose payment's fate has been unclear since {@code since}. */
    public record Unclear(Pending pending, Instant since) {
    }

    /** Dispatches of the bank whose payment's fate has been unclear since {@code before} or earlier. */
    public List<Unclear> unclearSince(String bankCode, Instant before, int limit) {
        List<Unclear> unclear = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("select dispatch_pk, dispatch_id, bank_code, "
                        + "business_date, state, send_attempts, resends, inquiries, reversals, may_have_reached_bank, "
                        + "unclear_since from dispatches where bank_code = ? and state in ('INQUIRING', 'REVERSING') "
                        + "and unclear_since <= ? order by unclear_since, dispatch_pk limit ?")) {
            select.setString(1, bankCode);
            select.setTimestamp(2, Timestamp.from(before));
            select.setInt(3, limit);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    unclear.add(new Unclear(pendingOf(rows), rows.getTimestamp(11).toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while listing unclear dispatches of " + bankCode, e);
        }
        return unclear;
    }

    /** Dispatches of the bank left under way: no send of the lease holder is under way at a cycle's start. */
    public List<Pending> interrupted(String bankCode, int limit) {
        return pending("select dispatch_pk, dispatch_id, bank_code, business_date, state, send_attempts, "
                + "resends, inquiries, reversals, may_have_reached_bank from dispatches "
                + "where bank_code = ? and state = 'SENDING' order by dispatch_pk limit ?", bankCode, limit, false);
    }

    private List<Pending> pending(String sql, String bankCode, int limit, boolean withTime) {
        List<Pending> due = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(sql)) {
            int index = 1;
            select.setString(index++, bankCode);
            if (withTime) {
                select.setTimestamp(index++, Timestamp.from(clock.instant()));
            }
            select.setInt(index, limit);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    due.add(pendingOf(rows));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while listing dispatches of " + bankCode, e);
        }
        return due;
    }

    /** A listed dispatch from its first ten columns, in the order the listings select them. */
    private static Pending pendingOf(ResultSet rows) throws SQLException {
        return new Pending(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getDate(4).toLocalDate(),
                new DispatchProgress(DispatchState.valueOf(rows.getString(5)), rows.getInt(6), rows.getInt(7),
                        rows.getInt(8), rows.getInt(9), rows.getBoolean(10)));
    }

    /**
     * The dispatch as the bank is told it: its items in order, with the same references every time;
     * {@code sendAttempt} is the number of the send (1 for the first).
     */
    public Dispatch load(Pending pending, int sendAttempt) {
        List<PaymentInstruction> instructions = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "select i.batch_pk, i.seq, i.card_number, i.holder_name, i.id_number, i.amount_fen, b.program_code "
                                + "from items i join batches b using (batch_pk) where i.dispatch_pk = ? order by i.batch_pk, i.seq")) {
            select.setLong(1, pending.dispatchPk());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    instructions.add(new PaymentInstruction(BankReferences.of(rows.getLong(1), rows.getInt(2)),
                            rows.getString(3), rows.getString(4), rows.getString(5), rows.getLong(6), rows.getString(7)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while loading dispatch " + pending.dispatchId(), e);
        }
        return new Dispatch(pending.dispatchId(), pending.bankCode(), pending.businessDate(), Math.max(1, sendAttempt),
                instructions);
    }

    /**
     * Many dispatches as {@link #load} gives each at its last send attempt (1 before the first), read
     * in one query, by dispatch key: the caller numbers a new send when it starts it.
     */
    public Map<Long, Dispatch> loadAll(List<Pending> pendings) {
        Map<Long, List<PaymentInstruction>> byDispatch = new HashMap<>();
        Long[] keys = pendings.stream().map(Pending::dispatchPk).toArray(Long[]::new);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "select i.dispatch_pk, i.batch_pk, i.seq, i.card_number, i.holder_name, i.id_number, i.amount_fen, "
                                + "b.program_code from items i join batches b using (batch_pk) "
                                + "where i.dispatch_pk = any(?) order by i.dispatch_pk, i.batch_pk, i.seq")) {
            select.setArray(1, connection.createArrayOf("bigint", keys));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    byDispatch.computeIfAbsent(rows.getLong(1), key -> new ArrayList<>()).add(new PaymentInstruction(
                            BankReferences.of(rows.getLong(2), rows.getInt(3)), rows.getString(4), rows.getString(5),
                            rows.getString(6), rows.getLong(7), rows.getString(8)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while loading " + pendings.size() + " dispatches", e);
        }
        Map<Long, Dispatch> loaded = new HashMap<>();
        for (Pending pending : pendings) {
            loaded.put(pending.dispatchPk(), new Dispatch(pending.dispatchId(), pending.bankCode(), pending.businessDate(),
                    Math.max(1, pending.sendAttempts()), byDispatch.getOrDefault(pending.dispatchPk(), List.of())));
        }
        return loaded;
    }

    /** Locks the dispatch's row for this transaction, before any of its items (the writers' one lock order). */
    public void lockDispatch(Connection connection, long dispatchPk) throws SQLException {
        lock(connection, dispatchPk);
    }

    /**
     * The dispatch of the bank with this id, if the gateway prepared one, locked for this transaction:
     * a dispatch's row is locked before its items, in every transaction, so that two never wait on
     * each other.
     */
    public Optional<Long> find(Connection connection, String bankCode, String dispatchId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "select dispatch_pk from dispatches where dispatch_id = ? and bank_code = ? for update")) {
            select.setString(1, dispatchId);
            select.setString(2, bankCode);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
            }
        }
    }

    /** When the bank's latest dispatch was prepared, if it has any. */
    public Optional<Instant> lastPreparedAt(String bankCode) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "select max(created_at) from dispatches where bank_code = ?")) {
            select.setString(1, bankCode);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                Timestamp last = rows.getTimestamp(1);
                return Optional.ofNullable(last).map(Timestamp::toInstant);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while reading dispatch times", e);
        }
    }
}
