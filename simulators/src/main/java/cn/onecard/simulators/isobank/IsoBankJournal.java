package cn.onecard.simulators.isobank;

import cn.onecard.iso8583.ResultCode;
import cn.onecard.simulators.filebank.Accounts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The bank's books: every credit paid or refused, every reversal and every duplicate refused, one
 * line each, appended to a file and forced to disk before the answer that reports it is sent, so a
 * double payment is still visible after a crash. A reopened journal replays the file, balances
 * included, so a restarted bank still knows which RRNs it paid. The file holds card numbers, as a
 * bank's books do; nothing here logs them. Lines (space-separated, ASCII):
 * <pre>
 * PAID rrn amountFen trace cardNumber transmissionDateTime acquirerId forwarderId   ("-" for a field the credit lacked;
 *                                                                                 older books end at the card number)
 * REFUSED rrn amountFen RESULT_CODE
 * REVERSED rrn
 * DUPLICATE rrn amountFen
 * </pre>
 * Thread-safe line by line; the handler holds its own lock across a check and the line it leads to.
 */
final class IsoBankJournal implements AutoCloseable {

    /**
     * What the bank holds under one RRN: the last credit taken under it, with what a reversal's
     * original data elements (90) must name: its trace, transmission time (7), acquirer (32) and
     * forwarder (33), each empty when the credit lacked it and null when older books did not record it.
     */
    record Credit(String rrn, Status status, long amountFen, String trace, String cardNumber, ResultCode refusal,
                  String transmissionDateTime, String acquirerId, String forwarderId) {
    }

    enum Status {
        PAID, REFUSED, REVERSED
    }

    /** What the host takes in field 37 (it refuses anything else as a format error), so a line splits on spaces. */
    static final Pattern RRN = Pattern.compile("[0-9A-Za-z]{12}");
    private static final Pattern FEN = Pattern.compile("0|[1-9]\\d{0,17}");
    private static final Pattern DIGITS = Pattern.compile("\\d{0,11}");

    private final FileChannel channel;
    private final Accounts accounts;
    private final Map<String, Credit> byRrn = new HashMap<>();
    private final List<IsoBankLedger.Entry> payments = new ArrayList<>();
    private final List<IsoBankLedger.Entry> reversals = new ArrayList<>();
    private final List<IsoBankLedger.Entry> duplicates = new ArrayList<>();
    private long paidSumFen;
    private long reversedSumFen;

    private IsoBankJournal(FileChannel channel, Accounts accounts) {
        this.channel = channel;
        this.accounts = accounts;
    }

    /**
     * Opens (or creates) the journal at {@code file} and replays it onto {@code accounts}. An unfinished
     * last line (a crash mid-write: the answer was never sent) is cut off; any other damaged line
     * stops the bank from starting.
     */
    static IsoBankJournal open(Path file, Accounts accounts) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        IsoBankJournal journal = new IsoBankJournal(channel, accounts);
        try {
            journal.replay(file);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return journal;
    }

    private void replay(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        int complete = text.lastIndexOf('\n') + 1;
        if (complete < text.length()) {
            channel.truncate(complete);
            channel.force(true);
        }
        channel.position(complete);
        String[] lines = text.substring(0, complete).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            try {
                apply(lines[i]);
            } catch (RuntimeException e) {
                throw new IllegalStateException("ledger " + file + " line " + (i + 1) + " is damaged (" + e.getMessage()
                        + "); the bank will not start on books it cannot read");
            }
        }
    }

    synchronized Optional<Credit> credit(String rrn) {
        return Optional.ofNullable(byRrn.get(rrn));
    }

    synchronized void paid(String rrn, String cardNumber, long amountFen, String trace, String transmissionDateTime,
                           String acquirerId, String forwarderId) throws IOException {
        record("PAID " + rrn + " " + amountFen + " " + trace + " " + cardNumber + " " + orDash(transmissionDateTime) + " "
                + orDash(acquirerId) + " " + orDash(forwarderId));
    }

    private static String orDash(String digits) {
        if (digits != null && !DIGITS.matcher(digits).matches()) {
            throw new IllegalArgumentException("a recorded original data element is digits");
        }
        return digits == null || digits.isEmpty() ? "-" : digits;
    }

    private static String fromDash(String part) {
        return part.equals("-") ? "" : part;
    }

    synchronized void refused(String rrn, long amountFen, ResultCode code) throws IOException {
        record("REFUSED " + rrn + " " + amountFen + " " + code.name());
    }

    synchronized void reversed(String rrn) throws IOException {
        record("REVERSED " + rrn);
    }

    synchronized void duplicate(String rrn, long amountFen) throws IOException {
        record("DUPLICATE " + rrn + " " + amountFen);
    }

    synchronized IsoBankLedger snapshot() {
        return new IsoBankLedger(payments, reversals, duplicates, paidSumFen, reversedSumFen);
    }

    /** Writes the line and forces it to disk, then applies it: what the books say is what the bank did. */
    private void record(String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        channel.force(false);
        apply(line);
    }

    private void apply(String line) {
        String[] parts = line.split(" ", -1);
        String rrn = parts.length > 1 ? parts[1] : "";
        if (!RRN.matcher(rrn).matches()) {
            throw new IllegalArgumentException("no RRN");
        }
        switch (parts[0]) {
            case "PAID" -> {
                boolean original = parts.length == 8;
                if (!original) {
                    expect(parts, 5);
                }
                long amount = fen(parts[2]);
                String card = parts[4];
                accounts.find(card).orElseThrow(() -> new IllegalArgumentException("a payment to a card not in the accounts"));
                accounts.credit(card, amount);
                byRrn.put(rrn, new Credit(rrn, Status.PAID, amount, parts[3], card, null, original ? fromDash(parts[5]) : null,
                        original ? fromDash(parts[6]) : null, original ? fromDash(parts[7]) : null));
                payments.add(IsoBankLedger.Entry.of(rrn, amount));
                paidSumFen += amount;
            }
            case "REFUSED" -> {
                expect(parts, 4);
                byRrn.put(rrn, new Credit(rrn, Status.REFUSED, fen(parts[2]), null, null, ResultCode.valueOf(parts[3]), null, null,
                        null));
            }
            case "REVERSED" -> {
                expect(parts, 2);
                Credit paid = byRrn.get(rrn);
                if (paid == null || paid.status() != Status.PAID) {
                    throw new IllegalArgumentException("a reversal of a credit not paid");
                }
                accounts.debit(paid.cardNumber(), paid.amountFen());
                byRrn.put(rrn, new Credit(rrn, Status.REVERSED, paid.amountFen(), paid.trace(), paid.cardNumber(), null,
                        paid.transmissionDateTime(), paid.acquirerId(), paid.forwarderId()));
                reversals.add(IsoBankLedger.Entry.of(rrn, paid.amountFen()));
                reversedSumFen += paid.amountFen();
            }
            case "DUPLICATE" -> {
                expect(parts, 3);
                duplicates.add(IsoBankLedger.Entry.of(rrn, fen(parts[2])));
            }
            default -> throw new IllegalArgumentException("unknown entry kind");
        }
    }

    private static void expect(String[] parts, int count) {
        if (parts.length != count) {
            throw new IllegalArgumentException("expected " + count + " parts, got " + parts.length);
        }
    }

    private static long fen(String text) {
        if (!FEN.matcher(text).matches()) {
            throw new IllegalArgumentException("an amount is a whole number of fen");
        }
        return Long.parseLong(text);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
