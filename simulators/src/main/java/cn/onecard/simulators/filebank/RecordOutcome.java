package cn.onecard.simulators.filebank;

/** What the bank did with one payment record, before a layout turns it into its own code. */
enum RecordOutcome {
    PAID,
    NAME_MISMATCH,
    ACCOUNT_CLOSED,
    ACCOUNT_FROZEN,
    CREDIT_RESTRICTED,
    NON_SETTLEMENT_ACCOUNT,
    CARD_LOST_OR_REPLACED,
    ACCOUNT_NOT_ACTIVATED,
    ACCOUNT_NOT_FOUND,
    /** The reference was paid before, in this file or an earlier one: not paid again. */
    DUPLICATE_RECORD,
    /** Anything else the bank refuses one record for (a zero amount, say). */
    OTHER;

    boolean paid() {
        return this == PAID;
    }
}
