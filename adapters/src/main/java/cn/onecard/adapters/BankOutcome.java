package cn.onecard.adapters;

import cn.onecard.iso8583.Disposition;

/**
 * What became of a payment at its bank, in the gateway's words: the code family of item outcomes
 * and of whole-dispatch refusals (docs/codes.md, "Bank outcomes"). A bank's own codes are mapped
 * here at its adapter's edge, from the bank's code table, and nowhere else. Names and numbers are
 * stable: stored, reported to the treasury, never reused.
 *
 * <p>Declared in order of precedence: when one delivery names an item more than once, the outcome
 * declared first is the one applied (money moved before money refused, refused before unsettled).
 */
public enum BankOutcome {
    /** The bank credited the card. */
    PAID(300, Scope.ITEM),

    BANK_NAME_MISMATCH(311, Scope.ITEM),
    BANK_ACCOUNT_CLOSED(312, Scope.ITEM),
    BANK_ACCOUNT_FROZEN(313, Scope.ITEM),
    BANK_CREDIT_RESTRICTED(314, Scope.ITEM),
    BANK_NON_SETTLEMENT_ACCOUNT(315, Scope.ITEM),
    BANK_CARD_STATUS_ABNORMAL(316, Scope.ITEM),
    BANK_ACCOUNT_NOT_ACTIVATED(317, Scope.ITEM),
    BANK_ACCOUNT_NOT_FOUND(318, Scope.ITEM),
    BANK_REJECTED_OTHER(319, Scope.ITEM),
    /** The bank refused the whole payment file: its count or total disagrees with its records. */
    BANK_FILE_TOTALS_MISMATCH(331, Scope.DISPATCH),
    /** The bank refused the whole payment file: its date is not the bank's processing day. */
    BANK_FILE_DATE_INVALID(332, Scope.DISPATCH),
    /** The bank refused the whole payment file: a record does not parse. */
    BANK_FILE_UNREADABLE(333, Scope.DISPATCH),
    /** The gateway's own adapter cannot write a value in the bank's format (a name its encoding lacks); never sent. */
    PAYMENT_NOT_ENCODABLE(361, Scope.GATEWAY),
    /** An unclear payment that the gateway reversed at the bank; the reversal was confirmed. */
    BANK_PAYMENT_REVERSED(362, Scope.GATEWAY),

    /** The bank did not act (cut-over, busy): the same reference may be sent again later. */
    BANK_BUSY(341, Scope.ITEM),
    /**
     * The bank refused the whole payment file because its signature or envelope does not verify; such
     * a file does not take its file id at the bank, so the same file is sent again.
     */
    BANK_FILE_SIGNATURE_INVALID(334, Scope.DISPATCH),

    /** The bank already took this reference: settled by the earlier answer, never by a new payment. */
    BANK_DUPLICATE_RECORD(351, Scope.ITEM),
    /** The bank answered a code its table does not list. */
    BANK_CODE_UNMAPPED(352, Scope.GATEWAY),
    /** The bank refused a whole file with a reason its table does not list: nothing is proven. */
    BANK_FILE_REASON_UNMAPPED(339, Scope.GATEWAY),
    /** No result came after the last resend of the same file. */
    BANK_RESULT_MISSING(353, Scope.GATEWAY),
    /** An online payment's fate stayed unclear after every inquiry and reversal the bank offers. */
    BANK_OUTCOME_UNKNOWN(354, Scope.GATEWAY),
    /** An online payment's fate stayed unclear longer than the gateway's configured limit; nothing is guessed. */
    BANK_UNCLEAR_PAST_LIMIT(355, Scope.GATEWAY);

    /** What a code describes, and so where it may appear. */
    public enum Scope {
        /** One item's outcome, as a bank's result record or answer gives it. */
        ITEM,
        /** A whole dispatch refused by the bank (a payment file's reason code). */
        DISPATCH,
        /** Decided by the gateway itself; no bank's code table may map a code to it. */
        GATEWAY
    }

    private final int number;
    private final Scope scope;

    BankOutcome(int number, Scope scope) {
        this.number = number;
        this.scope = scope;
    }

    public int number() {
        return number;
    }

    public Scope scope() {
        return scope;
    }

    /** What the outcome means for the money. */
    public Disposition disposition() {
        return switch (this) {
            case PAID -> Disposition.APPROVED;
            case BANK_NAME_MISMATCH, BANK_ACCOUNT_CLOSED, BANK_ACCOUNT_FROZEN, BANK_CREDIT_RESTRICTED,
                 BANK_NON_SETTLEMENT_ACCOUNT, BANK_CARD_STATUS_ABNORMAL, BANK_ACCOUNT_NOT_ACTIVATED, BANK_ACCOUNT_NOT_FOUND,
                 BANK_REJECTED_OTHER, BANK_FILE_TOTALS_MISMATCH, BANK_FILE_DATE_INVALID, BANK_FILE_UNREADABLE,
                 PAYMENT_NOT_ENCODABLE, BANK_PAYMENT_REVERSED -> Disposition.DECLINED;
            case BANK_BUSY, BANK_FILE_SIGNATURE_INVALID -> Disposition.NOT_PROCESSED;
            case BANK_DUPLICATE_RECORD, BANK_CODE_UNMAPPED, BANK_FILE_REASON_UNMAPPED, BANK_RESULT_MISSING,
                 BANK_OUTCOME_UNKNOWN, BANK_UNCLEAR_PAST_LIMIT -> Disposition.UNKNOWN;
        };
    }

    /** Whether the same payment, under the same reference, may be sent again: the bank did not act. */
    public boolean retryable() {
        return disposition() == Disposition.NOT_PROCESSED;
    }

    /** Whether the outcome proves that no money moved for the item and none ever will under its reference. */
    public boolean provesUnpaid() {
        return disposition() == Disposition.DECLINED;
    }
}
