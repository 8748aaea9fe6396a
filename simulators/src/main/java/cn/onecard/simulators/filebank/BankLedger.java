package cn.onecard.simulators.filebank;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The bank's own ledger: which file ids it took and what it answered, which references it paid,
 * which result files it wrote. Kept in memory and appended to {@code ledger.jsonl} (one JSON object
 * a line, forced to disk before the result it records is written), so that a restarted bank still
 * refuses to pay a file or a reference twice. The file holds card numbers, as a bank's books do; it
 * lives in the bank's root, out of the SFTP user's reach. Thread-safe.
 */
final class BankLedger implements AutoCloseable {

    static final String FILE_NAME = "ledger.jsonl";
    private static final Logger log = LoggerFactory.getLogger(BankLedger.class);

    /** A payment file the bank took in, and its complete answer. */
    record FileEntry(String fileId, String paymentFile, LocalDate nameDate, LocalDate processingDay,
                     FileRefusal refusal, List<RecordResult> records, int parts) {

        FileEntry {
            records = List.copyOf(records);
            if (parts < 1 || (refusal != null && (parts != 1 || !records.isEmpty()))) {
                throw new IllegalArgumentException("a file entry has 1 or more parts; a refusal has one and no records");
            }
        }
    }

    /** A line that parses but breaks the ledger's rules; its message holds no card data. */
    private static final class InvalidEntry extends RuntimeException {
        InvalidEntry(String message) {
            super(message, null, false, false);
        }
    }

    private final FileBankKind kind;
    private final Clock clock;
    private final FileChannel channel;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, FileEntry> files = new LinkedHashMap<>();
    private final Map<String, FileBankLedger.Payment> paid = new LinkedHashMap<>();
    private final List<String> unverified = new ArrayList<>();
    private final List<String> written = new ArrayList<>();
    private long paidSumFen;

    private BankLedger(FileBankKind kind, Clock clock, FileChannel channel) {
        this.kind = kind;
        this.clock = clock;
        this.channel = channel;
    }

    /** Opens the ledger in {@code root}, replaying what an earlier run recorded. */
    static BankLedger open(Path root, FileBankKind kind, Clock clock) throws IOException {
        Path path = root.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        BankLedger ledger = new BankLedger(kind, clock, channel);
        try {
            ledger.replay(path);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        channel.position(channel.size());
        return ledger;
    }

    private void replay(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        int lastNewline = -1;
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                lastNewline = i;
                break;
            }
        }
        if (lastNewline + 1 < bytes.length) {
            // A line cut short by a crash was never acknowledged by a result: drop it.
            log.warn("ledger {}: dropping an unfinished last line of {} bytes", path, bytes.length - lastNewline - 1);
            channel.truncate(lastNewline + 1);
        }
        String text = new String(bytes, 0, lastNewline + 1, StandardCharsets.UTF_8);
        int lineNumber = 0;
        for (String line : text.split("\n")) {
            lineNumber++;
            if (line.isEmpty()) {
                continue;
            }
            try {
                apply(json.readTree(line));
            } catch (InvalidEntry e) {
                throw new IllegalStateException("ledger " + path + " line " + lineNumber + ": " + e.getMessage());
            } catch (RuntimeException e) {
                // Jackson's own messages may quote the line, card numbers included: name the type only.
                throw new IllegalStateException("ledger " + path + " line " + lineNumber + " is not a ledger entry ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        log.info("ledger {}: {} files, {} payments, {} result files written", path, files.size(), paid.size(),
                written.size());
    }

    private void apply(JsonNode line) {
        switch (line.required("type").stringValue()) {
            case "file" -> {
                FileBankKind lineKind = FileBankKind.valueOf(line.required("bank").stringValue());
                if (lineKind != kind) {
                    throw new InvalidEntry("written by a bank of kind " + lineKind + ", not " + kind);
                }
                List<RecordResult> records = new ArrayList<>();
                for (JsonNode record : line.required("records")) {
                    records.add(new RecordResult(record.required("seq").intValue(), record.required("ref").stringValue(),
                            record.required("card").stringValue(), record.required("amountFen").longValue(),
                            RecordOutcome.valueOf(record.required("outcome").stringValue()),
                            record.required("part").intValue()));
                }
                JsonNode refusal = line.required("refusal");
                remember(new FileEntry(line.required("fileId").stringValue(), line.required("paymentFile").stringValue(),
                        LocalDate.parse(line.required("nameDate").stringValue()),
                        LocalDate.parse(line.required("processingDay").stringValue()),
                        refusal.isNull() ? null : FileRefusal.valueOf(refusal.stringValue()), records,
                        line.required("parts").intValue()));
            }
            case "unverified" -> unverified.add(line.required("paymentFile").stringValue());
            case "written" -> written.add(line.required("name").stringValue());
            default -> throw new InvalidEntry("unknown entry type");
        }
    }

    private void remember(FileEntry entry) {
        if (files.putIfAbsent(entry.fileId(), entry) != null) {
            throw new InvalidEntry("file id " + entry.fileId() + " recorded twice");
        }
        for (RecordResult record : entry.records()) {
            if (record.outcome().paid()) {
                if (paid.putIfAbsent(record.reference(), new FileBankLedger.Payment(record.reference(),
                        record.amountFen(), entry.fileId())) != null) {
                    throw new InvalidEntry("reference " + record.reference() + " paid twice");
                }
                paidSumFen = Math.addExact(paidSumFen, record.amountFen());
            }
        }
    }

    synchronized Optional<FileEntry> file(String fileId) {
        return Optional.ofNullable(files.get(fileId));
    }

    synchronized boolean isPaid(String reference) {
        return paid.containsKey(reference);
    }

    synchronized List<FileEntry> files() {
        return List.copyOf(files.values());
    }

    /** Records a payment file taken in: durable when this returns, before any result says so. */
    synchronized void recordFile(FileEntry entry) throws IOException {
        if (files.containsKey(entry.fileId())) {
            throw new IllegalStateException("file id " + entry.fileId() + " is already in the ledger");
        }
        ObjectNode line = json.createObjectNode();
        line.put("type", "file");
        line.put("bank", kind.name());
        line.put("fileId", entry.fileId());
        line.put("paymentFile", entry.paymentFile());
        line.put("nameDate", entry.nameDate().toString());
        line.put("processingDay", entry.processingDay().toString());
        if (entry.refusal() == null) {
            line.putNull("refusal");
        } else {
            line.put("refusal", entry.refusal().name());
        }
        line.put("parts", entry.parts());
        ArrayNode records = line.putArray("records");
        for (RecordResult record : entry.records()) {
            ObjectNode node = records.addObject();
            node.put("seq", record.sequence());
            node.put("ref", record.reference());
            node.put("card", record.cardNumber());
            node.put("amountFen", record.amountFen());
            node.put("outcome", record.outcome().name());
            node.put("part", record.part());
        }
        append(line, true);
        remember(entry);
    }

    /** Records a payment file refused because its protection failed; its file id is not taken. */
    synchronized void recordUnverified(String paymentFile) throws IOException {
        ObjectNode line = json.createObjectNode();
        line.put("type", "unverified");
        line.put("paymentFile", paymentFile);
        append(line, true);
        unverified.add(paymentFile);
    }

    /** Records a result file published to out/ (for the auditor; nothing depends on it). */
    synchronized void recordWritten(String resultName) throws IOException {
        ObjectNode line = json.createObjectNode();
        line.put("type", "written");
        line.put("name", resultName);
        append(line, false);
        written.add(resultName);
    }

    private void append(ObjectNode line, boolean force) throws IOException {
        line.put("at", clock.instant().toString());
        ByteBuffer bytes = ByteBuffer.wrap((json.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        if (force) {
            channel.force(false);
        }
    }

    synchronized FileBankLedger snapshot() {
        List<String> refused = files.values().stream().filter(f -> f.refusal() != null).map(FileEntry::fileId).toList();
        return new FileBankLedger(kind, List.copyOf(paid.values()), paid.size(), paidSumFen,
                List.copyOf(files.keySet()), refused, unverified, written);
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
