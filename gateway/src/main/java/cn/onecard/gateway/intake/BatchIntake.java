package cn.onecard.gateway.intake;

import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import cn.onecard.gateway.db.CopyRows;
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
    public record Accepted(long batchPk, String batchId, boolean created) {
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

    public BatchIntake(DataSource dataSource, BatchParser parser, ItemChecks checks, SubsidyCatalogue catalogue,
            ReportOutbox outbox, Clock clock, ZoneId zone, long bodyBytesMax, Nonces nonces) {
        this.dataSource = dataSource;
        this.parser = parser;
        this.checks = checks;
        this.catalogue = catalogue;
        this.outbox = outbox;
        this.clock = clock;
        this.zone = zone;
        this.bodyBytesMax = bodyBytesMax;
        this.nonces = nonces;
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
                Accepted accepted = submitInTransaction(connection, clientId, source, format, content, signature);
                connection.commit();
                return accepted;
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

    private Accepted submitInTransaction(Connection connection, String clientId, Source source, Format format,
            InputStream content, RequestAuthenticator.SignedRequest signature) throws SQLException, IOException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("create temp table staging (seq integer, item_id text, holder_name text, "
                    + "id_number text, card_number text, amount_fen bigint, household_head boolean, proxy_id text, "
                    + "phone text, code text, bank_code text) on commit drop");
        }
        LocalDate today = LocalDate.now(clock.withZone(zone));
        GuardedBody body = new GuardedBody(content, bodyBytesMax, signature);
        BatchParser.Parsed parsed;
        PGCopyOutputStream copy = new PGCopyOutputStream(connection.unwrap(PGConnection.class),
                "copy staging from stdin", 1 << 16);
        try {
            CopyRows rows = new CopyRows(copy);
            BatchParser.ItemSink sink = item -> {
                ItemChecks.Verdict verdict = checks.check(item.name(), item.idNumber(), item.cardNumber(),
                        item.amountFen(), item.proxyId(), item.phone(), today);
                try {
                    rows.number(item.seq()).text(item.itemId()).text(item.name()).text(item.idNumber())
                            .text(item.cardNumber()).number(item.amountFen()).bool(item.householdHead())
                            .text(item.proxyId()).text(item.phone())
                            .text(verdict.code() == null ? null : verdict.code().name()).text(verdict.bankCode());
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
        if (signature != null) {
            signature.verify();
            nonces.spend(connection, clientId, signature.nonce());
        }
        BatchHeader header = parsed.header();

        Long existing = existingBatch(connection, clientId, header.batchId(), parsed.contentSm3());
        if (existing != null) {
            return new Accepted(existing, header.batchId(), false);
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
        refuseDuplicateItemIds(connection);

        long batchPk = insertBatch(connection, clientId, source, header, parsed.contentSm3());
        if (batchPk < 0) {
            // another request stored the same batch id a moment ago
            Long raced = existingBatch(connection, clientId, header.batchId(), parsed.contentSm3());
            if (raced != null) {
                return new Accepted(raced, header.batchId(), false);
            }
            throw new IllegalStateException("batch id vanished while storing it");
        }
        screenAndStore(connection, batchPk, header, programme);
        outbox.enqueueResults(connection, batchPk, header.batchId(), reportable(connection, batchPk));
        var tally = outbox.settle(connection, batchPk, header.batchId(), true);
        log.info("batch {} from {} accepted: {} items, {} fen; validated {}, rejected {}, held {}", header.batchId(),
                clientId, header.itemCount(), header.totalAmountFen(), tally.count(ItemState.VALIDATED),
                tally.count(ItemState.REJECTED), tally.count(ItemState.HELD));
        return new Accepted(batchPk, header.batchId(), true);
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
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "select min(seq), max(seq) from staging group by item_id having count(*) > 1 order by 1 limit 1")) {
            if (rows.next()) {
                int first = rows.getInt(1);
                throw ApiException.field(ApiCode.DUPLICATE_ITEM_ID, "items[" + (rows.getInt(2) - 1) + "].itemId",
                        "repeats the item id of items[" + (first - 1) + "]");
            }
        }
    }

    private long insertBatch(Connection connection, String clientId, Source source, BatchHeader header,
            byte[] contentSm3) throws SQLException {
        Timestamp now = Timestamp.from(clock.instant());
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into batches (client_id, batch_id, program_code, program_name, period, payer_account, "
                        + "callback_url, item_count, total_amount_fen, content_sm3, source, state, received_at, updated_at) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'RECEIVED', ?, ?) "
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
                return rows.next() ? rows.getLong(1) : -1;
            }
        }
    }

    /**
     * The set-based checks, in {@link ItemCode}'s precedence: the item's own checks (already in
     * staging.code), the programme's cap and household rule, blocked persons, the card registry,
     * then duplicates within the batch and across batches among the items still passing.
     */
    private void screenAndStore(Connection connection, long batchPk, BatchHeader header, Programme programme)
            throws SQLException {
        boolean registryLoaded;
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select 1 from feed_loads where feed = 'CARD_REGISTRY'")) {
            registryLoaded = rows.next();
        }
        try (PreparedStatement screen = connection.prepareStatement(
                "create temp table screened on commit drop as "
                        + "select s.seq, s.id_number, coalesce(s.code, "
                        + "  case when s.amount_fen > ? then 'AMOUNT_OVER_CAP' "
                        + "       when ? and not s.household_head then 'NOT_HOUSEHOLD_HEAD' end, "
                        + "  case b.reason when 'DECEASED' then 'PERSON_DECEASED' when 'BLOCKED' then 'PERSON_BLOCKED' end, "
                        + "  case when r.card_number is null then case when ? then 'CARD_NOT_IN_REGISTRY' end "
                        + "       when r.id_number <> s.id_number then 'CARD_HOLDER_MISMATCH' "
                        + "       when r.state <> 'NORMAL' then 'CARD_' || r.state end) as code "
                        + "from staging s "
                        + "left join blocked_persons b on b.id_number = s.id_number "
                        + "left join card_registry r on r.card_number = s.card_number")) {
            screen.setLong(1, programme.itemCapFen());
            screen.setBoolean(2, programme.household());
            screen.setBoolean(3, registryLoaded);
            screen.execute();
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("update screened set code = 'DUPLICATE_IN_BATCH' from ("
                    + "select seq, row_number() over (partition by id_number order by seq) as n "
                    + "from screened where code is null) d where d.seq = screened.seq and d.n > 1");
        }
        try (PreparedStatement claim = connection.prepareStatement(
                "insert into entitlements (program_code, period, id_number, batch_pk, seq) "
                        + "select ?, ?, id_number, ?, seq from screened where code is null "
                        + "on conflict (program_code, period, id_number) do nothing")) {
            claim.setString(1, header.programCode());
            claim.setString(2, header.period());
            claim.setLong(3, batchPk);
            claim.executeUpdate();
        }
        try (PreparedStatement across = connection.prepareStatement(
                "update screened set code = 'DUPLICATE_ACROSS_BATCHES' where code is null and not exists ("
                        + "select 1 from entitlements e where e.program_code = ? and e.period = ? "
                        + "and e.id_number = screened.id_number and e.batch_pk = ? and e.seq = screened.seq)")) {
            across.setString(1, header.programCode());
            across.setString(2, header.period());
            across.setLong(3, batchPk);
            across.executeUpdate();
        }
        List<String> holdCodes = new ArrayList<>();
        for (ItemCode code : ItemCode.values()) {
            if (code.outcome() == ItemCode.Outcome.HOLD) {
                holdCodes.add(code.name());
            }
        }
        Timestamp now = Timestamp.from(clock.instant());
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into items (batch_pk, seq, item_id, holder_name, id_number, card_number, amount_fen, "
                        + "household_head, proxy_id, phone, state, code, bank_code, updated_at) "
                        + "select ?, s.seq, s.item_id, s.holder_name, s.id_number, s.card_number, s.amount_fen, "
                        + "s.household_head, s.proxy_id, s.phone, "
                        + "case when c.code is null then 'VALIDATED' when c.code = any(?) then 'HELD' else 'REJECTED' end, "
                        + "c.code, s.bank_code, ? from staging s join screened c on c.seq = s.seq")) {
            insert.setLong(1, batchPk);
            insert.setArray(2, connection.createArrayOf("text", holdCodes.toArray()));
            insert.setTimestamp(3, now);
            insert.executeUpdate();
        }
        try (PreparedStatement events = connection.prepareStatement(
                "insert into item_events (batch_pk, seq, from_state, to_state, code, cause, at) "
                        + "select batch_pk, seq, 'RECEIVED', state, code, 'intake', ? from items where batch_pk = ?")) {
            events.setTimestamp(1, now);
            events.setLong(2, batchPk);
            events.executeUpdate();
        }
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
