package cn.onecard.simulators.httpbank;

import cn.onecard.iso8583.Masking;
import cn.onecard.simulators.filebank.AccountState;
import cn.onecard.simulators.filebank.Accounts;
import cn.onecard.simulators.httpbank.HttpBankJournal.Credit;
import cn.onecard.simulators.httpbank.HttpBankJournal.Status;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The bank's core behind its API: the four operations on the accounts and the books, answered in the
 * profile's codes (docs/simulators/http-bank.md). Requests reach it signed and well-formed JSON
 * objects; what it cannot read it answers {@code MALFORMED_REQUEST} (HTTP 400: proves nothing).
 * Every decision that touches the books is taken under one lock, so two copies of a credit racing on
 * two connections cannot both be paid.
 */
final class HttpBankOperations {

    /** What the bank answers: an HTTP status and the JSON body, which always carries {@code code}. */
    record Answer(int status, ObjectNode body) {
        String code() {
            return body.get("code").stringValue();
        }
    }

    private static final Logger log = LoggerFactory.getLogger(HttpBankOperations.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String RESIDENT_ID_TYPE = "01";
    private static final String CURRENCY = "CNY";

    private final Accounts accounts;
    private final HttpBankJournal journal;
    private final ReentrantLock books = new ReentrantLock();

    HttpBankOperations(Accounts accounts, HttpBankJournal journal) {
        this.accounts = accounts;
        this.journal = journal;
    }

    Answer apply(Operation operation, JsonNode request) throws IOException {
        Optional<String> reference = text(request, "reference").filter(r -> HttpBankJournal.REFERENCE.matcher(r).matches());
        if (reference.isEmpty()) {
            return malformed(request, "reference must be 20 of [0-9A-Z]");
        }
        Answer answer = switch (operation) {
            case VERIFY -> verify(reference.get(), request);
            case CREDIT -> credit(reference.get(), request);
            case QUERY -> query(reference.get());
            case REVERSE -> reverse(reference.get(), request);
        };
        // nothing is answered that the books on disk would not show
        journal.durable();
        return answer;
    }

    /** Account verification: the account, its state, then the holder's name and identity; no money moves. */
    private Answer verify(String reference, JsonNode request) {
        Optional<Accounts.Account> account = text(request, "cardNumber").flatMap(accounts::find);
        if (account.isEmpty()) {
            return coded(reference, "ACCOUNT_NOT_FOUND", "no such account");
        }
        String refusal = stateRefusal(account.get().state());
        if (refusal != null) {
            return coded(reference, refusal, "the account's state refuses it");
        }
        boolean holderMatches = text(request, "holderName").filter(account.get().name()::equals).isPresent()
                && text(request, "idType").filter(RESIDENT_ID_TYPE::equals).isPresent()
                && text(request, "idNumber").filter(account.get().idNumber()::equals).isPresent();
        return holderMatches ? coded(reference, "SUCCESS", "verified")
                : coded(reference, "NAME_MISMATCH", "the holder's name or identity differs");
    }

    /**
     * A credit: {@code DUPLICATE} when its reference was taken (paid, refused or reversed: a reference is
     * taken once), else checked against the account and the holder's name, then paid or refused.
     */
    private Answer credit(String reference, JsonNode request) throws IOException {
        JsonNode amount = request.get("amount");
        boolean wholeFen = amount != null && amount.isIntegralNumber() && amount.canConvertToLong();
        long amountFen = wholeFen ? amount.longValue() : 0;
        Optional<String> card = text(request, "cardNumber");
        books.lock();
        try {
            if (journal.credit(reference).isPresent()) {
                journal.duplicate(reference, Math.max(amountFen, 0));
                log.info("http bank: credit {} answered DUPLICATE: the reference is taken", reference);
                return coded(reference, "DUPLICATE", "the reference was taken before");
            }
            String refusal;
            if (!wholeFen || amountFen <= 0 || !text(request, "currency").filter(CURRENCY::equals).isPresent()) {
                refusal = "REJECTED";
            } else {
                Optional<Accounts.Account> account = card.flatMap(accounts::find);
                refusal = account.isEmpty() ? "ACCOUNT_NOT_FOUND" : stateRefusal(account.get().state());
                if (refusal == null && text(request, "holderName").filter(account.get().name()::equals).isEmpty()) {
                    refusal = "NAME_MISMATCH";
                }
            }
            if (refusal != null) {
                journal.refused(reference, Math.max(amountFen, 0), refusal);
                log.info("http bank: credit {} to {} refused: {}", reference, card.map(Masking::card).orElse("(none)"), refusal);
                return coded(reference, refusal, "refused, nothing moved");
            }
            Credit paid = journal.paid(reference, card.get(), amountFen);
            ObjectNode body = coded(reference, "SUCCESS", "paid").body();
            body.put("amount", paid.amountFen());
            body.put("bankSerial", paid.bankSerial());
            return new Answer(200, body);
        } finally {
            books.unlock();
        }
    }

    /**
     * A status query: {@code SUCCESS} with the credit's own code ({@code SUCCESS}, a refusal or
     * {@code REVERSED}) and amount when the reference was taken; {@code NOT_FOUND} when it was not, in
     * which case a credit under it would be taken.
     */
    private Answer query(String reference) {
        Optional<Credit> credit;
        books.lock();
        try {
            credit = journal.credit(reference);
        } finally {
            books.unlock();
        }
        if (credit.isEmpty()) {
            return coded(reference, "NOT_FOUND", "no credit under the reference");
        }
        ObjectNode body = coded(reference, "SUCCESS", "found").body();
        body.put("creditCode", switch (credit.get().status()) {
            case PAID -> "SUCCESS";
            case REFUSED -> credit.get().refusalCode();
            case REVERSED -> "REVERSED";
        });
        body.put("amount", credit.get().amountFen());
        return new Answer(200, body);
    }

    /**
     * A reversal: undoes a paid credit once; {@code REVERSED} as well when nothing stands moved (already
     * reversed, or refused); {@code NOT_FOUND} when no credit was taken; {@code REJECTED} when the
     * amount named is not the credit's.
     */
    private Answer reverse(String reference, JsonNode request) throws IOException {
        JsonNode amount = request.get("amount");
        books.lock();
        try {
            Optional<Credit> credit = journal.credit(reference);
            if (credit.isEmpty()) {
                return coded(reference, "NOT_FOUND", "no credit under the reference");
            }
            if (amount != null && !(amount.isIntegralNumber() && amount.canConvertToLong()
                    && amount.longValue() == credit.get().amountFen())) {
                return coded(reference, "REJECTED", "the amount is not the credit's");
            }
            if (credit.get().status() == Status.PAID) {
                journal.reversed(reference);
                log.info("http bank: credit {} reversed", reference);
            }
            ObjectNode body = coded(reference, "REVERSED", "nothing stands moved under the reference").body();
            body.put("amount", credit.get().amountFen());
            return new Answer(200, body);
        } finally {
            books.unlock();
        }
    }

    /** The books as they stand, without card data. */
    HttpBankLedger ledger() {
        books.lock();
        try {
            return journal.snapshot();
        } finally {
            books.unlock();
        }
    }

    /** A busy bank's answer: nothing was done. */
    static Answer busy(JsonNode request) {
        return coded(text(request, "reference").orElse(""), "BUSY", "busy, not processed: send again");
    }

    /** A request the bank will not read; HTTP 400, so it proves nothing to the gateway. */
    static Answer malformed(JsonNode request, String why) {
        return coded(400, text(request, "reference").orElse(""), "MALFORMED_REQUEST", why);
    }

    static Answer coded(String reference, String code, String message) {
        return coded(200, reference, code, message);
    }

    static Answer coded(int status, String reference, String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("code", code);
        body.put("message", message);
        body.put("reference", reference);
        return new Answer(status, body);
    }

    /** The refusal a credit or verification gets for the account's state, or null when the state allows it. */
    private static String stateRefusal(AccountState state) {
        return switch (state) {
            case NORMAL -> null;
            case CLOSED -> "ACCOUNT_CLOSED";
            case FROZEN -> "ACCOUNT_FROZEN";
            case NOT_ACTIVATED -> "CARD_NOT_ACTIVATED";
            case LOST -> "CARD_LOST";
            // the profile has no code of its own for a non-settlement account: it takes no credits either
            case CREDIT_RESTRICTED, NON_SETTLEMENT -> "CREDIT_RESTRICTED";
        };
    }

    static Optional<String> text(JsonNode request, String field) {
        JsonNode value = request == null ? null : request.get(field);
        return value != null && value.isString() ? Optional.of(value.stringValue()) : Optional.empty();
    }
}
