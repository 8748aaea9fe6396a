package cn.onecard.simulators.treasury;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The treasury's record of what it sent and what it expects back, one file per batch
 * ({@code {batchId}.expect.csv}, in the treasury's own directory, never the gateway's): line 1 is
 * the batch header as JSON with {@code itemIdWidth}, line 2 the column names, then one row per item:
 * {@code item_id,kind,amount_fen,detail}. No personal data: the auditor needs none.
 */
public final class Manifest {

    public static final String SUFFIX = ".expect.csv";
    static final String COLUMNS = "item_id,kind,amount_fen,detail";

    /** One row. */
    public record Row(String itemId, ItemKind kind, long amountFen, String detail) {
    }

    /** Receives the rows of a manifest in order. */
    public interface RowSink {
        void accept(int position, Row row);
    }

    private Manifest() {
    }

    static Path write(Path dir, BatchHeader header, int itemIdWidth, Path rows) throws IOException {
        Path target = dir.resolve(header.batchId() + SUFFIX);
        Path part = dir.resolve("." + header.batchId() + SUFFIX + ".part");
        ObjectNode first = header.toJson();
        first.put("itemIdWidth", itemIdWidth);
        try (OutputStream out = Files.newOutputStream(part)) {
            Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            writer.write(Json.MAPPER.writeValueAsString(first));
            writer.write('\n');
            writer.write(COLUMNS);
            writer.write('\n');
            writer.flush();
            try (InputStream in = Files.newInputStream(rows)) {
                in.transferTo(out);
            }
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /** Reads the header (passed to {@code onHeader}), then passes every row to {@code sink}. */
    public static Header read(Path file, java.util.function.ObjIntConsumer<BatchHeader> onHeader, RowSink sink) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = reader.readLine();
            if (first == null) {
                throw new IOException("manifest " + file.getFileName() + " is empty");
            }
            JsonNode node = Json.MAPPER.readTree(first);
            BatchHeader header = BatchHeader.fromJson(node);
            int width = node.path("itemIdWidth").asInt(4);
            onHeader.accept(header, width);
            if (!COLUMNS.equals(reader.readLine())) {
                throw new IOException("manifest " + file.getFileName() + ": line 2 is not " + COLUMNS);
            }
            int position = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] fields = line.split(",", -1);
                if (fields.length != 4) {
                    throw new IOException("manifest " + file.getFileName() + ": line " + (position + 3) + " has " + fields.length + " fields");
                }
                sink.accept(position++, new Row(fields[0], ItemKind.valueOf(fields[1]), Long.parseLong(fields[2]), fields[3]));
            }
            if (position != header.itemCount()) {
                throw new IOException("manifest " + file.getFileName() + ": " + position + " rows for " + header.itemCount() + " items");
            }
            return new Header(header, width);
        }
    }

    /** A manifest's first line. */
    public record Header(BatchHeader batch, int itemIdWidth) {
    }
}
