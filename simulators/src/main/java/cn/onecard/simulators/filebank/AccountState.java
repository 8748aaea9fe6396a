package cn.onecard.simulators.filebank;

/** An account's state in the bank's core, as named in the accounts CSV. */
public enum AccountState {
    NORMAL,
    CLOSED,
    FROZEN,
    CREDIT_RESTRICTED,
    NON_SETTLEMENT,
    LOST,
    NOT_ACTIVATED;

    /** The outcome of a credit to an account in this state whose holder's name matches. */
    RecordOutcome creditOutcome() {
        return switch (this) {
            case NORMAL -> RecordOutcome.PAID;
            case CLOSED -> RecordOutcome.ACCOUNT_CLOSED;
            case FROZEN -> RecordOutcome.ACCOUNT_FROZEN;
            case CREDIT_RESTRICTED -> RecordOutcome.CREDIT_RESTRICTED;
            case NON_SETTLEMENT -> RecordOutcome.NON_SETTLEMENT_ACCOUNT;
            case LOST -> RecordOutcome.CARD_LOST_OR_REPLACED;
            case NOT_ACTIVATED -> RecordOutcome.ACCOUNT_NOT_ACTIVATED;
        };
    }
}
