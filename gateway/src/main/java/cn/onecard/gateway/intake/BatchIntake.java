package cn.onecard.gateway.intake;

import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import cn.onecard.gateway.db.CopyRows;
import cn.onecard.gateway.ledger.BatchTally;
import cn.onecard.gateway.ledger.BatchWriter;
import cn.onecard.gateway.ledger.ItemState;
import cn.onecard.gateway.ledger.ReportOutbox;
import cn.onecard.gateway.ledger.ReportedItem;
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
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a treasury batch into the ledger, all or nothing, in one transaction: the items stream from
 * the parser through their own checks into a COPY; the batch-level checks, the checks against
 * stored data (blocked persons, card registry, programme caps, duplicates within the batch and
 * across batches) then run set-based; every item lands VALIDATED, REJECTED or HELD with one event
 * row, and the rejected and held ones are reported through the outbox. A refused batch leaves no
 * trace: the transaction rolls back.
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
    private final BatchWriter batches;

    public BatchIntake(DataSource dataSource, BatchParser parser, ItemChecks checks, SubsidyCatalogue catalogue,
            ReportOutbox outbox, BatchWriter batches, Clock clock, ZoneId zone, long bodyBytesMax, Nonces nonces,
            IntakeStats stats) {
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
        this.batches = batches;
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
        // The items go straight into the ledger with the verdict of their own checks; nothing of
        // this transaction is visible to anyone until it commits, and a refusal rolls it all back.
        LocalDate today = LocalDate.now(clock.withZone(zone));
        Timestamp now = Timestamp.from(clock.instant());
        String nowText = now.toInstant().toString();
        GuardedBody body = new GuardedBody(content, bodyBytesMax, signature);
        BatchParser.Parsed parsed;
        PGCopyOutputStream copy = new PGCopyOutputStream(connection.unwrap(PGConnection.class),
                "copy items (batch_pk, seq, item_id, holder_name, id_number, card_number, amount_fen, household_head, "
                        + "proxy_id, phone, state, code, bank_code, updated_at) from stdin", 1 << 16);
        RepeatedPersons persons = new RepeatedPersons();
        try {
            CopyRows rows = new CopyRows(copy);
            BatchParser.ItemSink sink = item -> {
                ItemChecks.Verdict verdict = checks.check(item.name(), item.idNumber(), item.cardNumber(),
                        item.amountFen(), item.proxyId(), item.phone(), today);
                if (verdict.passed()) {
                    persons.add(item.seq(), item.idNumber());
                }
                try {
                    rows.number(batchPk).number(item.seq()).text(item.itemId()).text(item.name()).text(item.idNumber())
                            .text(item.cardNumber()).number(item.amountFen()).bool(item.householdHead())
                            .text(item.proxyId()).text(item.phone())
                            .text(verdict.passed() ? "VALIDATED" : "REJECTED")
                            .text(verdict.passed() ? null : verdict.code().name()).text(verdict.bankCode()).text(nowText);
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
        refuseDuplicateItemIds(connection, batchPk);

        if (!insertBatch(connection, batchPk, clientId, source, header, parsed.contentSm3())) {
            // another request stored the same batch id a moment ago
            Long raced = existingBatch(connection, clientId, header.batchId(), parsed.contentSm3());
            if (raced == null) {
                throw new IllegalStateException("batch " + header.batchId() + " conflicts with a batch the ledger does not show");
            }
            throw new AlreadyStored(new Accepted(raced, header.batchId(), false, 0));
        }
        timer.lap("header");
        screen(connection, batchPk, header, programme, now, persons.passed(), persons.seqsOfRepeatedPersons(), timer);
        outbox.enqueueResults(connection, batchPk, header.batchId(), reportable(connection, batchPk));
        batches.itemsChanged(connection, batchPk, "intake");
        BatchTally tally = BatchWriter.tally(connection, batchPk);
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

    private static void refuseDuplicateItemIds(Connection connection, long batchPk) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "select min(seq), max(seq) from items where batch_pk = ? group by item_id having count(*) > 1 order by 1 limit 1")) {
            select.setLong(1, batchPk);
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
     * The set-based checks, run on the items that passed their own checks, in {@link ItemCode}'s
     * precedence: the programme's cap and household rule, blocked persons and the card registry,
     * then duplicates within the batch and across batches. Each changes only the items that fail,
     * few in a normal batch. The passing items claim their entitlements, and every item gets its one
     * intake event.
     */
    private void screen(Connection connection, long batchPk, BatchHeader header, Programme programme, Timestamp now,
            int passedOwnChecks, int[] repeatedPersonSeqs, IntakeTimer timer) throws SQLException {
        int passing = passedOwnChecks;
        boolean registryLoaded;
        try (Statement statement = connection.createStatement()) {
            // Every statement below walks indexes: this batch's rows by the primary key, the feeds and
            // entitlements by theirs, one probe per item. Statistics of rows inserted a moment ago are
            // stale, and a planner trusting them would scan a million-row table once per item, or hash
            // a whole registry for one batch; for this transaction, only nested loops over indexes.
            statement.execute("set local enable_seqscan = off");
            statement.execute("set local enable_hashjoin = off");
            statement.execute("set local enable_mergejoin = off");
            statement.execute("set local enable_material = off");
            // the claims are sorted in memory, not on disk
            statement.execute("set local work_mem = '64MB'");
            try (ResultSet rows = statement.executeQuery("select 1 from feed_loads where feed = 'CARD_REGISTRY'")) {
                registryLoaded = rows.next();
            }
        }
        try (PreparedStatement screen = connection.prepareStatement(
                "update items i set state = 'REJECTED', code = f.code from (select it.seq, coalesce("
                        + "  case when it.amount_fen > ? then 'AMOUNT_OVER_CAP' "
                        + "       when ? and not it.household_head then 'NOT_HOUSEHOLD_HEAD' end, "
                        + "  case b.reason when 'DECEASED' then 'PERSON_DECEASED' when 'BLOCKED' then 'PERSON_BLOCKED' end, "
                        + "  case when r.card_number is null then case when ? then 'CARD_NOT_IN_REGISTRY' end "
                        + "       when r.id_number <> it.id_number then 'CARD_HOLDER_MISMATCH' "
                        + "       when r.state <> 'NORMAL' then 'CARD_' || r.state end) as code "
                        + "from items it "
                        + "left join blocked_persons b on b.id_number = it.id_number "
                        + "left join card_registry r on r.card_number = it.card_number "
                        + "where it.batch_pk = ? and it.state = 'VALIDATED') f "
                        + "where i.batch_pk = ? and i.seq = f.seq and f.code is not null")) {
            screen.setLong(1, programme.itemCapFen());
            screen.setBoolean(2, programme.household());
            screen.setBoolean(3, registryLoaded);
            screen.setLong(4, batchPk);
            screen.setLong(5, batchPk);
            passing -= screen.executeUpdate();
        }
        timer.lap("screen");
        // Within the batch: among the items still passing, a person's first item stays, the later
        // ones are held. Only the items whose person occurs more than once are looked at.
        if (repeatedPersonSeqs.length > 0) {
            try (PreparedStatement repeated = connection.prepareStatement(
                    "update items i set state = 'HELD', code = 'DUPLICATE_IN_BATCH' from (select seq, "
                            + "row_number() over (partition by id_number order by seq) as occurrence from items "
                            + "where batch_pk = ? and seq = any(?) and state = 'VALIDATED') d "
                            + "where i.batch_pk = ? and i.seq = d.seq and d.occurrence > 1")) {
                repeated.setLong(1, batchPk);
                repeated.setArray(2, connection.createArrayOf("integer",
                        java.util.Arrays.stream(repeatedPersonSeqs).boxed().toArray()));
                repeated.setLong(3, batchPk);
                passing -= repeated.executeUpdate();
            }
        }
        timer.lap("repeated");
        // Across batches: a person whose entitlement (programme, period) another item holds, paid or
        // in flight, is a duplicate. Batches of one programme and period pass this point one at a
        // time (a transaction lock), so two batches naming the same person cannot both claim them.
        try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            lock.setString(1, "entitlements:" + header.programCode() + ":" + header.period());
            lock.execute();
        }
        // The check and the claim are one statement: an item whose person's entitlement someone holds
        // claims nothing; the items left without a claim are then held. In a normal batch that is
        // none, and the second statement does not run.
        int claimed;
        try (PreparedStatement claim = connection.prepareStatement(
                "insert into entitlements (program_code, period, id_number, batch_pk, seq) "
                        + "select ?, ?, i.id_number, i.batch_pk, i.seq from items i where i.batch_pk = ? and i.state = 'VALIDATED' "
                        + "and not exists (select 1 from entitlements e "
                        + "where e.program_code = ? and e.period = ? and e.id_number = i.id_number) "
                        // in key order: the index fills page by page instead of touching pages at random
                        + "order by i.id_number")) {
            claim.setString(1, header.programCode());
            claim.setString(2, header.period());
            claim.setLong(3, batchPk);
            claim.setString(4, header.programCode());
            claim.setString(5, header.period());
            claimed = claim.executeUpdate();
        }
        if (claimed != passing) {
            try (PreparedStatement across = connection.prepareStatement(
                    "update items i set state = 'HELD', code = 'DUPLICATE_ACROSS_BATCHES' "
                            + "where i.batch_pk = ? and i.state = 'VALIDATED' and not exists (select 1 from entitlements e "
                            + "where e.program_code = ? and e.period = ? and e.id_number = i.id_number "
                            + "and e.batch_pk = i.batch_pk and e.seq = i.seq)")) {
                across.setLong(1, batchPk);
                across.setString(2, header.programCode());
                across.setString(3, header.period());
                across.executeUpdate();
            }
        }
        timer.lap("claims");
        try (PreparedStatement events = connection.prepareStatement(
                "insert into item_events (batch_pk, seq, from_state, to_state, code, cause, at) "
                        + "select batch_pk, seq, 'RECEIVED', state, code, 'intake', ? from items where batch_pk = ?")) {
            events.setTimestamp(1, now);
            events.setLong(2, batchPk);
            events.executeUpdate();
        }
        timer.lap("events");
        // the settings stay until the commit: the outbox's reads of this batch walk its key as well
    }

    private List<ReportedItem> reportable(Connection connection, long batchPk) throws SQLException {
        List<ReportedItem> items = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "select item_id, state, code, amount_fen, bank_code, updated_at from items "
                        + "where batch_pk = ? and state in ('REJECTED', 'HELD') order by seq")) {
            select.setLong(1, batchPk);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    items.add(new ReportedItem(rows.getString(1), ItemState.valueOf(rows.getString(2)), rows.getString(3),
                            rows.getLong(4), rows.getString(5), null,
                            rows.getObject(6, OffsetDateTime.class)));
                }
            }
        }
        return items;
    }
}
