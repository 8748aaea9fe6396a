package cn.onecard.gateway.ledger;

import java.util.Objects;

/** What {@link PaymentItemStateMachine} decided for one event in one state. */
public sealed interface ItemDecision {

    /**
     * The item moves: its new state and code, and what else must happen in the same transaction.
     * Every move appends an event row.
     *
     * @param code              the item's code in its new state (docs/codes.md); null when it has none
     * @param claimEntitlement  the item now holds its person's entitlement for the programme and
     *                          period, if no other item holds it
     * @param releaseEntitlement the item no longer holds it: the treasury may pay the person again
     * @param report            the treasury is told (a RESULTS callback, then the batch's summary)
     */
    record Move(ItemState to, String code, boolean claimEntitlement, boolean releaseEntitlement, boolean report)
            implements ItemDecision {
        public Move {
            Objects.requireNonNull(to, "to");
            if (claimEntitlement && releaseEntitlement) {
                throw new IllegalArgumentException("an entitlement is claimed or released, not both");
            }
        }
    }

    /** Nothing changes, and rightly so: the event repeats what the item already knows. */
    record Repeat() implements ItemDecision {
    }

    /** Nothing changes, because the event contradicts the item or does not apply in its state. */
    record Refuse(Why why) implements ItemDecision {
        public Refuse {
            Objects.requireNonNull(why, "why");
        }
    }

    /** Why an event was refused. */
    enum Why {
        /** The event does not belong to the item's life at this point (a defect of the caller). */
        NOT_APPLICABLE,
        /** The bank's word contradicts an outcome the item already has: an alert for the operator. */
        CONTRADICTS_SETTLEMENT
    }
}
