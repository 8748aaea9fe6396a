package cn.onecard.simulators.treasury;

import java.util.Set;

/**
 * What the treasury put into an item on purpose, and the outcome it therefore expects from the
 * gateway. The gateway's code names are its own (docs/codes.md); the treasury checks that a code is
 * plausible for the kind (shares a word with it) unless given exact codes ({@link Expectations}).
 */
public enum ItemKind {
    GOOD(Outcome.PAID, Set.of("PAID")),
    ID_CHECKSUM(Outcome.REFUSED, Set.of("ID", "IDENTITY", "CHECKSUM", "CHECK")),
    ID_BIRTH_DATE(Outcome.REFUSED, Set.of("ID", "IDENTITY", "BIRTH", "DATE")),
    CARD_LUHN(Outcome.REFUSED, Set.of("CARD", "LUHN", "PAN")),
    CARD_UNKNOWN_BIN(Outcome.REFUSED, Set.of("BIN", "BANK", "ROUTE", "ROUTING", "ISSUER", "UNROUTABLE", "UNSERVED")),
    AMOUNT_NOT_POSITIVE(Outcome.REFUSED, Set.of("AMOUNT")),
    AMOUNT_OVER_CAP(Outcome.REFUSED, Set.of("AMOUNT", "CAP", "LIMIT")),
    NOT_HOUSEHOLD_HEAD(Outcome.REFUSED, Set.of("HOUSEHOLD", "HEAD")),
    /** The registry has the card as not activated, lost, cancelled or frozen. */
    CARD_STATE(Outcome.REFUSED, Set.of("CARD", "REGISTRY", "STATE", "STATUS", "LOST", "FROZEN", "CANCELLED", "ACTIVATED")),
    PERSON_DECEASED(Outcome.REFUSED, Set.of("DECEASED", "PERSON", "BLOCKED")),
    PERSON_BLOCKED(Outcome.REFUSED, Set.of("BLOCKED", "PERSON")),
    /** The same person, programme and period as an earlier item of the same batch. */
    DUPLICATE_IN_BATCH(Outcome.REFUSED, Set.of("DUPLICATE")),
    /** The same person, programme and period as a good item of an earlier batch. */
    DUPLICATE_ACROSS_BATCHES(Outcome.REFUSED, Set.of("DUPLICATE")),
    /** Fine in every feed; the bank's account is closed, frozen, restricted, lost or not activated. */
    BANK_ACCOUNT_STATE(Outcome.BANK_FAILED, Set.of("BANK")),
    /** Fine in every feed; the bank holds the account under another name. */
    BANK_NAME_MISMATCH(Outcome.BANK_FAILED, Set.of("BANK"));

    /** The disposition a kind expects. */
    public enum Outcome {
        /** Paid: final state PAID, code PAID. */
        PAID,
        /** Stopped by the gateway before any bank: REJECTED (or HELD for an operator). */
        REFUSED,
        /** Sent, and failed by the bank: FAILED with a BANK_ code. */
        BANK_FAILED
    }

    private final Outcome outcome;
    private final Set<String> codeWords;

    ItemKind(Outcome outcome, Set<String> codeWords) {
        this.outcome = outcome;
        this.codeWords = codeWords;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** Words of which a plausible gateway code holds at least one (codes split at '_'). */
    public Set<String> codeWords() {
        return codeWords;
    }

    public boolean bad() {
        return this != GOOD;
    }
}
