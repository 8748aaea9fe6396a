package cn.onecard.simulators.isobank;

import cn.onecard.iso8583.ResultCode;
import cn.onecard.simulators.books.ForcedLines;
import cn.onecard.simulators.filebank.Accounts;
import java.io.IOException;
import java.nio.file.Path;
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
    private static final Pattern DIGITS = Pattern.compile("\\d{0,11}");

    private final Accounts accounts;
    private final Map<String, Credit> byRrn = new HashMap<>();
    private final List<IsoBankLedger.Entry> payments = new ArrayList<>();
    private final List<IsoBankLedger.Entry> reversals = new ArrayList<>();
    private final List<IsoBankLedger.Entry> duplicates = new ArrayList<>();
    private long paidSumFen;
    private long reversedSumFen;
    private ForcedLines file;

    private IsoBankJournal(Accounts accounts) {
        this.accounts = accounts;
    }

    /**
     * Opens (or creates) the journal at {@code file} and replays it onto {@code accounts}. An unfinished
     * last line (a crash mid-write: the answer was never sent) is cut off; any other damaged line
     * stops the bank from starting.
     */
    static IsoBankJournal open(Path file, Accounts accounts) throws IOException {
        IsoBankJournal journal = new IsoBankJournal(accounts);
        journal.file = ForcedLines.open(file, journal::apply);
        return journal;
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

    /**
     * Writes the line, then applies it: what the books say is what the bank did. The answer waits for
     * {@link #durable}.
     */
    private void record(String line) throws IOException {
        file.write(line);
        apply(line);
    }

    /**
     * Returns once every line written so far is on disk; called outside the books' lock before an
     * answer that rests on them is sent, so that many answers share one force.
     */
    void durable() throws IOException {
        file.forceWritten();
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
                    ForcedLines.fields(line, 5);
                }
                long amount = ForcedLines.fen(parts[2]);
                String card = parts[4];
                accounts.find(card).orElseThrow(() -> new IllegalArgumentException("a payment to a card not in the accounts"));
                accounts.credit(card, amount);
                byRrn.put(rrn, new Credit(rrn, Status.PAID, amount, parts[3], card, null, original ? fromDash(parts[5]) : null,
                        original ? fromDash(parts[6]) : null, original ? fromDash(parts[7]) : null));
                payments.add(IsoBankLedger.Entry.of(rrn, amount));
                paidSumFen += amount;
            }
            case "REFUSED" -> {
                ForcedLines.fields(line, 4);
                byRrn.put(rrn, new Credit(rrn, Status.REFUSED, ForcedLines.fen(parts[2]), null, null,
                        ResultCode.valueOf(parts[3]), null, null, null));
            }
            case "REVERSED" -> {
                ForcedLines.fields(line, 2);
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
                ForcedLines.fields(line, 3);
                duplicates.add(IsoBankLedger.Entry.of(rrn, ForcedLines.fen(parts[2])));
            }
            default -> throw new IllegalArgumentException("unknown entry kind");
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
