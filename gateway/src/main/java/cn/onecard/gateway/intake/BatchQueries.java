package cn.onecard.gateway.intake;

import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import cn.onecard.gateway.ledger.BankReferences;
import cn.onecard.gateway.ledger.BatchSummary;
import cn.onecard.gateway.ledger.BatchTally;
import cn.onecard.gateway.ledger.BatchWriter;
import cn.onecard.gateway.ledger.ItemState;
import cn.onecard.iso8583.InputText;
import cn.onecard.iso8583.Masking;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Reads a batch's state and its items for the treasury (docs/api.md); personal data masked. */
public final class BatchQueries {

    public static final int PAGE_SIZE_MAX = 1_000;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    private final DataSource dataSource;
    private final ZoneId zone;

    public BatchQueries(DataSource dataSource, ZoneId zone) {
        this.dataSource = dataSource;
        this.zone = zone;
    }

    public Map<String, Object> batch(String clientId, String batchId) {
        try (Connection connection = dataSource.getConnection()) {
            Map<String, Object> out = new LinkedHashMap<>();
            long batchPk;
            try (PreparedStatement select = connection.prepareStatement(
                    "select batch_pk, batch_id, program_code, period, state, received_at, item_count, total_amount_fen "
                            + "from batches where client_id = ? and batch_id = ?")) {
                select.setString(1, clientId);
                select.setString(2, batchId);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        throw new ApiException(ApiCode.BATCH_NOT_FOUND, "no batch " + InputText.quoted(batchId) + " from this client");
                    }
                    batchPk = rows.getLong(1);
                    out.put("batchId", rows.getString(2));
                    out.put("programCode", rows.getString(3));
                    out.put("period", rows.getString(4));
                    out.put("state", rows.getString(5));
                    out.put("receivedAt", time(rows.getObject(6, OffsetDateTime.class)));
                    out.put("itemCount", rows.getInt(7));
                    out.put("totalAmountFen", rows.getLong(8));
                }
            }
            BatchTally tally = BatchWriter.tally(connection, batchPk);
            long total = tally.itemCount();
            out.put("progress", Map.of("settled", total - tally.inFlight(), "total", total));
            Map<String, Object> summary = BatchSummary.of(tally);
            out.put("complete", summary.get("complete"));
            out.put("byState", summary.get("byState"));
            out.put("byCode", summary.get("byCode"));
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while reading a batch", e);
        }
    }

    public Map<String, Object> items(String clientId, String batchId, String state, String code, int page, int size) {
        if (page < 0 || size < 1 || size > PAGE_SIZE_MAX) {
            throw new ApiException(ApiCode.BAD_FIELD, "page must be 0 or more and size 1 to " + PAGE_SIZE_MAX);
        }
        if (state != null) {
            try {
                ItemState.valueOf(state);
            } catch (IllegalArgumentException e) {
                throw ApiException.field(ApiCode.BAD_FIELD, "state", "not an item state");
            }
        }
        try (Connection connection = dataSource.getConnection()) {
            long batchPk;
            try (PreparedStatement select = connection.prepareStatement(
                    "select batch_pk from batches where client_id = ? and batch_id = ?")) {
                select.setString(1, clientId);
                select.setString(2, batchId);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        throw new ApiException(ApiCode.BATCH_NOT_FOUND, "no batch " + InputText.quoted(batchId) + " from this client");
                    }
                    batchPk = rows.getLong(1);
                }
            }
            List<Map<String, Object>> items = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "select seq, item_id, state, code, amount_fen, holder_name, id_number, card_number, bank_code, "
                            + "dispatch_pk, updated_at from items where batch_pk = ? "
                            + "and (?::text is null or state = ?) and (?::text is null or code = ?) "
                            + "order by seq limit ? offset ?")) {
                select.setLong(1, batchPk);
                select.setString(2, state);
                select.setString(3, state);
                select.setString(4, code);
                select.setString(5, code);
                select.setInt(6, size);
                select.setLong(7, (long) page * size);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        Map<String, Object> item = new LinkedHashMap<>();
                        item.put("itemId", rows.getString(2));
                        item.put("state", rows.getString(3));
                        item.put("code", rows.getString(4));
                        item.put("amountFen", rows.getLong(5));
                        item.put("name", Masking.name(rows.getString(6)));
                        item.put("idNumber", Masking.idNumber(rows.getString(7)));
                        item.put("cardNumber", Masking.card(rows.getString(8)));
                        item.put("bankCode", rows.getString(9));
                        rows.getLong(10);
                        item.put("bankReference", rows.wasNull() ? null : BankReferences.of(batchPk, rows.getInt(1)));
                        item.put("updatedAt", time(rows.getObject(11, OffsetDateTime.class)));
                        items.add(item);
                    }
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("batchId", batchId);
            out.put("page", page);
            out.put("size", size);
            out.put("items", items);
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while reading items", e);
        }
    }

    private String time(OffsetDateTime at) {
        return at == null ? null : TIME.format(at.atZoneSameInstant(zone));
    }
}
