package cn.onecard.gateway.ledger;

/** The states of a dispatch: one payment file of a batch-file bank, or one credit of an online bank. */
public enum DispatchState {
    /** Its id and items are fixed; to be verified (where the bank verifies accounts) and sent when due. */
    PREPARED,
    /** A send is under way; found so at a cycle's start, the node sending it stopped mid-way. */
    SENDING,
    /** A batch-file bank has the file; its results are due by a deadline. */
    SENT,
    /** An online payment's fate is unclear; the bank is asked what became of it when due. */
    INQUIRING,
    /** Inquiries did not settle an online payment; it is reversed at the bank when due. */
    REVERSING,
    /**
     * The bank has said something of every item (an item it answered "duplicate record" stays UNKNOWN
     * until an operator or a late answer settles it). Final for the dispatcher.
     */
    SETTLED,
    /** The bank refused the whole dispatch, which proves nothing was paid; its items failed. Final. */
    REFUSED,
    /** Never reached the bank and never will (accounts refused, values the bank's format cannot carry). Final. */
    ABANDONED,
    /** The gateway stopped waiting for the bank's word; its items are UNKNOWN until a late answer settles them. */
    GIVEN_UP;

    public boolean isFinal() {
        return switch (this) {
            case SETTLED, REFUSED, ABANDONED -> true;
            case PREPARED, SENDING, SENT, INQUIRING, REVERSING, GIVEN_UP -> false;
        };
    }
}
