package cn.onecard.gateway.ledger;

import cn.onecard.gateway.ledger.BatchEvent.ItemsChanged;
import cn.onecard.gateway.ledger.BatchEvent.ReportsDelivered;
import java.util.Objects;

/**
 * The life of a treasury batch, which follows its items: in progress while any item may still move by
 * itself, awaiting review while items wait for an operator or a late answer, completed when every item
 * is final, reported once the treasury acknowledged every report. Every change to its items that
 * leaves nothing in flight enqueues a SUMMARY. Count and sum are checked on every change: the items
 * always add up to the batch the treasury sent (received = rejected + held + paid + failed + unknown +
 * in flight).
 *
 * <pre>
 * RECEIVED        --ItemsChanged--> IN_PROGRESS | AWAITING_REVIEW | COMPLETED
 * IN_PROGRESS     --ItemsChanged--> IN_PROGRESS | AWAITING_REVIEW | COMPLETED
 * AWAITING_REVIEW --ItemsChanged--> IN_PROGRESS (a held item released) | AWAITING_REVIEW | COMPLETED
 * COMPLETED       --ReportsDelivered--> REPORTED
 * </pre>
 */
public final class BatchStateMachine {

    private BatchStateMachine() {
    }

    /** What a batch event decided. */
    public sealed interface Decision {
    }

    /**
     * The batch's state after the event (possibly the same); an event row is appended when it changed.
     *
     * @param enqueueSummary a SUMMARY report goes to the treasury
     */
    public record Move(BatchState to, boolean enqueueSummary) implements Decision {
        public Move {
            Objects.requireNonNull(to, "to");
        }
    }

    /** Nothing changes; the event does not apply in this state. */
    public record Ignore() implements Decision {
    }

    public static Decision decide(BatchState from, BatchEvent event) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(event, "event");
        Decision decision = switch (event) {
            case ItemsChanged changed -> itemsChanged(from, changed);
            case ReportsDelivered delivered -> switch (from) {
                case COMPLETED -> new Move(BatchState.REPORTED, false);
                case RECEIVED, IN_PROGRESS, AWAITING_REVIEW, REPORTED -> new Ignore();
            };
        };
        if (decision instanceof Move move && event instanceof ItemsChanged changed) {
            BatchState expected = stateOf(changed.tally());
            if (move.to() != expected && move.to() != BatchState.REPORTED) {
                throw new IllegalStateException("the batch machine broke an invariant: " + from + " -> " + move);
            }
        }
        return decision;
    }

    private static Decision itemsChanged(BatchState from, ItemsChanged changed) {
        BatchTally tally = changed.tally();
        if (tally.itemCount() != changed.itemCount() || tally.totalFen() != changed.totalFen()) {
            throw new IllegalStateException("a batch's items no longer add up to it: " + tally.itemCount() + " items, "
                    + tally.totalFen() + " fen against " + changed.itemCount() + " items, " + changed.totalFen() + " fen");
        }
        BatchState to = stateOf(tally);
        boolean summary = tally.inFlight() == 0;
        return switch (from) {
            case RECEIVED, IN_PROGRESS, AWAITING_REVIEW -> new Move(to, summary);
            case COMPLETED, REPORTED -> {
                // final items never move: a change reaching a completed batch is a defect
                if (to != BatchState.COMPLETED) {
                    throw new IllegalStateException("a completed batch's items moved to " + to);
                }
                yield new Ignore();
            }
        };
    }

    /** The state a batch's items put it in. */
    static BatchState stateOf(BatchTally tally) {
        if (tally.inFlight() > 0) {
            return BatchState.IN_PROGRESS;
        }
        return tally.complete() ? BatchState.COMPLETED : BatchState.AWAITING_REVIEW;
    }
}
