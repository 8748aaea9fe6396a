package cn.onecard.gateway.intake;

import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import cn.onecard.gateway.db.CopyRows;
import cn.onecard.gateway.ledger.BatchTally;
import cn.onecard.gateway.ledger.BatchWriter;
import cn.onecard.gateway.ledger.ItemState;
import cn.onecard.gateway.ledger.ItemWriter;
import cn.onecard.gateway.ledger.ReportedItem;
import cn.onecard.gateway.results.CallbackHosts;
import cn.onecard.gateway.validation.IdentityNumbers;
import cn.onecard.gateway.validation.ItemChecks;
import cn.onecard.gateway.validation.SubsidyCatalogue.Programme;
import cn.onecard.gateway.validation.SubsidyCatalogue;
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
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
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
     * Rows ANALYZE samples from the staging table: they tell its row count and distinct values as
     * well as PostgreSQL's default 30,000, which took 160 ms per 100,000 items.
     */
    private static final int STAGING_SAMPLE_ROWS = 3_000;
    /** PostgreSQL's statistics target is in units of 300 sampled rows. */
    private static final int SAMPLE_ROWS_PER_STATISTICS_TARGET = 300;

    private final DataSource dataSource;
    private final BatchParser parser;
    private final ItemChecks checks;
    private final SubsidyCatalogue catalogue;
    private final ItemWriter items;
    private final BatchWriter batches;
    private final Clock clock;
    private final ZoneId zone;
    private final long bodyBytesMax;
    private final IntakeStats stats;
    private final CallbackHosts callbackHosts;

    public BatchIntake(DataSource dataSource, BatchParser parser, ItemChecks checks, SubsidyCatalogue catalogue,
            ItemWriter items, BatchWriter batches, Clock clock, ZoneId zone, long bodyBytesMax, IntakeStats stats,
            CallbackHosts callbackHosts) {
        this.dataSource = dataSource;
        this.parser = parser;
        this.checks = checks;
        this.catalogue = catalogue;
        this.items = items;
        this.batches = batches;
        this.clock = clock;
        this.zone = zone;
        this.bodyBytesMax = bodyBytesMax;
        this.stats = stats;
        this.callbackHosts = callbackHosts;
    }

    /**
     * Submits a batch whose sender was authenticated before: an API request whose signature verified,
     * an inbox file whose envelope did.
     */
    public Accepted submit(String clientId, Source source, Format format, InputStream content) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                long startNanos = System.nanoTime();
                Accepted accepted = submitInTransaction(connection, clientId, source, format, content);
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
            InputStream content) throws SQLException, IOException {
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
        ItemWriter.createStaging(connection);
        LocalDate today = LocalDate.now(clock.withZone(zone));
        Timestamp now = Timestamp.from(clock.instant());
        GuardedBody body = new GuardedBody(content, bodyBytesMax);
        BatchParser.Parsed parsed;
        PGCopyOutputStream copy = new PGCopyOutputStream(connection.unwrap(PGConnection.class), ItemWriter.STAGING_COPY, 1 << 16);
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
        BatchHeader header = parsed.header();

        Long existing = existingBatch(connection, clientId, header.batchId(), parsed.contentSm3());
        if (existing != null) {
            throw new AlreadyStored(new Accepted(existing, header.batchId(), false, 0));
        }
        // in the order of docs/codes.md: count, total, programme, callback
        if (parsed.itemsRead() != header.itemCount()) {
            throw new ApiException(ApiCode.COUNT_MISMATCH,
                    "itemCount is " + header.itemCount() + " but the batch holds " + parsed.itemsRead() + " items");
        }
        if (parsed.itemsTotalFen() != header.totalAmountFen()) {
            throw new ApiException(ApiCode.TOTAL_MISMATCH, "totalAmountFen is " + header.totalAmountFen()
                    + " but the items sum to " + parsed.itemsTotalFen());
        }
        Programme programme = catalogue.find(header.programCode()).orElseThrow(() -> ApiException.field(
                ApiCode.PROGRAM_UNKNOWN, "programCode", "not in the subsidy catalogue"));
        callbackHosts.refusal(clientId, header.callbackUrl(), false).ifPresent(reason -> {
            throw ApiException.field(ApiCode.CALLBACK_NOT_ALLOWED, "callbackUrl", reason);
        });
        try (Statement statement = connection.createStatement()) {
            // Without statistics a planner guesses the staging table's size; with them it knows it, and
            // no statement below joins it with anything but stored tables on their keys.
            statement.execute("set local default_statistics_target = "
                    + STAGING_SAMPLE_ROWS / SAMPLE_ROWS_PER_STATISTICS_TARGET);
            statement.execute("analyze intake_items");
        }
        timer.lap("analyse");
        refuseDuplicateItemIds(connection);

        if (!batches.insertReceived(connection, batchPk, new BatchWriter.NewBatch(clientId, header.batchId(),
                header.programCode(), header.programName(), header.period(), header.payerAccount(), header.callbackUrl(),
                header.itemCount(), header.totalAmountFen(), parsed.contentSm3(), source.name()))) {
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
        batches.itemsChanged(connection, batchPk, "intake", tally);
        timer.lap("outbox");
        log.debug("batch {}: {}", header.batchId(), timer);
        long micros = Math.max(1, (System.nanoTime() - startNanos) / 1_000);
        log.info("batch {} from {} accepted: {} items, {} fen; validated {}, rejected {}, held {}; stored in {} ms "
                + "({} items/s before commit)", header.batchId(), clientId, header.itemCount(), header.totalAmountFen(),
                tally.count(ItemState.VALIDATED), tally.count(ItemState.REJECTED), tally.count(ItemState.HELD),
                micros / 1_000, header.itemCount() * 1_000_000L / micros);
        return new Accepted(batchPk, header.batchId(), true, header.itemCount());
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

    /**
     * Screens the staged items and admits them into the ledger ({@link ItemWriter#admit}) under the
     * programme and period's lock; returns the items reported (rejected and held), in batch order.
     */
    private List<ReportedItem> takeIn(Connection connection, long batchPk, BatchHeader header, Programme programme,
            Timestamp now, IntakeTimer timer) throws SQLException {
        boolean registryLoaded;
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select 1 from feed_loads where feed = 'CARD_REGISTRY'")) {
            registryLoaded = rows.next();
        }
        // Across batches: a person whose entitlement (programme, period) another item holds, paid or
        // in flight, is a duplicate. Batches of one programme and period pass this point one at a
        // time (a transaction lock), so two batches naming the same person cannot both claim them.
        try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            lock.setString(1, "entitlements:" + header.programCode() + ":" + header.period());
            lock.execute();
        }
        timer.lap("lock");
        List<ReportedItem> reported = items.admit(connection, new ItemWriter.Admission(batchPk, header.batchId(),
                header.programCode(), header.period(), programme.itemCapFen(), programme.household(), registryLoaded, now));
        timer.lap("verdicts");
        return reported;
    }

    /** The batch's counts: the reported items as they are, every other item validated. */
    private static BatchTally tally(BatchParser.Parsed parsed, List<ReportedItem> reported) {
        BatchTally tally = new BatchTally();
        long reportedFen = 0;
        for (ReportedItem item : reported) {
            tally.add(item.state(), item.code(), 1, item.amountFen());
            reportedFen += item.amountFen();
        }
        return tally.add(ItemState.VALIDATED, null, parsed.itemsRead() - reported.size(), parsed.itemsTotalFen() - reportedFen);
    }
}
