package cn.onecard.simulators.isobank;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.Masking;
import cn.onecard.iso8583.MessageType;
import cn.onecard.iso8583.Peer;
import cn.onecard.iso8583.RequestHandler;
import cn.onecard.iso8583.ResultCode;
import cn.onecard.iso8583.SignOn;
import cn.onecard.simulators.filebank.AccountState;
import cn.onecard.simulators.filebank.Accounts;
import cn.onecard.simulators.isobank.IsoBankJournal.Credit;
import cn.onecard.simulators.isobank.IsoBankJournal.Status;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bank's core behind the ISO 8583 line: recognises each request by the dialect's message types
 * and answers it in the dialect's codes (docs/simulators/iso-bank.md). MACs are checked and written
 * by the {@code IsoServer}, which never hands this a request whose MAC failed. Every decision that
 * touches the books is taken under one lock, so two copies of a credit racing on two connections
 * cannot both be paid. With a zone master key, a sign-on is answered with fresh working keys under
 * it, and the server checks that connection's messages under its own MAC key from then on.
 */
final class IsoBankHandler implements RequestHandler {

    private static final Logger log = LoggerFactory.getLogger(IsoBankHandler.class);
    private static final Pattern AMOUNT = Pattern.compile("\\d{1,12}");
    private static final String RESIDENT_ID_TYPE = "01";
    /** SM4 and double-length triple-DES working keys alike. */
    private static final int WORKING_KEY_BYTES = 16;

    private final Dialect dialect;
    private final Accounts accounts;
    private final IsoBankJournal journal;
    private final ReentrantLock books = new ReentrantLock();
    private final List<MessageType> known;
    /** Null: no working keys, every connection signs with the one configured key. */
    private final SymmetricKey zoneMasterKey;
    private final SessionKeys sessions;

    IsoBankHandler(Dialect dialect, Accounts accounts, IsoBankJournal journal, SymmetricKey zoneMasterKey, SessionKeys sessions) {
        this.dialect = dialect;
        this.accounts = accounts;
        this.journal = journal;
        this.zoneMasterKey = zoneMasterKey;
        this.sessions = sessions;
        this.known = List.of("sign-on", "echo", "account-verification", "status-inquiry", "credit", "reversal").stream()
                .map(name -> dialect.messageTypes().get(name))
                .filter(type -> type != null)
                .toList();
    }

    @Override
    public IsoMessage handle(IsoMessage request, Peer peer) throws IOException {
        String type = known.stream().filter(t -> t.matches(request)).map(MessageType::name).findFirst().orElse("");
        IsoMessage answer = switch (type) {
            case "sign-on" -> signOn(request, peer);
            case "echo" -> answer(request, ResultCode.APPROVED);
            case "account-verification" -> answer(request, verify(request));
            case "credit" -> answer(request, credit(request));
            case "status-inquiry" -> inquire(request);
            case "reversal" -> answer(request, reverse(request));
            // key exchange is not simulated yet; anything else this bank does not do
            default -> answer(request, ResultCode.INVALID_TRANSACTION);
        };
        // nothing is answered that the books on disk would not show
        journal.durable();
        return answer;
    }

    private IsoMessage answer(IsoMessage request, ResultCode code) {
        return dialect.responseTo(request).set(39, dialect.codes().codeFor(code));
    }

    /**
     * A sign-on: with a zone master key, a fresh MAC key (and PIN key, where the dialect carries one)
     * for this connection, under the zone master key with its check value; the connection's earlier
     * key, if any, is replaced.
     */
    private IsoMessage signOn(IsoMessage request, Peer peer) {
        IsoMessage answer = answer(request, ResultCode.APPROVED);
        if (zoneMasterKey == null) {
            return answer;
        }
        SignOn rule = dialect.signOn().orElseThrow();
        KeyAlgorithm algorithm = rule.macAlgorithm().keyAlgorithmFor(WORKING_KEY_BYTES);
        SymmetricKey macKey = SymmetricKey.generate(algorithm);
        SignOn.write(answer, rule.macKey(), zoneMasterKey, macKey);
        rule.pinKey().ifPresent(field -> SignOn.write(answer, field, zoneMasterKey, SymmetricKey.generate(algorithm)));
        sessions.signedOn(peer, macKey);
        log.info("iso bank: connection #{} signed on; new working keys handed out", peer.connectionId());
        return answer;
    }

    /** Account verification: the card's state, then the holder's name and identity; no money moves. */
    private ResultCode verify(IsoMessage request) {
        Optional<Accounts.Account> account = payee(request).flatMap(accounts::find);
        if (account.isEmpty()) {
            return ResultCode.INVALID_CARD_NUMBER;
        }
        ResultCode refusal = stateRefusal(account.get().state());
        if (refusal != null) {
            return refusal;
        }
        boolean holderMatches = account.get().name().equals(text(request, "48.1"))
                && RESIDENT_ID_TYPE.equals(text(request, "48.2"))
                && account.get().idNumber().equals(text(request, "48.3"));
        return holderMatches ? ResultCode.APPROVED : ResultCode.HOLDER_MISMATCH;
    }

    /** A credit: refused as a duplicate when its RRN stands paid, else checked against the account and paid. */
    private ResultCode credit(IsoMessage request) throws IOException {
        String rrn = text(request, "37");
        String amountText = text(request, "4");
        if (rrn == null || !IsoBankJournal.RRN.matcher(rrn).matches() || amountText == null
                || !AMOUNT.matcher(amountText).matches()) {
            return ResultCode.FORMAT_ERROR;
        }
        long amountFen = Long.parseLong(amountText);
        if (amountFen == 0) {
            return ResultCode.INVALID_AMOUNT;
        }
        books.lock();
        try {
            Optional<Credit> earlier = journal.credit(rrn);
            if (earlier.isPresent() && earlier.get().status() == Status.PAID) {
                journal.duplicate(rrn, amountFen);
                log.info("iso bank: credit RRN {} refused as a duplicate: already paid", rrn);
                return ResultCode.DUPLICATE_TRANSMISSION;
            }
            Optional<String> card = payee(request);
            Optional<Accounts.Account> account = card.flatMap(accounts::find);
            ResultCode refusal = account.isEmpty() ? ResultCode.INVALID_CARD_NUMBER : stateRefusal(account.get().state());
            if (refusal != null) {
                journal.refused(rrn, amountFen, refusal);
                log.info("iso bank: credit RRN {} to {} refused: {}", rrn, card.map(Masking::card).orElse("(none)"), refusal);
                return refusal;
            }
            journal.paid(rrn, card.get(), amountFen, text(request, "11"), text(request, "7"), text(request, "32"),
                    text(request, "33"));
            return ResultCode.APPROVED;
        } finally {
            books.unlock();
        }
    }

    /**
     * A status inquiry by RRN: 00 with the amount when the credit stands paid, the original refusal's
     * code when it was refused, 25 when nothing stands under the RRN: never taken, or reversed.
     */
    private IsoMessage inquire(IsoMessage request) {
        String rrn = text(request, "37");
        if (rrn == null || !IsoBankJournal.RRN.matcher(rrn).matches()) {
            return answer(request, ResultCode.FORMAT_ERROR);
        }
        Optional<Credit> credit;
        books.lock();
        try {
            credit = journal.credit(rrn);
        } finally {
            books.unlock();
        }
        if (credit.isEmpty() || credit.get().status() == Status.REVERSED) {
            return answer(request, ResultCode.ORIGINAL_NOT_FOUND);
        }
        if (credit.get().status() == Status.REFUSED) {
            return answer(request, credit.get().refusal());
        }
        return answer(request, ResultCode.APPROVED).set(4, String.format("%012d", credit.get().amountFen()));
    }

    /**
     * A reversal by RRN: undoes a paid credit once; a repeat is approved again and undoes nothing. Where
     * the dialect has field 90, the reversal must carry it and it must name the credit as the books hold
     * it, else it is refused as an invalid transaction: the original exists, so "not found" would be a lie
     * that lets the credit be sent again.
     */
    private ResultCode reverse(IsoMessage request) throws IOException {
        String rrn = text(request, "37");
        boolean names90 = dialect.defines(request.mti(), 90);
        if (rrn == null || !IsoBankJournal.RRN.matcher(rrn).matches() || (names90 && !request.has(90))) {
            return ResultCode.FORMAT_ERROR;
        }
        books.lock();
        try {
            Optional<Credit> credit = journal.credit(rrn);
            if (credit.isEmpty() || credit.get().status() == Status.REFUSED || !namesOriginal(request, credit.get())) {
                return ResultCode.ORIGINAL_NOT_FOUND;
            }
            if (names90 && !originalDataElementsMatch(request, credit.get())) {
                log.info("iso bank: reversal of RRN {} refused: field 90 does not name the credit in the books", rrn);
                return ResultCode.INVALID_TRANSACTION;
            }
            if (credit.get().status() == Status.PAID) {
                journal.reversed(rrn);
                log.info("iso bank: credit RRN {} reversed", rrn);
            }
            return ResultCode.APPROVED;
        } finally {
            books.unlock();
        }
    }

    /** Field 61, where the reversal carries it, must name the credit's trace number. */
    private static boolean namesOriginal(IsoMessage request, Credit credit) {
        String trace = text(request, "61.2");
        return trace == null || trace.equals(credit.trace());
    }

    /** Field 90: the credit's MTI and trace, and what the books recorded of its 7, 32 and 33 (11 digits, zero-filled). */
    private boolean originalDataElementsMatch(IsoMessage request, Credit credit) {
        return dialect.messageTypes().get("credit").mti().equals(text(request, "90.1"))
                && credit.trace() != null && credit.trace().equals(text(request, "90.2"))
                && recordedAs(credit.transmissionDateTime(), 10, text(request, "90.3"))
                && recordedAs(credit.acquirerId(), 11, text(request, "90.4"))
                && recordedAs(credit.forwarderId(), 11, text(request, "90.5"));
    }

    /** Whether a sub-field of 90 names what the books hold; books too old to have recorded it accept any. */
    private static boolean recordedAs(String recorded, int digits, String named) {
        return recorded == null || ("0".repeat(digits - recorded.length()) + recorded).equals(named);
    }

    /** The refusal a credit or a verification gets for the account's state, or null when the state allows it. */
    private static ResultCode stateRefusal(AccountState state) {
        return switch (state) {
            case NORMAL -> null;
            case CLOSED -> ResultCode.ACCOUNT_CLOSED;
            case FROZEN -> ResultCode.ACCOUNT_FROZEN;
            case NOT_ACTIVATED -> ResultCode.CARD_NOT_ACTIVATED;
            case LOST -> ResultCode.LOST_CARD;
            case CREDIT_RESTRICTED, NON_SETTLEMENT -> ResultCode.NOT_ALLOWED_FOR_CARD;
        };
    }

    /** The payee's card: field 103 (payee account) where present, else field 2. */
    private static Optional<String> payee(IsoMessage request) {
        String payee = text(request, "103");
        return Optional.ofNullable(payee != null ? payee : text(request, "2"));
    }

    private static String text(IsoMessage request, String path) {
        return request.has(path) ? request.get(path) : null;
    }
}
