package cn.onecard.simulators.isobank;

import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.Masking;
import cn.onecard.iso8583.MessageType;
import cn.onecard.iso8583.Peer;
import cn.onecard.iso8583.RequestHandler;
import cn.onecard.iso8583.ResultCode;
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
 * cannot both be paid.
 */
final class IsoBankHandler implements RequestHandler {

    private static final Logger log = LoggerFactory.getLogger(IsoBankHandler.class);
    private static final Pattern AMOUNT = Pattern.compile("\\d{1,12}");
    private static final String RESIDENT_ID_TYPE = "01";

    private final Dialect dialect;
    private final Accounts accounts;
    private final IsoBankJournal journal;
    private final ReentrantLock books = new ReentrantLock();
    private final List<MessageType> known;

    IsoBankHandler(Dialect dialect, Accounts accounts, IsoBankJournal journal) {
        this.dialect = dialect;
        this.accounts = accounts;
        this.journal = journal;
        this.known = List.of("sign-on", "echo", "account-verification", "status-inquiry", "credit", "reversal").stream()
                .map(name -> dialect.messageTypes().get(name))
                .filter(type -> type != null)
                .toList();
    }

    @Override
    public IsoMessage handle(IsoMessage request, Peer peer) throws IOException {
        String type = known.stream().filter(t -> t.matches(request)).map(MessageType::name).findFirst().orElse("");
        return switch (type) {
            case "sign-on", "echo" -> answer(request, ResultCode.APPROVED);
            case "account-verification" -> answer(request, verify(request));
            case "credit" -> answer(request, credit(request));
            case "status-inquiry" -> inquire(request);
            case "reversal" -> answer(request, reverse(request));
            // key exchange is not simulated yet; anything else this bank does not do
            default -> answer(request, ResultCode.INVALID_TRANSACTION);
        };
    }

    private IsoMessage answer(IsoMessage request, ResultCode code) {
        return dialect.responseTo(request).set(39, dialect.codes().codeFor(code));
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
            journal.paid(rrn, card.get(), amountFen, text(request, "11"));
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

    /** A reversal by RRN: undoes a paid credit once; a repeat is approved again and undoes nothing. */
    private ResultCode reverse(IsoMessage request) throws IOException {
        String rrn = text(request, "37");
        if (rrn == null || !IsoBankJournal.RRN.matcher(rrn).matches()) {
            return ResultCode.FORMAT_ERROR;
        }
        books.lock();
        try {
            Optional<Credit> credit = journal.credit(rrn);
            if (credit.isEmpty() || credit.get().status() == Status.REFUSED || !namesOriginal(request, credit.get())) {
                return ResultCode.ORIGINAL_NOT_FOUND;
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
