package cn.onecard.simulators.treasury;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * The treasury's book of batches sent and results received: per item, what was sent and the report
 * with the highest sequence; per batch, the sequences seen and the latest summary. Compact (about
 * 30 bytes per item), so a million items fit easily. Thread-safe (one lock per batch).
 */
public final class ResultBook {

    static final int LISTED_MAX = 20;
    static final List<String> FINAL_STATES = List.of("REJECTED", "PAID", "FAILED");

    /** What became of one callback body. */
    public enum Accepted {
        /** New information, stored. */
        STORED,
        /** A sequence already seen: a no-op. */
        REPEAT,
        /** A batch the treasury never sent; acknowledged (else the gateway would retry forever) and counted. */
        UNKNOWN_BATCH,
        /** Not a RESULTS or SUMMARY body: refused with 400. */
        MALFORMED
    }

    /** Per state or code: how many items and how much money. */
    public record Tally(long count, long amountFen) {
        Tally plus(long amount) {
            return new Tally(count + 1, amountFen + amount);
        }
    }

    /** The latest SUMMARY of a batch. */
    public record Summary(int sequence, boolean complete, long itemCount, long totalAmountFen,
                          Map<String, Tally> byState, Map<String, Tally> byCode) {
    }

    private final Map<String, BatchRecord> batches = new ConcurrentHashMap<>();
    private final Interner interner = new Interner();
    final AtomicLong callbacks = new AtomicLong();
    final AtomicLong repeats = new AtomicLong();
    final AtomicLong badSignatures = new AtomicLong();
    final AtomicLong staleTimestamps = new AtomicLong();
    final AtomicLong replayedNonces = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong unknownBatchCallbacks = new AtomicLong();
    final AtomicLong refusedWhileDown = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong answeredWithError = new AtomicLong();
    final AtomicLong acknowledgementsLost = new AtomicLong();
    private final Map<String, Boolean> unknownBatches = new ConcurrentHashMap<>();
    private volatile Instant firstResultAt;
    private volatile Instant lastResultAt;

    /** Registers a batch from its manifest. Registering the same batch again replaces nothing. */
    public BatchHeader register(Path manifest) throws IOException {
        BatchRecord[] made = new BatchRecord[1];
        Manifest.Header header = Manifest.read(manifest, (batch, width) -> made[0] = new BatchRecord(batch, width),
                (position, row) -> made[0].expect(position, row, interner));
        batches.putIfAbsent(header.batch().batchId(), made[0]);
        return header.batch();
    }

    /** Forgets a registered batch that was never handed over (no results will come for it). */
    public void withdraw(String batchId) {
        batches.remove(batchId);
    }

    /** Registers every manifest in a directory. */
    public int registerAll(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> manifests;
        try (Stream<Path> files = Files.list(dir)) {
            manifests = files.filter(f -> f.getFileName().toString().endsWith(Manifest.SUFFIX)
                    && !f.getFileName().toString().startsWith(".")).sorted().toList();
        }
        for (Path manifest : manifests) {
            register(manifest);
        }
        return manifests.size();
    }

    public boolean knows(String batchId) {
        return batches.containsKey(batchId);
    }

    /** Takes one verified callback body. */
    public Accepted accept(JsonNode body, Instant at) {
        String type = body.path("type").asString("");
        String batchId = body.path("batchId").asString(null);
        JsonNode sequenceNode = body.get("sequence");
        if (batchId == null || sequenceNode == null || !sequenceNode.isIntegralNumber() || sequenceNode.asLong() < 1
                || sequenceNode.asLong() > Integer.MAX_VALUE || !(type.equals("RESULTS") || type.equals("SUMMARY"))) {
            malformed.incrementAndGet();
            return Accepted.MALFORMED;
        }
        int sequence = sequenceNode.asInt();
        Summary summary = null;
        if (type.equals("SUMMARY")) {
            summary = summary(body, sequence);
        } else if (!body.path("items").isArray()) {
            malformed.incrementAndGet();
            return Accepted.MALFORMED;
        }
        if (summary == null && type.equals("SUMMARY")) {
            malformed.incrementAndGet();
            return Accepted.MALFORMED;
        }
        BatchRecord record = batches.get(batchId);
        if (record == null) {
            unknownBatchCallbacks.incrementAndGet();
            if (unknownBatches.size() < LISTED_MAX) {
                unknownBatches.put(batchId, true);
            }
            return Accepted.UNKNOWN_BATCH;
        }
        synchronized (record) {
            if (record.sequences.get(sequence)) {
                repeats.incrementAndGet();
                return Accepted.REPEAT;
            }
            if (summary != null) {
                record.sequences.set(sequence);
                if (record.summary == null || sequence > record.summary.sequence()) {
                    record.summary = summary;
                }
            } else {
                for (JsonNode item : body.get("items")) {
                    if (!item.path("itemId").isString() || !item.path("state").isString() || !item.path("amountFen").isIntegralNumber()) {
                        malformed.incrementAndGet();
                        return Accepted.MALFORMED;
                    }
                }
                record.sequences.set(sequence);
                for (JsonNode item : body.get("items")) {
                    record.report(sequence, item.get("itemId").asString(), item.get("state").asString(),
                            item.path("code").asString(""), item.get("amountFen").asLong(), interner);
                }
                if (firstResultAt == null) {
                    firstResultAt = at;
                }
                lastResultAt = at;
            }
        }
        callbacks.incrementAndGet();
        return Accepted.STORED;
    }

    /** Replays a receiver's journal (one accepted callback body per line, refusals as {@code {"refused": REASON}}). */
    public void replay(Path journal) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(journal, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = Json.MAPPER.readTree(line);
                if (node.has("refused")) {
                    refused(node.get("refused").asString());
                } else {
                    Instant at = node.has("receivedAt") ? Instant.parse(node.get("receivedAt").asString()) : Instant.EPOCH;
                    accept(node.path("body"), at);
                }
            }
        }
    }

    void refused(String reason) {
        switch (reason) {
            case CallbackReceiver.SIGNATURE_INVALID -> badSignatures.incrementAndGet();
            case CallbackReceiver.TIMESTAMP_OUT_OF_WINDOW -> staleTimestamps.incrementAndGet();
            case CallbackReceiver.NONCE_REPLAYED -> replayedNonces.incrementAndGet();
            case CallbackReceiver.DOWN -> refusedWhileDown.incrementAndGet();
            case CallbackReceiver.DROPPED -> dropped.incrementAndGet();
            case CallbackReceiver.ERROR_ANSWERED -> answeredWithError.incrementAndGet();
            case CallbackReceiver.ACK_LOST -> acknowledgementsLost.incrementAndGet();
            default -> malformed.incrementAndGet();
        }
    }

    public long badSignatures() {
        return badSignatures.get();
    }

    public long repeats() {
        return repeats.get();
    }

    public long callbacks() {
        return callbacks.get();
    }

    Instant firstResultAt() {
        return firstResultAt;
    }

    Instant lastResultAt() {
        return lastResultAt;
    }

    Collection<String> unknownBatches() {
        return List.copyOf(unknownBatches.keySet());
    }

    Collection<BatchRecord> records() {
        return batches.values();
    }

    BatchRecord record(String batchId) {
        return batches.get(batchId);
    }

    String name(int interned) {
        return interner.name(interned);
    }

    private Summary summary(JsonNode body, int sequence) {
        if (!body.path("complete").isBoolean() || !body.path("itemCount").isIntegralNumber()
                || !body.path("totalAmountFen").isIntegralNumber()) {
            return null;
        }
        Map<String, Tally> byState = tallies(body.get("byState"));
        Map<String, Tally> byCode = tallies(body.get("byCode"));
        if (byState == null || byCode == null) {
            return null;
        }
        return new Summary(sequence, body.get("complete").asBoolean(), body.get("itemCount").asLong(),
                body.get("totalAmountFen").asLong(), byState, byCode);
    }

    private static Map<String, Tally> tallies(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        Map<String, Tally> tallies = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            JsonNode value = entry.getValue();
            if (!value.path("count").isIntegralNumber() || !value.path("amountFen").isIntegralNumber()) {
                return null;
            }
            tallies.put(entry.getKey(), new Tally(value.get("count").asLong(), value.get("amountFen").asLong()));
        }
        return tallies;
    }

    /** One batch: what was sent, and the latest report per item. */
    static final class BatchRecord {
        final BatchHeader header;
        final int width;
        final byte[] kinds;
        final long[] amounts;
        final int[] details;
        final int[] sequence;
        final int[] state;
        final int[] code;
        final long[] reportedAmount;
        final byte[] finalReports;
        final BitSet sequences = new BitSet();
        Summary summary;
        long unknownItems;
        final List<String> unknownItemIds = new ArrayList<>();

        BatchRecord(BatchHeader header, int width) {
            if (header.itemCount() > BatchSpec.ITEMS_MAX) {
                throw new IllegalArgumentException("batch " + header.batchId() + " has too many items");
            }
            int count = (int) header.itemCount();
            this.header = header;
            this.width = width;
            kinds = new byte[count];
            amounts = new long[count];
            details = new int[count];
            sequence = new int[count];
            state = new int[count];
            code = new int[count];
            reportedAmount = new long[count];
            finalReports = new byte[count];
        }

        int size() {
            return kinds.length;
        }

        void expect(int position, Manifest.Row row, Interner interner) {
            if (!row.itemId().equals(BatchGenerator.pad(position + 1, width))) {
                throw new IllegalArgumentException("manifest of " + header.batchId() + ": row " + (position + 1) + " has item id out of order");
            }
            kinds[position] = (byte) row.kind().ordinal();
            amounts[position] = row.amountFen();
            details[position] = interner.id(row.detail());
        }

        ItemKind kind(int position) {
            return ItemKind.values()[kinds[position]];
        }

        String itemId(int position) {
            return BatchGenerator.pad(position + 1, width);
        }

        /** The item's position, or -1 when the batch has no such item. */
        int position(String itemId) {
            if (itemId.length() != width) {
                return -1;
            }
            int number = 0;
            for (int i = 0; i < itemId.length(); i++) {
                char c = itemId.charAt(i);
                if (c < '0' || c > '9') {
                    return -1;
                }
                number = number * 10 + (c - '0');
            }
            return number >= 1 && number <= kinds.length ? number - 1 : -1;
        }

        void report(int reportSequence, String itemId, String itemState, String itemCode, long amountFen, Interner interner) {
            int position = position(itemId);
            if (position < 0) {
                unknownItems++;
                if (unknownItemIds.size() < LISTED_MAX) {
                    unknownItemIds.add(itemId.length() > 40 ? itemId.substring(0, 40) : itemId);
                }
                return;
            }
            if (FINAL_STATES.contains(itemState) && finalReports[position] < Byte.MAX_VALUE) {
                finalReports[position]++;
            }
            if (reportSequence > sequence[position]) {
                sequence[position] = reportSequence;
                state[position] = interner.id(itemState);
                code[position] = interner.id(itemCode);
                reportedAmount[position] = amountFen;
            }
        }
    }

    /** State and code names as small numbers; 0 is "no report". */
    static final class Interner {
        private final Map<String, Integer> ids = new ConcurrentHashMap<>();
        private final List<String> names = new ArrayList<>(List.of(""));

        synchronized int id(String name) {
            Integer id = ids.get(name);
            if (id == null) {
                id = names.size();
                names.add(name);
                ids.put(name, id);
            }
            return id;
        }

        synchronized String name(int id) {
            return names.get(id);
        }
    }
}
