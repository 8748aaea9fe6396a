package cn.onecard.gateway.ledger;

import java.util.Objects;

/** What can happen to a batch; {@link BatchStateMachine} decides what each does. */
public sealed interface BatchEvent {

    /**
     * Some of its items changed; {@code tally} counts them all as they now stand, to be checked
     * against the batch's own count and sum.
     */
    record ItemsChanged(BatchTally tally, long itemCount, long totalFen) implements BatchEvent {
        public ItemsChanged {
            Objects.requireNonNull(tally, "tally");
        }
    }

    /** The treasury acknowledged every report of the batch enqueued so far. */
    record ReportsDelivered() implements BatchEvent {
    }
}
