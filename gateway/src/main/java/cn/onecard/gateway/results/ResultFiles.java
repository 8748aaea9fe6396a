package cn.onecard.gateway.results;

import cn.onecard.crypto.EnvelopeSealer;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import cn.onecard.gateway.ledger.BankReferences;
import cn.onecard.gateway.ledger.BatchSummary;
import cn.onecard.gateway.ledger.BatchTally;
import cn.onecard.gateway.ledger.ItemState;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * A batch's results as one signed file, on the treasury's request (docs/api.md): JSON Lines of every
 * item's current report and a closing summary, sealed to the client's key and signed by the gateway.
 * Written to a temporary file first (streamed from a cursor), so memory stays flat for large batches.
 */
public final class ResultFiles {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    private final DataSource dataSource;
    private final Sm2PrivateKey gatewayKey;
    private final ZoneId zone;
    private final JsonMapper json = JsonMapper.builder().build();

    public ResultFiles(DataSource dataSource, Sm2PrivateKey gatewayKey, ZoneId zone) {
        this.dataSource = dataSource;
        this.gatewayKey = gatewayKey;
        this.zone = zone;
    }

    /** Writes the sealed result file of the client's batch to {@code out}. */
    public void write(String clientId, Sm2PublicKey clientKey, String batchId, OutputStream out) throws IOException {
        Path plain = Files.createTempFile("onecard-results", ".jsonl");
        try {
            try (OutputStream lines = new BufferedOutputStream(Files.newOutputStream(plain))) {
                writeLines(clientId, batchId, lines);
            }
            try (InputStream in = Files.newInputStream(plain)) {
                new EnvelopeSealer().seal(in, out, clientKey, gatewayKey, batchId + ".results.jsonl");
            }
        } finally {
            Files.deleteIfExists(plain);
        }
    }

    private void writeLines(String clientId, String batchId, OutputStream out) throws IOException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            long batchPk;
            Map<String, Object> summary = new LinkedHashMap<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "select batch_pk, state, item_count, total_amount_fen, report_sequence from batches "
                            + "where client_id = ? and batch_id = ?")) {
                select.setString(1, clientId);
                select.setString(2, batchId);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        throw new ApiException(ApiCode.BATCH_NOT_FOUND, "no batch " + batchId + " from this client");
                    }
                    batchPk = rows.getLong(1);
                    summary.put("type", "SUMMARY");
                    summary.put("batchId", batchId);
                    // the last callback's sequence: the file holds what the callbacks up to it said
                    summary.put("sequence", rows.getInt(5));
                    summary.put("state", rows.getString(2));
                }
            }
            BatchTally tally = new BatchTally();
            try (PreparedStatement select = connection.prepareStatement(
                    "select seq, item_id, state, code, amount_fen, bank_code, dispatch_pk, updated_at from items "
                            + "where batch_pk = ? order by seq")) {
                select.setFetchSize(5_000);
                select.setLong(1, batchPk);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        Map<String, Object> item = new LinkedHashMap<>();
                        String state = rows.getString(3);
                        String code = rows.getString(4);
                        long amount = rows.getLong(5);
                        item.put("itemId", rows.getString(2));
                        item.put("state", state);
                        item.put("code", code);
                        item.put("amountFen", amount);
                        item.put("bankCode", rows.getString(6));
                        rows.getLong(7);
                        item.put("bankReference", rows.wasNull() ? null : BankReferences.of(batchPk, rows.getInt(1)));
                        item.put("at", TIME.format(rows.getObject(8, OffsetDateTime.class).atZoneSameInstant(zone)));
                        out.write(json.writeValueAsBytes(item));
                        out.write('\n');
                        tally.add(ItemState.valueOf(state), code, 1, amount);
                    }
                }
            }
            // the SUMMARY callback's fields, from the one builder; the file's tally is of the items it holds
            summary.putAll(BatchSummary.of(tally));
            out.write(json.writeValueAsBytes(summary));
            out.write('\n');
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while writing a result file", e);
        }
    }
}
