package cn.onecard.simulators.httpbank;

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
 * The HTTP bank's books: every credit paid or refused, every reversal and every duplicate refused,
 * one line each, forced to disk before the answer that reports it is sent. A reopened journal
 * replays the file, balances included, so a restarted bank still knows every reference it took. The
 * file holds card numbers, as a bank's books do; nothing here logs them. Lines (space-separated, ASCII):
 * <pre>
 * PAID reference amountFen bankSerial cardNumber
 * REFUSED reference amountFen CODE
 * REVERSED reference
 * DUPLICATE reference amountFen
 * </pre>
 * Not thread-safe: the bank's operations hold one lock across a check and the line it leads to.
 */
final class HttpBankJournal implements AutoCloseable {

    /** What the bank holds under one reference; a reference is taken once, by its first credit. */
    record Credit(String reference, Status status, long amountFen, String bankSerial, String cardNumber, String refusalCode) {
    }

    enum Status {
        PAID, REFUSED, REVERSED
    }

    /** The profile's bank reference: 20 of [0-9A-Z], so a line splits on spaces. */
    static final Pattern REFERENCE = Pattern.compile("[0-9A-Z]{20}");
    private static final Pattern CODE = Pattern.compile("[A-Z_]{1,40}");

    private final Accounts accounts;
    private final Map<String, Credit> byReference = new HashMap<>();
    private final List<HttpBankLedger.Entry> payments = new ArrayList<>();
    private final List<HttpBankLedger.Entry> reversals = new ArrayList<>();
    private final List<HttpBankLedger.Entry> refusals = new ArrayList<>();
    private final List<HttpBankLedger.Entry> duplicates = new ArrayList<>();
    private long paidSumFen;
    private long reversedSumFen;
    private ForcedLines file;

    private HttpBankJournal(Accounts accounts) {
        this.accounts = accounts;
    }

    /** Opens (or creates) the journal at {@code file} and replays it onto {@code accounts}; a damaged line stops the bank. */
    static HttpBankJournal open(Path file, Accounts accounts) throws IOException {
        HttpBankJournal journal = new HttpBankJournal(accounts);
        journal.file = ForcedLines.open(file, journal::apply);
        return journal;
    }

    Optional<Credit> credit(String reference) {
        return Optional.ofNullable(byReference.get(reference));
    }

    /** Pays the credit; its bank serial is the payment's number in the books. */
    Credit paid(String reference, String cardNumber, long amountFen) throws IOException {
        record("PAID " + reference + " " + amountFen + " " + String.format("HB%012d", payments.size() + 1) + " " + cardNumber);
        return byReference.get(reference);
    }

    void refused(String reference, long amountFen, String code) throws IOException {
        record("REFUSED " + reference + " " + amountFen + " " + code);
    }

    void reversed(String reference) throws IOException {
        record("REVERSED " + reference);
    }

    void duplicate(String reference, long amountFen) throws IOException {
        record("DUPLICATE " + reference + " " + amountFen);
    }

    HttpBankLedger snapshot() {
        return new HttpBankLedger(payments, reversals, refusals, duplicates, paidSumFen, reversedSumFen);
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
        String reference = parts.length > 1 ? parts[1] : "";
        if (!REFERENCE.matcher(reference).matches()) {
            throw new IllegalArgumentException("no reference");
        }
        switch (parts[0]) {
            case "PAID" -> {
                ForcedLines.fields(line, 5);
                requireUntaken(reference);
                long amount = ForcedLines.fen(parts[2]);
                String card = parts[4];
                accounts.find(card).orElseThrow(() -> new IllegalArgumentException("a payment to a card not in the accounts"));
                accounts.credit(card, amount);
                byReference.put(reference, new Credit(reference, Status.PAID, amount, parts[3], card, null));
                payments.add(new HttpBankLedger.Entry(reference, amount));
                paidSumFen += amount;
            }
            case "REFUSED" -> {
                ForcedLines.fields(line, 4);
                requireUntaken(reference);
                if (!CODE.matcher(parts[3]).matches()) {
                    throw new IllegalArgumentException("no result code");
                }
                long amount = ForcedLines.fen(parts[2]);
                byReference.put(reference, new Credit(reference, Status.REFUSED, amount, null, null, parts[3]));
                refusals.add(new HttpBankLedger.Entry(reference, amount));
            }
            case "REVERSED" -> {
                ForcedLines.fields(line, 2);
                Credit paid = byReference.get(reference);
                if (paid == null || paid.status() != Status.PAID) {
                    throw new IllegalArgumentException("a reversal of a credit not paid");
                }
                accounts.debit(paid.cardNumber(), paid.amountFen());
                byReference.put(reference, new Credit(reference, Status.REVERSED, paid.amountFen(), paid.bankSerial(),
                        paid.cardNumber(), null));
                reversals.add(new HttpBankLedger.Entry(reference, paid.amountFen()));
                reversedSumFen += paid.amountFen();
            }
            case "DUPLICATE" -> {
                ForcedLines.fields(line, 3);
                duplicates.add(new HttpBankLedger.Entry(reference, ForcedLines.fen(parts[2])));
            }
            default -> throw new IllegalArgumentException("unknown entry kind");
        }
    }

    /** The books never hold two credits under one reference: that would be the double payment the bank exists to refuse. */
    private void requireUntaken(String reference) {
        if (byReference.containsKey(reference)) {
            throw new IllegalArgumentException("a second credit under one reference");
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
