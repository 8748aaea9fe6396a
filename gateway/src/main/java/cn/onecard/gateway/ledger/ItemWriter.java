package cn.onecard.gateway.ledger;

import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.gateway.db.CopyRows;
import cn.onecard.gateway.ledger.ItemDecision.Move;
import cn.onecard.gateway.ledger.ItemDecision.Refuse;
import cn.onecard.gateway.ledger.ItemDecision.Repeat;
import cn.onecard.gateway.validation.BlockReason;
import cn.onecard.gateway.validation.CardRegistryState;
import cn.onecard.gateway.validation.ItemCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * The one writer of payment items' states: every statement that changes {@code items.state} is here,
 * and each takes its transitions from {@link PaymentItemStateMachine}. A set of items told events is
 * written by one statement that joins the items with the machine's decision table (every state and
 * every event involved, computed in Java and passed as arrays), so a set-based step still moves each
 * item only as the machine decides. Each move appends its event row, releases or claims its
 * entitlement and reports to the treasury in the same statement or transaction; the batches whose
 * state may follow are returned for {@link BatchWriter}. Callers own the transaction.
 */
public final class ItemWriter {

    /** The state items are put into dispatches from: the machine allows exactly one. */
    static final ItemState DISPATCHABLE = onlySourceOf(new ItemEvent.Dispatched());

    private final ReportOutbox outbox;
    private final Clock clock;

    public ItemWriter(ReportOutbox outbox, Clock clock) {
        this.outbox = outbox;
        this.clock = clock;
    }

    /**
     * What a set of events did.
     *
     * @param moved            items that changed state
     * @param repeated         events that repeated what an item already knew
     * @param refused          events that contradicted an item, named no item of the dispatch or
     *                         disagreed on the amount
     * @param batchesToRetally batches where an item entered or left flight or review
     */
    public record Changes(int moved, int repeated, int refused, Set<Long> batchesToRetally) {
        static final Changes NONE = new Changes(0, 0, 0, Set.of());
    }

    /** What a dispatch claimed. */
    public record Claimed(int items, long totalFen) {
    }

    /**
     * Puts up to {@code itemsMax} of the bank's dispatchable items into dispatch {@code dispatchPk},
     * oldest batch first, skipping items another transaction holds.
     */
    public Claimed dispatch(Connection connection, long dispatchPk, String bankCode, int itemsMax, Timestamp now,
            String cause) throws SQLException {
        ItemDecision decision = PaymentItemStateMachine.decide(DISPATCHABLE, new ItemEvent.Dispatched());
        if (!(decision instanceof Move move) || move.report() || move.releaseEntitlement() || move.claimEntitlement()) {
            throw new IllegalStateException("the machine no longer dispatches plainly from " + DISPATCHABLE + ": " + decision);
        }
        int claimed = 0;
        long total = 0;
        // the one source state, written literally so that the partial index items_ready applies
        try (PreparedStatement claim = connection.prepareStatement(
                "with ready as (select batch_pk, seq from items where bank_code = ? and state = '" + DISPATCHABLE + "' "
                        + "order by batch_pk, seq limit ? for update skip locked), "
                        + "changed as (update items i set state = ?, dispatch_pk = ?, updated_at = ? from ready "
                        + "where i.batch_pk = ready.batch_pk and i.seq = ready.seq returning i.batch_pk, i.seq, i.amount_fen), "
                        + "logged as (insert into item_events (batch_pk, seq, from_state, to_state, code, cause, at) "
                        + "select batch_pk, seq, ?, ?, null, ?, ? from changed) "
                        + "select amount_fen from changed")) {
            claim.setString(1, bankCode);
            claim.setInt(2, itemsMax);
            claim.setString(3, move.to().name());
            claim.setLong(4, dispatchPk);
            claim.setTimestamp(5, now);
            claim.setString(6, DISPATCHABLE.name());
            claim.setString(7, move.to().name());
            claim.setString(8, cause);
            claim.setTimestamp(9, now);
            try (ResultSet rows = claim.executeQuery()) {
                while (rows.next()) {
                    claimed++;
                    total = Math.addExact(total, rows.getLong(1));
                }
            }
        }
        return new Claimed(claimed, total);
    }

    /** An item claimed into a dispatch of its own, numbered from the dispatches' sequence. */
    public record ClaimedAlone(long dispatchPk, long amountFen) {
    }

    /**
     * Puts up to {@code itemsMax} of the bank's dispatchable items each into a new dispatch of its own
     * (an online bank takes one item per exchange), oldest batch first, skipping items another
     * transaction holds; one statement for the whole set. Each item's event names its dispatch as
     * {@code dispatchIdPrefix} and the dispatch number in twelve digits, the dispatch's id.
     */
    public List<ClaimedAlone> dispatchEach(Connection connection, String bankCode, int itemsMax, Timestamp now,
            String dispatchIdPrefix) throws SQLException {
        ItemDecision decision = PaymentItemStateMachine.decide(DISPATCHABLE, new ItemEvent.Dispatched());
        if (!(decision instanceof Move move) || move.report() || move.releaseEntitlement() || move.claimEntitlement()) {
            throw new IllegalStateException("the machine no longer dispatches plainly from " + DISPATCHABLE + ": " + decision);
        }
        List<ClaimedAlone> claimed = new ArrayList<>();
        // the one source state, written literally so that the partial index items_ready applies
        try (PreparedStatement claim = connection.prepareStatement(
                "with ready as (select batch_pk, seq from items where bank_code = ? and state = '" + DISPATCHABLE + "' "
                        + "order by batch_pk, seq limit ? for update skip locked), "
                        + "numbered as (select batch_pk, seq, nextval(pg_get_serial_sequence('dispatches', 'dispatch_pk')) "
                        + "as dispatch_pk from ready), "
                        + "changed as (update items i set state = ?, dispatch_pk = n.dispatch_pk, updated_at = ? from numbered n "
                        + "where i.batch_pk = n.batch_pk and i.seq = n.seq returning i.batch_pk, i.seq, i.amount_fen, i.dispatch_pk), "
                        + "logged as (insert into item_events (batch_pk, seq, from_state, to_state, code, cause, at) "
                        + "select batch_pk, seq, ?, ?, null, ? || lpad(dispatch_pk::text, 12, '0'), ? from changed) "
                        + "select dispatch_pk, amount_fen from changed order by dispatch_pk")) {
            claim.setString(1, bankCode);
            claim.setInt(2, itemsMax);
            claim.setString(3, move.to().name());
            claim.setTimestamp(4, now);
            claim.setString(5, DISPATCHABLE.name());
            claim.setString(6, move.to().name());
            claim.setString(7, "dispatch " + dispatchIdPrefix);
            claim.setTimestamp(8, now);
            try (ResultSet rows = claim.executeQuery()) {
                while (rows.next()) {
                    claimed.add(new ClaimedAlone(rows.getLong(1), rows.getLong(2)));
                }
            }
        }
        return claimed;
    }

    /**
     * Applies a bank's outcomes to the items of dispatch {@code dispatchPk}: each outcome is the item's
     * {@link ItemEvent.BankAnswered}. An outcome naming an item of another dispatch (or none), with
     * another amount, or contradicting a settled item is refused and changes nothing. An item named
     * more than once takes the outcome declared first in {@link BankOutcome} (the others repeat it
     * when they mean the same for the money, and are refused otherwise).
     */
    public Changes applyOutcomes(Connection connection, long dispatchPk, String bankCode, List<ItemOutcome> outcomes,
            String cause) throws SQLException {
        ChosenOutcomes choice = ChosenOutcomes.of(outcomes);
        Map<BankReferences.ItemKey, ItemOutcome> chosen = choice.chosen();
        int refusedBeforehand = choice.refused();
        int repeatedBeforehand = choice.repeated();
        if (chosen.isEmpty()) {
            return new Changes(0, repeatedBeforehand, refusedBeforehand, Set.of());
        }
        List<ItemEvent> events = new ArrayList<>();
        Map<BankOutcome, Integer> eventKeys = new LinkedHashMap<>();
        for (BankOutcome outcome : BankOutcome.values()) {
            eventKeys.put(outcome, events.size());
            events.add(new ItemEvent.BankAnswered(outcome));
        }
        createTargets(connection);
        copyTargets(connection, "batch_pk, seq, event_key, bank_result_code, amount_fen", rows -> {
            for (Map.Entry<BankReferences.ItemKey, ItemOutcome> entry : chosen.entrySet()) {
                ItemOutcome outcome = entry.getValue();
                rows.number(entry.getKey().batchPk()).number(entry.getKey().seq()).number(eventKeys.get(outcome.outcome()))
                        .text(outcome.bankResultCode()).number(outcome.amountFen());
                rows.endRow();
            }
        });
        try (Statement statement = connection.createStatement()) {
            // a temporary table has no statistics until analysed; without them the joins below may scan items
            statement.execute("analyze item_targets");
        }
        Changes changes = applyTargets(connection, events, dispatchPk, bankCode, cause, true);
        return new Changes(changes.moved(), changes.repeated() + repeatedBeforehand, changes.refused() + refusedBeforehand,
                changes.batchesToRetally());
    }

    /**
     * A bank's outcomes as they are applied: one per item, the one declared first in
     * {@link BankOutcome}; the others, and references that name no item, counted beforehand.
     */
    private record ChosenOutcomes(Map<BankReferences.ItemKey, ItemOutcome> chosen, int repeated, int refused) {

        static ChosenOutcomes of(List<ItemOutcome> outcomes) {
            Map<BankReferences.ItemKey, ItemOutcome> chosen = new LinkedHashMap<>();
            int refused = 0;
            int repeated = 0;
            List<ItemOutcome> byPrecedence = new ArrayList<>(outcomes);
            byPrecedence.sort(Comparator.comparing(ItemOutcome::outcome));
            for (ItemOutcome outcome : byPrecedence) {
                BankReferences.ItemKey key = BankReferences.parse(outcome.bankReference());
                if (key == null) {
                    refused++;
                    continue;
                }
                ItemOutcome first = chosen.putIfAbsent(key, outcome);
                if (first != null) {
                    if (first.disposition() == outcome.disposition() && first.amountFen() == outcome.amountFen()) {
                        repeated++;
                    } else {
                        refused++;
                    }
                }
            }
            return new ChosenOutcomes(chosen, repeated, refused);
        }
    }

    /**
     * Item effects of many dispatches, gathered to be applied in one pass ({@link #applyGrouped}): a
     * group commit of an online bank's answers costs a few statements, not a few per item.
     */
    public static final class Grouped {
        private final List<ItemEvent> events = new ArrayList<>();
        private final List<Long> everyItemDispatches = new ArrayList<>();
        private final List<Integer> everyItemEvents = new ArrayList<>();
        private final List<String> everyItemCodes = new ArrayList<>();
        private final List<String> everyItemCauses = new ArrayList<>();
        private final List<Object[]> outcomeTargets = new ArrayList<>();
        private final Map<Long, Integer> refusedBeforehand = new HashMap<>();

        private int key(ItemEvent event) {
            int key = events.indexOf(event);
            if (key < 0) {
                events.add(event);
                key = events.size() - 1;
            }
            return key;
        }

        /** As {@link ItemWriter#tellEveryItem}, for one dispatch of the group. */
        public void tellEveryItem(long dispatchPk, ItemEvent event, String bankResultCode, String cause) {
            everyItemDispatches.add(dispatchPk);
            everyItemEvents.add(key(event));
            everyItemCodes.add(bankResultCode);
            everyItemCauses.add(cause);
        }

        /** As {@link ItemWriter#applyOutcomes}, for one dispatch of the group. */
        public void applyOutcomes(long dispatchPk, List<ItemOutcome> outcomes, String cause) {
            ChosenOutcomes choice = ChosenOutcomes.of(outcomes);
            refusedBeforehand.merge(dispatchPk, choice.refused(), Integer::sum);
            for (Map.Entry<BankReferences.ItemKey, ItemOutcome> entry : choice.chosen().entrySet()) {
                ItemOutcome outcome = entry.getValue();
                outcomeTargets.add(new Object[] {entry.getKey().batchPk(), entry.getKey().seq(),
                        key(new ItemEvent.BankAnswered(outcome.outcome())), outcome.bankResultCode(), outcome.amountFen(),
                        dispatchPk, cause});
            }
        }

        public boolean isEmpty() {
            return everyItemDispatches.isEmpty() && outcomeTargets.isEmpty() && refusedBeforehand.isEmpty();
        }
    }

    /** What a group's item effects did: per dispatch, the outcomes refused; and the batches to bring up to date. */
    public record GroupApplied(Map<Long, Integer> refusedByDispatch, Set<Long> batchesToRetally) {
    }

    /** Applies a group's item effects (of dispatches of one bank) in one pass: one load of targets, one move. */
    public GroupApplied applyGrouped(Connection connection, Grouped group, String bankCode) throws SQLException {
        Map<Long, Integer> refused = new HashMap<>(group.refusedBeforehand);
        if (group.everyItemDispatches.isEmpty() && group.outcomeTargets.isEmpty()) {
            return new GroupApplied(refused, Set.of());
        }
        createTargets(connection);
        if (!group.outcomeTargets.isEmpty()) {
            copyTargets(connection, "batch_pk, seq, event_key, bank_result_code, amount_fen, dispatch_pk, cause", rows -> {
                for (Object[] target : group.outcomeTargets) {
                    rows.number((Long) target[0]).number((Integer) target[1]).number((Integer) target[2])
                            .text((String) target[3]).number((Long) target[4]).number((Long) target[5]).text((String) target[6]);
                    rows.endRow();
                }
            });
        }
        if (!group.everyItemDispatches.isEmpty()) {
            try (PreparedStatement insert = connection.prepareStatement(
                    "insert into item_targets (batch_pk, seq, event_key, bank_result_code, amount_fen, dispatch_pk, cause) "
                            + "select i.batch_pk, i.seq, u.k, u.code, null, u.d, u.cause "
                            + "from unnest(?::bigint[], ?::integer[], ?::text[], ?::text[]) as u(d, k, code, cause) "
                            + "join items i on i.dispatch_pk = u.d")) {
                insert.setArray(1, array(connection, "bigint", group.everyItemDispatches));
                insert.setArray(2, array(connection, "integer", group.everyItemEvents));
                insert.setArray(3, array(connection, "text", group.everyItemCodes));
                insert.setArray(4, array(connection, "text", group.everyItemCauses));
                insert.executeUpdate();
            }
        }
        analyzeTargets(connection);
        Applied applied = applyTargets(connection, group.events, null, bankCode, null, true, true);
        applied.countsByDispatch().forEach((dispatchPk, counts) -> {
            if (dispatchPk != null) {
                refused.merge(dispatchPk, counts[1], Integer::sum);
            }
        });
        return new GroupApplied(refused, applied.batchesToRetally());
    }

    /**
     * Tells every item of dispatch {@code dispatchPk} the same event; items for which the machine
     * decides no move stay as they are (an item already settled by a result is not given up).
     *
     * @param bankResultCode the bank's own code behind the event, kept on items it settles; null when none
     */
    public Changes tellEveryItem(Connection connection, long dispatchPk, String bankCode, ItemEvent event,
            String bankResultCode, String cause) throws SQLException {
        createTargets(connection);
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into item_targets (batch_pk, seq, event_key, bank_result_code, amount_fen) "
                        + "select batch_pk, seq, 0, ?, null from items where dispatch_pk = ?")) {
            insert.setString(1, bankResultCode);
            insert.setLong(2, dispatchPk);
            insert.executeUpdate();
        }
        analyzeTargets(connection);
        return applyTargets(connection, List.of(event), dispatchPk, bankCode, cause, false);
    }

    /** Tells the items of dispatch {@code dispatchPk} named by bank reference their events. */
    public Changes tellItems(Connection connection, long dispatchPk, String bankCode, Map<String, ItemEvent> eventByReference,
            String bankResultCode, String cause) throws SQLException {
        List<ItemEvent> events = eventByReference.values().stream().distinct().toList();
        List<Long> batchPks = new ArrayList<>();
        List<Integer> seqs = new ArrayList<>();
        List<Integer> keys = new ArrayList<>();
        int foreign = 0;
        for (Map.Entry<String, ItemEvent> entry : eventByReference.entrySet()) {
            BankReferences.ItemKey key = BankReferences.parse(entry.getKey());
            if (key == null) {
                foreign++;
                continue;
            }
            batchPks.add(key.batchPk());
            seqs.add(key.seq());
            keys.add(events.indexOf(entry.getValue()));
        }
        if (batchPks.isEmpty()) {
            return new Changes(0, 0, foreign, Set.of());
        }
        createTargets(connection);
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into item_targets (batch_pk, seq, event_key, bank_result_code, amount_fen) "
                        + "select b, s, k, ?, null from unnest(?::bigint[], ?::integer[], ?::integer[]) as t(b, s, k)")) {
            insert.setString(1, bankResultCode);
            insert.setArray(2, connection.createArrayOf("bigint", batchPks.toArray()));
            insert.setArray(3, connection.createArrayOf("integer", seqs.toArray()));
            insert.setArray(4, connection.createArrayOf("integer", keys.toArray()));
            insert.executeUpdate();
        }
        analyzeTargets(connection);
        Changes changes = applyTargets(connection, events, dispatchPk, bankCode, cause, true);
        return new Changes(changes.moved(), changes.repeated(), changes.refused() + foreign, changes.batchesToRetally());
    }

    /**
     * An operator's decision on one held item ({@link ItemEvent.Released} or
     * {@link ItemEvent.RejectedOnReview}); a released item claims its person's entitlement if no
     * other item holds it.
     */
    public Changes review(Connection connection, long batchPk, int seq, ItemEvent decision, String cause) throws SQLException {
        if (!(decision instanceof ItemEvent.Released) && !(decision instanceof ItemEvent.RejectedOnReview)) {
            throw new IllegalArgumentException("a review releases or rejects: " + decision);
        }
        createTargets(connection);
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into item_targets (batch_pk, seq, event_key, bank_result_code, amount_fen) values (?, ?, 0, null, null)")) {
            insert.setLong(1, batchPk);
            insert.setInt(2, seq);
            insert.executeUpdate();
        }
        Changes changes = applyTargets(connection, List.of(decision), null, null, cause, true);
        if (changes.moved() > 0 && PaymentItemStateMachine.decide(ItemState.HELD, decision) instanceof Move move
                && move.claimEntitlement()) {
            try (PreparedStatement claim = connection.prepareStatement(
                    "insert into entitlements (program_code, period, id_number, batch_pk, seq) "
                            + "select b.program_code, b.period, i.id_number, i.batch_pk, i.seq from items i "
                            + "join batches b using (batch_pk) where i.batch_pk = ? and i.seq = ? on conflict do nothing")) {
                claim.setLong(1, batchPk);
                claim.setInt(2, seq);
                claim.executeUpdate();
            }
        }
        return changes;
    }

    /** The items of a dispatch without a final outcome. */
    public record Waiting(int dispatched, int unknown) {
    }

    /** How many items of the dispatch have no word from the bank yet (dispatched), or one that does not settle them. */
    public Waiting waitingIn(Connection connection, long dispatchPk) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "select count(*) filter (where state = ?), count(*) filter (where state = ?) from items where dispatch_pk = ?")) {
            select.setString(1, ItemState.DISPATCHED.name());
            select.setString(2, ItemState.UNKNOWN.name());
            select.setLong(3, dispatchPk);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return new Waiting(rows.getInt(1), rows.getInt(2));
            }
        }
    }

    // ---- intake: a batch's items admitted once, in their final state

    /** The temporary table the intake streams a batch into, and its columns in the order they are copied. */
    public static final String STAGING_COPY = "copy intake_items (seq, item_id, holder_name, id_number, card_number, "
            + "amount_fen, household_head, proxy_id, phone, code, bank_code, person_key) from stdin";

    /**
     * The batch as it streams in, with the verdict of each item's own checks (code null: passed) and,
     * for an item that passed them, its person as a number ({@link IdentityNumbers#personKey}). Its
     * columns are the ledger's own, so the two cannot drift apart. Temporary: it lives in this
     * session and this transaction only.
     */
    private static final String CREATE_STAGING = """
            create temp table intake_items on commit drop as
            select seq, item_id, holder_name, id_number, card_number, amount_fen, household_head, proxy_id, phone, code,
                   bank_code, null::bigint as person_key
            from items with no data""";

    /**
     * Decides every staged item's verdict and writes it: the item into {@code items} in its final
     * state, the entitlement of each validated item, the intake event of every item; returns the
     * items to report. Checks in {@link ItemCode}'s precedence: the item's own checks (staged), the
     * programme's cap and household rule, blocked persons, the card registry, then among the items
     * still passing, a person's later items in the batch (HELD), then a person whose entitlement
     * another batch holds (HELD; the caller holds the programme and period's lock).
     *
     * <p>It cannot go quadratic, whatever the statistics say: it reads the staged batch once, and
     * joins it only with the feeds and the entitlements, each on a unique key, so a join reads each
     * stored row at most once per item (an index probe) or once in all (a hash). The duplicates
     * within the batch are a sort, never a join of the batch with itself; the writes are fed from
     * the rows just written ({@code written}), never from a read of {@code items}. The sort compares
     * person keys, numbers: as text, identity numbers share their leading digits and compare slowly.
     * Codes and states come from Java, as lookup arrays: {@code values[array_position(keys, key)]}.
     */
    private static final String TAKE_IN = """
            with screened as (
                select s.seq, s.item_id, s.holder_name, s.id_number, s.card_number, s.amount_fen, s.household_head,
                       s.proxy_id, s.phone, s.bank_code, s.person_key,
                       coalesce(s.code,
                                case when s.amount_fen > ? then ? when ? and not s.household_head then ? end,
                                (?::text[])[array_position(?::text[], b.reason)],
                                case when r.card_number is null then case when ? then ? end
                                     when r.id_number <> s.id_number then ?
                                     else (?::text[])[array_position(?::text[], r.state)] end) as code,
                       e.id_number is not null as claimed_elsewhere
                from intake_items s
                left join blocked_persons b on b.id_number = s.id_number
                left join card_registry r on r.card_number = s.card_number
                left join entitlements e on e.program_code = ? and e.period = ? and e.id_number = s.id_number
            ), ranked as (
                select screened.*,
                       row_number() over (partition by case when code is null then person_key end order by seq) as occurrence
                from screened
            ), verdicts as (
                select ranked.*,
                       coalesce(code, case when occurrence > 1 then ? when claimed_elsewhere then ? end) as verdict
                from ranked
            ), written as (
                insert into items (batch_pk, seq, item_id, holder_name, id_number, card_number, amount_fen, household_head,
                                   proxy_id, phone, state, code, bank_code, updated_at)
                select ?, seq, item_id, holder_name, id_number, card_number, amount_fen, household_head, proxy_id, phone,
                       (?::text[])[array_position(?::text[], verdict)], verdict, bank_code, ?
                from verdicts
                order by seq
                returning seq, item_id, id_number, amount_fen, state, code, bank_code, updated_at
            ), claimed as (
                insert into entitlements (program_code, period, id_number, batch_pk, seq)
                select ?, ?, id_number, ?, seq from written where state = any(?)
                -- in key order: the index fills page by page instead of touching pages at random
                order by id_number
            ), recorded as (
                insert into item_events (batch_pk, seq, from_state, to_state, code, cause, at)
                select ?, seq, ?, state, code, 'intake', ? from written
            )
            select item_id, state, code, amount_fen, bank_code, updated_at from written where state = any(?) order by seq""";

    /** A small table handed to SQL as two arrays and read there as {@code values[array_position(keys, key)]}. */
    private record SqlLookup(List<String> keys, List<String> values) {
        static <K> SqlLookup of(List<K> entries, Function<K, String> key, Function<K, String> value) {
            // Stream.toList keeps nulls: a null key matches a null (array_position compares with "is not distinct from")
            return new SqlLookup(entries.stream().map(key).toList(), entries.stream().map(value).toList());
        }
    }

    private static final SqlLookup BLOCK_REASON_CODES =
            SqlLookup.of(List.of(BlockReason.values()), Enum::name, reason -> nameOrNull(reason.itemCode()));
    private static final SqlLookup CARD_STATE_CODES =
            SqlLookup.of(List.of(CardRegistryState.values()), Enum::name, state -> nameOrNull(state.itemCode()));
    /** What the intake's screening does to a received item, for every code and none: the machine's decisions. */
    private static final Map<ItemCode, Move> SCREENINGS = screenings();
    /** Every code, and none, with the state it gives an item at intake. */
    private static final SqlLookup INTAKE_STATES = SqlLookup.of(new ArrayList<>(SCREENINGS.keySet()), ItemWriter::nameOrNull,
            code -> SCREENINGS.get(code).to().name());
    private static final List<String> CLAIMING_STATES = SCREENINGS.values().stream().filter(Move::claimEntitlement)
            .map(move -> move.to().name()).distinct().toList();
    private static final List<String> REPORTED_STATES = SCREENINGS.values().stream().filter(Move::report)
            .map(move -> move.to().name()).distinct().toList();

    private static Map<ItemCode, Move> screenings() {
        Map<ItemCode, Move> screenings = new LinkedHashMap<>();
        List<ItemCode> codesAndNone = new ArrayList<>();
        codesAndNone.add(null);
        codesAndNone.addAll(List.of(ItemCode.values()));
        for (ItemCode code : codesAndNone) {
            ItemDecision decision = PaymentItemStateMachine.decide(ItemState.RECEIVED, new ItemEvent.Screened(code));
            if (!(decision instanceof Move move) || move.releaseEntitlement()) {
                throw new IllegalStateException("the machine no longer admits a screened item: " + code + " -> " + decision);
            }
            screenings.put(code, move);
        }
        // the intake statement claims and reports by the state an item lands in: each state must say it alone
        for (Move move : screenings.values()) {
            for (Move other : screenings.values()) {
                if (move.to() == other.to() && (move.claimEntitlement() != other.claimEntitlement() || move.report() != other.report())) {
                    throw new IllegalStateException("screened items landing in " + move.to() + " differ in their effects");
                }
            }
        }
        return screenings;
    }

    private static String nameOrNull(ItemCode code) {
        return code == null ? null : code.name();
    }

    /** Creates the temporary staging table (this transaction's) the intake copies a batch into. */
    public static void createStaging(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(CREATE_STAGING);
        }
    }

    /**
     * What the intake knows of a batch when its staged items are admitted.
     *
     * @param itemCapFen     the programme's cap per item
     * @param household      a household programme: items must be for the head of household
     * @param registryLoaded a card registry is loaded, so a card it does not know is refused
     */
    public record Admission(long batchPk, String batchId, String programCode, String period, long itemCapFen,
            boolean household, boolean registryLoaded, Timestamp at) {
    }

    /**
     * Admits the batch staged in {@code intake_items} ({@link #createStaging}, analysed by the
     * caller): each item is screened (its own checks' code, then the programme, the feeds, the
     * duplicates within the batch and across batches, in {@link ItemCode}'s precedence), takes the
     * state the item machine gives its first failed check ({@link ItemEvent.Screened}), and is written
     * into the ledger once in that state, with its entitlement claimed where the machine says so and
     * its one intake event, in one statement ({@link #TAKE_IN}). The caller holds the programme and
     * period's transaction lock. The items the machine says to report (rejected and held) are enqueued
     * for the treasury and returned, in batch order.
     */
    public List<ReportedItem> admit(Connection connection, Admission admission) throws SQLException {
        List<ReportedItem> reported = new ArrayList<>();
        try (Statement statement = connection.createStatement()) {
            // No planner settings beyond memory: the staging table is analysed and every join is on a
            // stored table's unique key, so whichever join the planner picks reads linearly. Memory:
            // the window's sort, the feeds' hash tables and the rows just written stay in it.
            statement.execute("set local work_mem = '64MB'");
        }
        try (PreparedStatement takeIn = connection.prepareStatement(TAKE_IN)) {
            int p = 0;
            takeIn.setLong(++p, admission.itemCapFen());
            takeIn.setString(++p, ItemCode.AMOUNT_OVER_CAP.name());
            takeIn.setBoolean(++p, admission.household());
            takeIn.setString(++p, ItemCode.NOT_HOUSEHOLD_HEAD.name());
            takeIn.setArray(++p, array(connection, "text", BLOCK_REASON_CODES.values()));
            takeIn.setArray(++p, array(connection, "text", BLOCK_REASON_CODES.keys()));
            takeIn.setBoolean(++p, admission.registryLoaded());
            takeIn.setString(++p, ItemCode.CARD_NOT_IN_REGISTRY.name());
            takeIn.setString(++p, ItemCode.CARD_HOLDER_MISMATCH.name());
            takeIn.setArray(++p, array(connection, "text", CARD_STATE_CODES.values()));
            takeIn.setArray(++p, array(connection, "text", CARD_STATE_CODES.keys()));
            takeIn.setString(++p, admission.programCode());
            takeIn.setString(++p, admission.period());
            takeIn.setString(++p, ItemCode.DUPLICATE_IN_BATCH.name());
            takeIn.setString(++p, ItemCode.DUPLICATE_ACROSS_BATCHES.name());
            takeIn.setLong(++p, admission.batchPk());
            takeIn.setArray(++p, array(connection, "text", INTAKE_STATES.values()));
            takeIn.setArray(++p, array(connection, "text", INTAKE_STATES.keys()));
            takeIn.setTimestamp(++p, admission.at());
            takeIn.setString(++p, admission.programCode());
            takeIn.setString(++p, admission.period());
            takeIn.setLong(++p, admission.batchPk());
            takeIn.setArray(++p, array(connection, "text", CLAIMING_STATES));
            takeIn.setLong(++p, admission.batchPk());
            takeIn.setString(++p, ItemState.RECEIVED.name());
            takeIn.setTimestamp(++p, admission.at());
            takeIn.setArray(++p, array(connection, "text", REPORTED_STATES));
            try (ResultSet rows = takeIn.executeQuery()) {
                while (rows.next()) {
                    reported.add(new ReportedItem(rows.getString(1), ItemState.valueOf(rows.getString(2)), rows.getString(3),
                            rows.getLong(4), rows.getString(5), null, rows.getObject(6, OffsetDateTime.class)));
                }
            }
        }
        outbox.enqueueResults(connection, admission.batchPk(), admission.batchId(), reported);
        return reported;
    }

    /** Writes rows of targets. */
    private interface TargetRows {
        void write(CopyRows rows) throws IOException;
    }

    /** Loads targets into {@code item_targets} through COPY: the quickest way in for many rows. */
    private static void copyTargets(Connection connection, String columns, TargetRows targets) throws SQLException {
        PGCopyOutputStream copy = new PGCopyOutputStream(connection.unwrap(PGConnection.class),
                "copy item_targets (" + columns + ") from stdin");
        try {
            CopyRows rows = new CopyRows(copy);
            targets.write(rows);
            rows.flush();
            copy.endCopy();
        } catch (IOException e) {
            throw new UncheckedIOException("copying outcomes into the ledger failed", e);
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private static void createTargets(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            // dispatch_pk and cause: set by targets of many dispatches applied together (GroupedItemEffects)
            statement.execute("create temp table if not exists item_targets (batch_pk bigint, seq integer, event_key integer, "
                    + "bank_result_code text, amount_fen bigint, dispatch_pk bigint, cause text) on commit drop");
            statement.execute("truncate item_targets");
        }
    }

    private static void analyzeTargets(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("analyze item_targets");
        }
    }

    /**
     * Moves the items in {@code item_targets} as the machine decides for each one's state and event
     * (the event's index in {@code events}), in one statement; counts the events that repeat and
     * those refused.
     *
     * @param dispatchPk     the dispatch the items must belong to; null: any (a review). A target with
     *                       an amount must name the item's amount as well
     * @param countRefusals  count the events that repeat or are refused (one more statement)
     */
    private Changes applyTargets(Connection connection, List<ItemEvent> events, Long dispatchPk, String bankCode,
            String cause, boolean countRefusals) throws SQLException {
        return applyTargets(connection, events, dispatchPk, bankCode, cause, countRefusals, dispatchPk != null).total();
    }

    /** @param withReferences the items' reports name their bank references (they were at a bank) */
    private Applied applyTargets(Connection connection, List<ItemEvent> events, Long dispatchPk, String bankCode,
            String cause, boolean countRefusals, boolean withReferences) throws SQLException {
        List<String> fromStates = new ArrayList<>();
        List<Integer> eventKeys = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        List<String> toStates = new ArrayList<>();
        List<String> codes = new ArrayList<>();
        List<Boolean> releases = new ArrayList<>();
        List<Boolean> reports = new ArrayList<>();
        for (int key = 0; key < events.size(); key++) {
            for (ItemState from : ItemState.values()) {
                ItemDecision decision = PaymentItemStateMachine.decide(from, events.get(key));
                fromStates.add(from.name());
                eventKeys.add(key);
                switch (decision) {
                    case Move move -> {
                        kinds.add("MOVE");
                        toStates.add(move.to().name());
                        codes.add(move.code());
                        releases.add(move.releaseEntitlement());
                        reports.add(move.report());
                    }
                    case Repeat repeat -> {
                        kinds.add("REPEAT");
                        toStates.add(null);
                        codes.add(null);
                        releases.add(false);
                        reports.add(false);
                    }
                    case Refuse refuse -> {
                        kinds.add("REFUSE");
                        toStates.add(null);
                        codes.add(null);
                        releases.add(false);
                        reports.add(false);
                    }
                }
            }
        }
        String decisions = "decisions as (select * from unnest(?::text[], ?::integer[], ?::text[], ?::text[], ?::text[], "
                + "?::boolean[], ?::boolean[]) as d(from_state, event_key, kind, to_state, code, release, report))";
        // a target of a group names its own dispatch; otherwise the one given (null: any, a review)
        String ours = "(coalesce(t.dispatch_pk, ?::bigint) is null or i.dispatch_pk = coalesce(t.dispatch_pk, ?::bigint)) "
                + "and (t.amount_fen is null or i.amount_fen = t.amount_fen)";
        Map<Long, int[]> countsByDispatch = new HashMap<>();
        try (Statement statement = connection.createStatement()) {
            // the items are found by their keys, one probe each: statistics of fresh rows must not turn that into scans
            statement.execute("set local enable_seqscan = off");
        }
        if (countRefusals) {
            try (PreparedStatement classify = connection.prepareStatement("with " + decisions + " select t.dispatch_pk, "
                    + "count(*) filter (where i.batch_pk is not null and " + ours + " and d.kind = 'REPEAT'), "
                    + "count(*) filter (where i.batch_pk is null or not (" + ours + ") or d.kind = 'REFUSE') "
                    + "from item_targets t left join items i on i.batch_pk = t.batch_pk and i.seq = t.seq "
                    + "left join decisions d on d.from_state = i.state and d.event_key = t.event_key group by t.dispatch_pk")) {
                int index = bindDecisions(connection, classify, 1, fromStates, eventKeys, kinds, toStates, codes, releases, reports);
                for (int twice = 0; twice < 2; twice++) {
                    setDispatch(classify, index, dispatchPk);
                    index += 2;
                }
                try (ResultSet rows = classify.executeQuery()) {
                    while (rows.next()) {
                        Long targetDispatch = rows.getObject(1, Long.class);
                        countsByDispatch.put(targetDispatch, new int[] {rows.getInt(2), rows.getInt(3)});
                    }
                }
            }
        }
        Timestamp now = Timestamp.from(clock.instant());
        OffsetDateTime at = now.toInstant().atOffset(ZoneOffset.UTC);
        Map<Long, List<ReportedItem>> reportsByBatch = new LinkedHashMap<>();
        Map<Long, String> batchIds = new LinkedHashMap<>();
        Set<Long> retally = new HashSet<>();
        int moved = 0;
        try (PreparedStatement apply = connection.prepareStatement("with " + decisions + ", "
                + "moving as (select i.batch_pk, i.seq, i.state as from_state, d.to_state, d.code, d.release, d.report, "
                + "t.bank_result_code, t.cause as target_cause from item_targets t join items i on i.batch_pk = t.batch_pk and i.seq = t.seq "
                + "join decisions d on d.from_state = i.state and d.event_key = t.event_key "
                + "where d.kind = 'MOVE' and " + ours + " for update of i), "
                + "changed as (update items i set state = m.to_state, code = m.code, "
                + "bank_result_code = coalesce(m.bank_result_code, i.bank_result_code), "
                + "dispatch_pk = case when m.to_state = ? then null else i.dispatch_pk end, updated_at = ? "
                + "from moving m where i.batch_pk = m.batch_pk and i.seq = m.seq "
                + "returning i.batch_pk, i.seq, i.item_id, i.state, i.code, i.amount_fen, i.id_number, i.bank_code, "
                + "m.from_state, m.release, m.report, m.target_cause), "
                + "logged as (insert into item_events (batch_pk, seq, from_state, to_state, code, cause, at) "
                + "select batch_pk, seq, from_state, state, code, coalesce(target_cause, ?), ? from changed), "
                + "released as (delete from entitlements e using changed c, batches b where c.release "
                + "and b.batch_pk = c.batch_pk and e.program_code = b.program_code and e.period = b.period "
                + "and e.id_number = c.id_number and e.batch_pk = c.batch_pk and e.seq = c.seq) "
                + "select c.batch_pk, c.seq, c.item_id, c.state, c.code, c.amount_fen, c.bank_code, c.from_state, c.report, "
                + "b.batch_id from changed c join batches b using (batch_pk) order by c.batch_pk, c.seq")) {
            int index = bindDecisions(connection, apply, 1, fromStates, eventKeys, kinds, toStates, codes, releases, reports);
            setDispatch(apply, index, dispatchPk);
            index += 2;
            // an item back to waiting for a dispatch leaves the one it was in
            apply.setString(index++, DISPATCHABLE.name());
            apply.setTimestamp(index++, now);
            apply.setString(index++, cause);
            apply.setTimestamp(index, now);
            try (ResultSet rows = apply.executeQuery()) {
                while (rows.next()) {
                    moved++;
                    long batchPk = rows.getLong(1);
                    int seq = rows.getInt(2);
                    ItemState to = ItemState.valueOf(rows.getString(4));
                    ItemState from = ItemState.valueOf(rows.getString(8));
                    if (from.inFlight() != to.inFlight() || from.isFinal() != to.isFinal()) {
                        retally.add(batchPk);
                    }
                    if (rows.getBoolean(9)) {
                        String itemBank = rows.getString(7);
                        reportsByBatch.computeIfAbsent(batchPk, k -> new ArrayList<>()).add(new ReportedItem(rows.getString(3),
                                to, rows.getString(5), rows.getLong(6), itemBank != null ? itemBank : bankCode,
                                withReferences ? BankReferences.of(batchPk, seq) : null, at));
                    }
                    batchIds.put(batchPk, rows.getString(10));
                }
            }
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("reset enable_seqscan");
        }
        for (Map.Entry<Long, List<ReportedItem>> entry : reportsByBatch.entrySet()) {
            outbox.enqueueResults(connection, entry.getKey(), batchIds.get(entry.getKey()), entry.getValue());
        }
        return new Applied(moved, countsByDispatch, retally);
    }

    /**
     * What applying targets did: items moved, and per dispatch named by the targets (null: the one
     * given) the events that repeated and those refused ({@code [repeated, refused]}).
     */
    private record Applied(int moved, Map<Long, int[]> countsByDispatch, Set<Long> batchesToRetally) {

        Changes total() {
            int repeated = 0;
            int refused = 0;
            for (int[] counts : countsByDispatch.values()) {
                repeated += counts[0];
                refused += counts[1];
            }
            return new Changes(moved, repeated, refused, batchesToRetally);
        }
    }

    private static int bindDecisions(Connection connection, PreparedStatement statement, int index, List<String> fromStates,
            List<Integer> eventKeys, List<String> kinds, List<String> toStates, List<String> codes, List<Boolean> releases,
            List<Boolean> reports) throws SQLException {
        statement.setArray(index++, array(connection, "text", fromStates));
        statement.setArray(index++, array(connection, "integer", eventKeys));
        statement.setArray(index++, array(connection, "text", kinds));
        statement.setArray(index++, array(connection, "text", toStates));
        statement.setArray(index++, array(connection, "text", codes));
        statement.setArray(index++, array(connection, "boolean", releases));
        statement.setArray(index++, array(connection, "boolean", reports));
        return index;
    }

    private static Array array(Connection connection, String type, List<?> values) throws SQLException {
        return connection.createArrayOf(type, values.toArray());
    }

    private static void setDispatch(PreparedStatement statement, int index, Long dispatchPk) throws SQLException {
        if (dispatchPk == null) {
            statement.setNull(index, Types.BIGINT);
            statement.setNull(index + 1, Types.BIGINT);
        } else {
            statement.setLong(index, dispatchPk);
            statement.setLong(index + 1, dispatchPk);
        }
    }

    /** The one state the machine moves items out of on {@code event}. */
    private static ItemState onlySourceOf(ItemEvent event) {
        ItemState source = null;
        for (ItemState state : ItemState.values()) {
            if (PaymentItemStateMachine.decide(state, event) instanceof Move) {
                if (source != null) {
                    throw new IllegalStateException(event + " moves items from " + source + " and " + state
                            + "; the dispatch claim expects one source");
                }
                source = state;
            }
        }
        if (source == null) {
            throw new IllegalStateException(event + " moves no item");
        }
        return source;
    }
}
