package cn.onecard.gateway.ledger;

/** The states of a payment item (DESIGN.md, "the life of one payment item"). */
public enum ItemState {
    /** Stored; its checks against stored data are pending. Only inside the intake transaction. */
    RECEIVED,
    /** Every check passed; waiting to be put in a dispatch. */
    VALIDATED,
    /** A check failed. Final. */
    REJECTED,
    /** Suspicious (a duplicate): waits for an operator. */
    HELD,
    /** In a dispatch to its bank, under its fixed bank reference. */
    DISPATCHED,
    /** The bank paid it. Final. */
    PAID,
    /** The bank did not pay it and never will under its reference. Final. */
    FAILED,
    /** The bank's outcome is not known; settled by inquiry, resend of the same file, or an operator. */
    UNKNOWN;

    public boolean isFinal() {
        return switch (this) {
            case REJECTED, PAID, FAILED -> true;
            case RECEIVED, VALIDATED, HELD, DISPATCHED, UNKNOWN -> false;
        };
    }

    /** Money may still move for an item in this state (the batch is not settled while any is). */
    public boolean inFlight() {
        return switch (this) {
            case RECEIVED, VALIDATED, DISPATCHED -> true;
            case REJECTED, HELD, PAID, FAILED, UNKNOWN -> false;
        };
    }

    /** The treasury hears of an item when it enters this state. */
    public boolean reported() {
        return switch (this) {
            case REJECTED, HELD, PAID, FAILED, UNKNOWN -> true;
            case RECEIVED, VALIDATED, DISPATCHED -> false;
        };
    }
}
