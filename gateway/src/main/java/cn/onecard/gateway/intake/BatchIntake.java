package cn.onecard.gateway.intake;

import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import cn.onecard.gateway.db.CopyRows;
import cn.onecard.gateway.ledger.ItemState;
import cn.onecard.gateway.ledger.PaymentItemStateMachine;
import cn.onecard.gateway.ledger.ReportOutbox;
import cn.onecard.gateway.ledger.ReportOutbox.BatchTally;
import cn.onecard.gateway.ledger.ReportedItem;
import cn.onecard.gateway.validation.BlockReason;
import cn.onecard.gateway.validation.CardRegistryState;
import cn.onecard.gateway.validation.IdentityNumbers;
import cn.onecard.gateway.validation.ItemChecks;
import cn.onecard.gateway.validation.ItemCode;
import cn.onecard.gateway.validation.SubsidyCatalogue;
import cn.onecard.gateway.validation.SubsidyCatalogue.Programme;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a treasury batch into the ledger, all or nothing, in one transaction: the items stream from
 * the parser through their own checks into a staging table (COPY); the batch-level checks, the
 * checks against the programme and stored data (blocked persons, card registry, duplicates within
 * the batch and across batches) then run set-based on that table, and every item is written into
 * the ledger once, VALIDATED, REJECTED or HELD, with its one event row; the rejected and held ones
 * are reported through the outbox. A refused batch leaves no trace: the transaction rolls back.
 */
public final class BatchIntake {

    private static final Logger log = LoggerFactory.getLogger(BatchIntake.class);

    /** Where a batch came from. */
    public enum Source { API, FILE }

    /** The content's format: the API's JSON body or the inbox's JSON Lines. */
    public enum Format { JSON, JSON_LINES }

    /** The outcome of a submission that was not refused. */
    public record Accepted(long batchPk, String batchId, boolean created, int itemCount) {
    }

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
     * Rows ANALYZE samples from the staging table: they tell its row count and distinct values as
     * well as PostgreSQL's default 30,000, which took 160 ms per 100,000 items.
     */
    private static final int STAGING_SAMPLE_ROWS = 3_000;
    /** PostgreSQL's statistics target is in units of 300 sampled rows. */
    private static final int SAMPLE_ROWS_PER_STATISTICS_TARGET = 300;

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
                select ?, ?, id_number, ?, seq from written where state = ?
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
    /** Every code, and none, with the state it gives an item at intake. */
    private static final SqlLookup INTAKE_STATES = intakeStates();
    private static final List<String> REPORTED_STATES =
            Arrays.stream(ItemState.values()).filter(ItemState::reported).map(Enum::name).toList();

    /**
     * The state an item takes at intake from the code of the first check it failed (null: it passed
     * every check). The one place that decides it; the intake statement gets it as a table built
     * from here. It is to be routed through the item state machine later: keep it here, and only here.
     */
    static ItemState intakeState(ItemCode codeOrNull) {
        if (codeOrNull == null) {
            return ItemState.VALIDATED;
        }
        return switch (codeOrNull.outcome()) {
            case REJECT -> ItemState.REJECTED;
            case HOLD -> ItemState.HELD;
        };
    }

    private static SqlLookup intakeStates() {
        List<ItemCode> codesAndNone = new ArrayList<>();
        codesAndNone.add(null);
        codesAndNone.addAll(List.of(ItemCode.values()));
        for (ItemCode code : codesAndNone) {
            // every verdict is one transition the item state machine allows
            PaymentItemStateMachine.check(ItemState.RECEIVED, intakeState(code));
        }
        return SqlLookup.of(codesAndNone, BatchIntake::nameOrNull, code -> intakeState(code).name());
    }

    private static String nameOrNull(ItemCode code) {
        return code == null ? null : code.name();
    }

    private final DataSource dataSource;
    private final BatchParser parser;
    private final ItemChecks checks;
    private final SubsidyCatalogue catalogue;
    private final ReportOutbox outbox;
    private final Clock clock;
    private final ZoneId zone;
    private final long bodyBytesMax;
    private final Nonces nonces;
    private final IntakeStats stats;

    public BatchIntake(DataSource dataSource, BatchParser parser, ItemChecks checks, SubsidyCatalogue catalogue,
            ReportOutbox outbox, Clock clock, ZoneId zone, long bodyBytesMax, Nonces nonces, IntakeStats stats) {
        this.dataSource = dataSource;
        this.parser = parser;
        this.checks = checks;
        this.catalogue = catalogue;
        this.outbox = outbox;
        this.clock = clock;
        this.zone = zone;
        this.bodyBytesMax = bodyBytesMax;
        this.nonces = nonces;
        this.stats = stats;
    }

    /**
     * Submits a batch. {@code signature} is the API request's (verified here once the whole body is
     * read; its nonce is recorded in the same transaction); null for an inbox file whose envelope
     * was verified before.
     */
    public Accepted submit(String clientId, Source source, Format format, InputStream content,
            RequestAuthenticator.SignedRequest signature) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (signature != null) {
                    refuseSeenNonce(connection, clientId, signature.nonce());
                }
                long startNanos = System.nanoTime();
                Accepted accepted = submitInTransaction(connection, clientId, source, format, content, signature);
                connection.commit();
                stats.record(accepted.itemCount(), startNanos, System.nanoTime());
                return accepted;
            } catch (AlreadyStored stored) {
                // the same batch again: answer with its state, store nothing (not even this copy's rows)
                connection.rollback();
                return stored.accepted;
            } catch (RuntimeException | SQLException | IOException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while storing a batch", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the batch failed", e);
        }
    }

    /** Where an intake's time goes, for the debug log: milliseconds per step. */
    private static final class IntakeTimer {
        private final StringBuilder laps = new StringBuilder();
        private long lastNanos;

        IntakeTimer(long startNanos) {
            this.lastNanos = startNanos;
        }

        void lap(String step) {
            long nanos = System.nanoTime();
            laps.append(laps.isEmpty() ? "" : ", ").append(step).append(' ').append((nanos - lastNanos) / 1_000_000).append(" ms");
            lastNanos = nanos;
        }

        @Override
        public String toString() {
            return laps.toString();
        }
    }

    /** Why a transaction ends without storing: the batch is already there (the caller rolls back). */
    private static final class AlreadyStored extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Accepted accepted;

        AlreadyStored(Accepted accepted) {
            super(null, null, false, false);
            this.accepted = accepted;
        }
    }

    private Accepted submitInTransaction(Connection connection, String clientId, Source source, Format format,
            InputStream content, RequestAuthenticator.SignedRequest signature) throws SQLException, IOException {
        long startNanos = System.nanoTime();
        IntakeTimer timer = new IntakeTimer(startNanos);
        long batchPk;
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select nextval(pg_get_serial_sequence('batches', 'batch_pk'))")) {
            rows.next();
            batchPk = rows.getLong(1);
        }
        // The items stream into a staging table with the verdict of their own checks; they reach the
        // ledger once, in their final state, when every check has run. Nothing of this transaction
        // is visible to anyone until it commits, and a refusal rolls it all back, the table included.
        try (Statement statement = connection.createStatement()) {
            statement.execute(CREATE_STAGING);
        }
        LocalDate today = LocalDate.now(clock.withZone(zone));
        Timestamp now = Timestamp.from(clock.instant());
        GuardedBody body = new GuardedBody(content, bodyBytesMax, signature);
        BatchParser.Parsed parsed;
        PGCopyOutputStream copy = new PGCopyOutputStream(connection.unwrap(PGConnection.class),
                "copy intake_items (seq, item_id, holder_name, id_number, card_number, amount_fen, household_head, "
                        + "proxy_id, phone, code, bank_code, person_key) from stdin", 1 << 16);
        try {
            CopyRows rows = new CopyRows(copy);
            BatchParser.ItemSink sink = item -> {
                ItemChecks.Verdict verdict = checks.check(item.name(), item.idNumber(), item.cardNumber(),
                        item.amountFen(), item.proxyId(), item.phone(), today);
                try {
                    rows.number(item.seq()).text(item.itemId()).text(item.name()).text(item.idNumber())
                            .text(item.cardNumber()).number(item.amountFen()).bool(item.householdHead())
                            .text(item.proxyId()).text(item.phone())
                            .text(verdict.passed() ? null : verdict.code().name()).text(verdict.bankCode());
                    if (verdict.passed()) {
                        rows.number(IdentityNumbers.personKey(item.idNumber()));
                    } else {
                        rows.text(null);
                    }
                    rows.endRow();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            parsed = format == Format.JSON ? parser.parseJson(body, sink) : parser.parseJsonLines(body, sink);
            body.drain();
            rows.flush();
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        timer.lap("stream");
        if (signature != null) {
            signature.verify();
            nonces.spend(connection, clientId, signature.nonce());
        }
        BatchHeader header = parsed.header();

        Long existing = existingBatch(connection, clientId, header.batchId(), parsed.contentSm3());
        if (existing != null) {
            throw new AlreadyStored(new Accepted(existing, header.batchId(), false, 0));
        }
        Programme programme = catalogue.find(header.programCode()).orElseThrow(() -> ApiException.field(
                ApiCode.PROGRAM_UNKNOWN, "programCode", "not in the subsidy catalogue"));
        if (parsed.itemsRead() != header.itemCount()) {
            throw new ApiException(ApiCode.COUNT_MISMATCH,
                    "itemCount is " + header.itemCount() + " but the batch holds " + parsed.itemsRead() + " items");
        }
        if (parsed.itemsTotalFen() != header.totalAmountFen()) {
            throw new ApiException(ApiCode.TOTAL_MISMATCH, "totalAmountFen is " + header.totalAmountFen()
                    + " but the items sum to " + parsed.itemsTotalFen());
        }
        try (Statement statement = connection.createStatement()) {
            // Without statistics a planner guesses the staging table's size; with them it knows it, and
            // no statement below joins it with anything but stored tables on their keys.
            statement.execute("set local default_statistics_target = "
                    + STAGING_SAMPLE_ROWS / SAMPLE_ROWS_PER_STATISTICS_TARGET);
            statement.execute("analyze intake_items");
        }
        timer.lap("analyse");
        refuseDuplicateItemIds(connection);

        if (!insertBatch(connection, batchPk, clientId, source, header, parsed.contentSm3())) {
            // another request stored the same batch id a moment ago
            Long raced = existingBatch(connection, clientId, header.batchId(), parsed.contentSm3());
            if (raced == null) {
                throw new IllegalStateException("batch " + header.batchId() + " conflicts with a batch the ledger does not show");
            }
            throw new AlreadyStored(new Accepted(raced, header.batchId(), false, 0));
        }
        timer.lap("header");
        List<ReportedItem> reported = takeIn(connection, batchPk, header, programme, now, timer);
        BatchTally tally = tally(parsed, reported);
        outbox.enqueueResults(connection, batchPk, header.batchId(), reported);
        outbox.settle(connection, batchPk, header.batchId(), true, tally);
        timer.lap("outbox");
        log.debug("batch {}: {}", header.batchId(), timer);
        long micros = Math.max(1, (System.nanoTime() - startNanos) / 1_000);
        log.info("batch {} from {} accepted: {} items, {} fen; validated {}, rejected {}, held {}; stored in {} ms "
                + "({} items/s before commit)", header.batchId(), clientId, header.itemCount(), header.totalAmountFen(),
                tally.count(ItemState.VALIDATED), tally.count(ItemState.REJECTED), tally.count(ItemState.HELD),
                micros / 1_000, header.itemCount() * 1_000_000L / micros);
        return new Accepted(batchPk, header.batchId(), true, header.itemCount());
    }

    private void refuseSeenNonce(Connection connection, String clientId, String nonce) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "select 1 from nonces where client_id = ? and nonce = ? and expires_at > ?")) {
            select.setString(1, clientId);
            select.setString(2, nonce);
            select.setTimestamp(3, Timestamp.from(clock.instant()));
            try (ResultSet rows = select.executeQuery()) {
                if (rows.next()) {
                    throw new ApiException(ApiCode.NONCE_REPLAYED, "the nonce was used before");
                }
            }
        }
    }


    private static Long existingBatch(Connection connection, String clientId, String batchId, byte[] contentSm3)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "select batch_pk, content_sm3 from batches where client_id = ? and batch_id = ?")) {
            select.setString(1, clientId);
            select.setString(2, batchId);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                if (!Arrays.equals(rows.getBytes(2), contentSm3)) {
                    throw new ApiException(ApiCode.BATCH_CONFLICT,
                            "batch " + batchId + " was received before with different content");
                }
                return rows.getLong(1);
            }
        }
    }

    private static void refuseDuplicateItemIds(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "select min(seq), max(seq) from intake_items group by item_id having count(*) > 1 order by 1 limit 1")) {
            ResultSet rows = select.executeQuery();
            if (rows.next()) {
                int first = rows.getInt(1);
                throw ApiException.field(ApiCode.DUPLICATE_ITEM_ID, "items[" + (rows.getInt(2) - 1) + "].itemId",
                        "repeats the item id of items[" + (first - 1) + "]");
            }
        }
    }

    private boolean insertBatch(Connection connection, long batchPk, String clientId, Source source, BatchHeader header,
            byte[] contentSm3) throws SQLException {
        Timestamp now = Timestamp.from(clock.instant());
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into batches (batch_pk, client_id, batch_id, program_code, program_name, period, payer_account, "
                        + "callback_url, item_count, total_amount_fen, content_sm3, source, state, received_at, updated_at) "
                        + "overriding system value values (" + batchPk + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'RECEIVED', ?, ?) "
                        + "on conflict (client_id, batch_id) do nothing returning batch_pk")) {
            insert.setString(1, clientId);
            insert.setString(2, header.batchId());
            insert.setString(3, header.programCode());
            insert.setString(4, header.programName());
            insert.setString(5, header.period());
            insert.setString(6, header.payerAccount());
            insert.setString(7, header.callbackUrl());
            insert.setInt(8, header.itemCount());
            insert.setLong(9, header.totalAmountFen());
            insert.setBytes(10, contentSm3);
            insert.setString(11, source.name());
            insert.setTimestamp(12, now);
            insert.setTimestamp(13, now);
            try (ResultSet rows = insert.executeQuery()) {
                return rows.next();
            }
        }
    }

    /**
     * Runs the checks against the programme and stored data on the staged items and writes every item
     * into the ledger in its final state, with its claim and its intake event, in one statement
     * ({@link #TAKE_IN}); returns the items to report (rejected and held), in batch order.
     */
    private List<ReportedItem> takeIn(Connection connection, long batchPk, BatchHeader header, Programme programme,
            Timestamp now, IntakeTimer timer) throws SQLException {
        boolean registryLoaded;
        try (Statement statement = connection.createStatement()) {
            // No planner settings beyond memory: the staging table is analysed and every join is on a
            // stored table's unique key, so whichever join the planner picks reads linearly. Memory:
            // the window's sort, the feeds' hash tables and the rows just written stay in it.
            statement.execute("set local work_mem = '64MB'");
            try (ResultSet rows = statement.executeQuery("select 1 from feed_loads where feed = 'CARD_REGISTRY'")) {
                registryLoaded = rows.next();
            }
        }
        // Across batches: a person whose entitlement (programme, period) another item holds, paid or
        // in flight, is a duplicate. Batches of one programme and period pass this point one at a
        // time (a transaction lock), so two batches naming the same person cannot both claim them.
        try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            lock.setString(1, "entitlements:" + header.programCode() + ":" + header.period());
            lock.execute();
        }
        timer.lap("lock");
        List<ReportedItem> reported = new ArrayList<>();
        try (PreparedStatement takeIn = connection.prepareStatement(TAKE_IN)) {
            int p = 0;
            takeIn.setLong(++p, programme.itemCapFen());
            takeIn.setString(++p, ItemCode.AMOUNT_OVER_CAP.name());
            takeIn.setBoolean(++p, programme.household());
            takeIn.setString(++p, ItemCode.NOT_HOUSEHOLD_HEAD.name());
            takeIn.setArray(++p, texts(connection, BLOCK_REASON_CODES.values()));
            takeIn.setArray(++p, texts(connection, BLOCK_REASON_CODES.keys()));
            takeIn.setBoolean(++p, registryLoaded);
            takeIn.setString(++p, ItemCode.CARD_NOT_IN_REGISTRY.name());
            takeIn.setString(++p, ItemCode.CARD_HOLDER_MISMATCH.name());
            takeIn.setArray(++p, texts(connection, CARD_STATE_CODES.values()));
            takeIn.setArray(++p, texts(connection, CARD_STATE_CODES.keys()));
            takeIn.setString(++p, header.programCode());
            takeIn.setString(++p, header.period());
            takeIn.setString(++p, ItemCode.DUPLICATE_IN_BATCH.name());
            takeIn.setString(++p, ItemCode.DUPLICATE_ACROSS_BATCHES.name());
            takeIn.setLong(++p, batchPk);
            takeIn.setArray(++p, texts(connection, INTAKE_STATES.values()));
            takeIn.setArray(++p, texts(connection, INTAKE_STATES.keys()));
            takeIn.setTimestamp(++p, now);
            takeIn.setString(++p, header.programCode());
            takeIn.setString(++p, header.period());
            takeIn.setLong(++p, batchPk);
            takeIn.setString(++p, ItemState.VALIDATED.name());
            takeIn.setLong(++p, batchPk);
            takeIn.setString(++p, ItemState.RECEIVED.name());
            takeIn.setTimestamp(++p, now);
            takeIn.setArray(++p, texts(connection, REPORTED_STATES));
            try (ResultSet rows = takeIn.executeQuery()) {
                while (rows.next()) {
                    reported.add(new ReportedItem(rows.getString(1), ItemState.valueOf(rows.getString(2)), rows.getString(3),
                            rows.getLong(4), rows.getString(5), null, rows.getObject(6, OffsetDateTime.class)));
                }
            }
        }
        timer.lap("verdicts");
        return reported;
    }

    private static java.sql.Array texts(Connection connection, List<String> values) throws SQLException {
        return connection.createArrayOf("text", values.toArray());
    }

    /** The batch's counts: the reported items as they are, every other item validated. */
    private static BatchTally tally(BatchParser.Parsed parsed, List<ReportedItem> reported) {
        BatchTally.Counter counter = new BatchTally.Counter();
        long reportedFen = 0;
        for (ReportedItem item : reported) {
            counter.add(item.state(), item.code(), 1, item.amountFen());
            reportedFen += item.amountFen();
        }
        return counter.add(ItemState.VALIDATED, null, parsed.itemsRead() - reported.size(),
                parsed.itemsTotalFen() - reportedFen).tally();
    }
}
