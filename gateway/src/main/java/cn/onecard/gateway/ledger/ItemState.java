package cn.onecard.gateway.ledger;

/** The states of a payment item (DESIGN.md, "the life of one payment item"). */
public enum ItemState {
    /** Stored; its checks against stored data are pending. Only inside the intake transaction. */
    RECEIVED,
    /** Every check passed; waiting to be put in a dispatch. */
    VALIDATED,
    /** A check failed, or an operator refused it. Final. */
    REJECTED,
    /** Suspicious (a duplicate): waits for an operator to release or refuse it. */
    HELD,
    /** In a dispatch to its bank, under its fixed bank reference. */
    DISPATCHED,
    /** The bank paid it. Final. */
    PAID,
    /** The bank did not pay it and never will under its reference. Final. */
    FAILED,
    /**
     * The bank's outcome is not known and the gateway stopped waiting; a late answer still settles
     * it, otherwise reconciliation or an operator.
     */
    UNKNOWN;

    public boolean isFinal() {
        return switch (this) {
            case REJECTED, PAID, FAILED -> true;
            case RECEIVED, VALIDATED, HELD, DISPATCHED, UNKNOWN -> false;
        };
    }

    /** Money may still move for an item in this state without anyone's decision (the batch is in progress). */
    public boolean inFlight() {
        return switch (this) {
            case RECEIVED, VALIDATED, DISPATCHED -> true;
            case REJECTED, HELD, PAID, FAILED, UNKNOWN -> false;
        };
    }

    /** Not final and not in flight: waits for an operator (or a late answer). */
    public boolean awaitingReview() {
        return !isFinal() && !inFlight();
    }

    /** The treasury hears of an item when it enters this state. */
    public boolean reported() {
        return switch (this) {
            case REJECTED, HELD, PAID, FAILED, UNKNOWN -> true;
            case RECEIVED, VALIDATED, DISPATCHED -> false;
        };
    }
}
