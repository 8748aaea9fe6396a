package cn.onecard.gateway.ledger;

/** The states of a treasury batch, following its items. */
public enum BatchState {
    /** Taken in; its items' intake verdicts are being stored (only inside the intake transaction). */
    RECEIVED,
    /** Some items may still move without anyone's decision (validated or dispatched). */
    IN_PROGRESS,
    /** Nothing moves by itself, but some items wait for an operator or a late answer (HELD, UNKNOWN). */
    AWAITING_REVIEW,
    /** Every item is final; the treasury's reports are being delivered. */
    COMPLETED,
    /** Every item is final and the treasury acknowledged every report. Final. */
    REPORTED
}
