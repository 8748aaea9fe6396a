package cn.onecard.gateway.ledger;

import cn.onecard.adapters.BankOutcome;
import cn.onecard.gateway.ledger.ItemDecision.Move;
import cn.onecard.gateway.ledger.ItemDecision.Refuse;
import cn.onecard.gateway.ledger.ItemDecision.Repeat;
import cn.onecard.gateway.ledger.ItemDecision.Why;
import cn.onecard.gateway.ledger.ItemEvent.BankAnswered;
import cn.onecard.gateway.ledger.ItemEvent.Dispatched;
import cn.onecard.gateway.ledger.ItemEvent.GivenUp;
import cn.onecard.gateway.ledger.ItemEvent.RejectedOnReview;
import cn.onecard.gateway.ledger.ItemEvent.Released;
import cn.onecard.gateway.ledger.ItemEvent.Screened;
import cn.onecard.gateway.ledger.ItemEvent.Withdrawn;
import cn.onecard.gateway.validation.ItemCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The life of a payment item, in one place: for each state and each {@link ItemEvent}, the new
 * state, code and effects, or why the event changes nothing. No SQL here; {@link ItemWriter} turns
 * decisions into statements (for a set of items at once, from {@link #decisionsFor} tables), so a
 * transition this machine does not decide cannot happen, whichever node runs it.
 *
 * <pre>
 * RECEIVED  --Screened--> VALIDATED | REJECTED(code) | HELD(code)
 * HELD      --Released--> VALIDATED          --RejectedOnReview--> REJECTED
 * VALIDATED --Dispatched--> DISPATCHED
 * DISPATCHED --BankAnswered--> PAID | FAILED | UNKNOWN   --GivenUp--> UNKNOWN   --Withdrawn--> VALIDATED
 * UNKNOWN   --BankAnswered--> PAID | FAILED (a late or inquired answer)
 * </pre>
 */
public final class PaymentItemStateMachine {

    private PaymentItemStateMachine() {
    }

    public static ItemDecision decide(ItemState from, ItemEvent event) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(event, "event");
        ItemDecision decision = switch (from) {
            case RECEIVED -> switch (event) {
                case Screened screened -> screened(screened.failedCheck());
                case Released r -> notApplicable();
                case RejectedOnReview r -> notApplicable();
                case Dispatched d -> notApplicable();
                case Withdrawn w -> notApplicable();
                case BankAnswered a -> notApplicable();
                case GivenUp g -> notApplicable();
            };
            case HELD -> switch (event) {
                // a released item claims the entitlement if no other item holds it; an operator may pay a duplicate knowingly
                case Released r -> new Move(ItemState.VALIDATED, null, true, false, false);
                case RejectedOnReview rejected -> new Move(ItemState.REJECTED, rejected.code().name(), false, false, true);
                case Screened s -> notApplicable();
                case Dispatched d -> notApplicable();
                case Withdrawn w -> notApplicable();
                case BankAnswered a -> notApplicable();
                case GivenUp g -> notApplicable();
            };
            case VALIDATED -> switch (event) {
                case Dispatched d -> new Move(ItemState.DISPATCHED, null, false, false, false);
                case Screened s -> notApplicable();
                case Released r -> notApplicable();
                case RejectedOnReview r -> notApplicable();
                case Withdrawn w -> notApplicable();
                case BankAnswered a -> notApplicable();
                case GivenUp g -> notApplicable();
            };
            case DISPATCHED -> switch (event) {
                case BankAnswered answered -> answered(answered.outcome(), null);
                case GivenUp givenUp -> new Move(ItemState.UNKNOWN, givenUp.outcome().name(), false, false, true);
                case Withdrawn w -> new Move(ItemState.VALIDATED, null, false, false, false);
                case Screened s -> notApplicable();
                case Released r -> notApplicable();
                case RejectedOnReview r -> notApplicable();
                case Dispatched d -> notApplicable();
            };
            case UNKNOWN -> switch (event) {
                // a late answer, a resent file's replayed result or an inquiry still settles it
                case BankAnswered answered -> answered(answered.outcome(), ItemState.UNKNOWN);
                case GivenUp g -> new Repeat();
                case Screened s -> notApplicable();
                case Released r -> notApplicable();
                case RejectedOnReview r -> notApplicable();
                case Dispatched d -> notApplicable();
                case Withdrawn w -> notApplicable();
            };
            case PAID, FAILED -> switch (event) {
                case BankAnswered answered -> answeredWhenSettled(from, answered.outcome());
                case GivenUp g -> notApplicable();
                case Screened s -> notApplicable();
                case Released r -> notApplicable();
                case RejectedOnReview r -> notApplicable();
                case Dispatched d -> notApplicable();
                case Withdrawn w -> notApplicable();
            };
            case REJECTED -> notApplicable();
        };
        checkDecision(from, event, decision);
        return decision;
    }

    private static ItemDecision screened(ItemCode failedCheck) {
        if (failedCheck == null) {
            return new Move(ItemState.VALIDATED, null, true, false, false);
        }
        return switch (failedCheck.outcome()) {
            case REJECT -> new Move(ItemState.REJECTED, failedCheck.name(), false, false, true);
            case HOLD -> new Move(ItemState.HELD, failedCheck.name(), false, false, true);
        };
    }

    /** A dispatched (or unknown) item told its bank's outcome. */
    private static ItemDecision answered(BankOutcome outcome, ItemState unknownStays) {
        return switch (outcome.disposition()) {
            case APPROVED -> new Move(ItemState.PAID, outcome.name(), false, false, true);
            case DECLINED -> new Move(ItemState.FAILED, outcome.name(), false, true, true);
            // the same reference goes to the bank again: its dispatch decides when
            case NOT_PROCESSED -> new Repeat();
            case UNKNOWN -> unknownStays == ItemState.UNKNOWN ? new Repeat()
                    : new Move(ItemState.UNKNOWN, outcome.name(), false, false, true);
        };
    }

    /** A settled item told an outcome again: the same disposition repeats; the opposite one contradicts. */
    private static ItemDecision answeredWhenSettled(ItemState settled, BankOutcome outcome) {
        return switch (outcome.disposition()) {
            case APPROVED -> settled == ItemState.PAID ? new Repeat() : new Refuse(Why.CONTRADICTS_SETTLEMENT);
            case DECLINED -> settled == ItemState.FAILED ? new Repeat() : new Refuse(Why.CONTRADICTS_SETTLEMENT);
            // "duplicate record" for a reference already settled, a busy answer to a resend: nothing new
            case NOT_PROCESSED, UNKNOWN -> new Repeat();
        };
    }

    private static ItemDecision notApplicable() {
        return new Refuse(Why.NOT_APPLICABLE);
    }

    /** Invariants of every decision, checked after it is made. */
    private static void checkDecision(ItemState from, ItemEvent event, ItemDecision decision) {
        if (!(decision instanceof Move move)) {
            return;
        }
        ItemState to = move.to();
        boolean ok = to != from
                && to != ItemState.RECEIVED
                && move.report() == to.reported()
                && (move.code() == null) == (to == ItemState.VALIDATED || to == ItemState.DISPATCHED)
                && (!move.releaseEntitlement() || to == ItemState.FAILED)
                && (!move.claimEntitlement() || to == ItemState.VALIDATED)
                && !from.isFinal();
        if (!ok) {
            throw new IllegalStateException("the item machine broke an invariant: " + from + " + " + event + " -> " + move);
        }
    }

    /** Whether the machine has any event that moves an item from {@code from} to {@code to}. */
    public static boolean allows(ItemState from, ItemState to) {
        for (ItemEvent event : everyEvent()) {
            if (decide(from, event) instanceof Move move && move.to() == to) {
                return true;
            }
        }
        return false;
    }

    /** Every distinct event the machine knows: each kind with each code it can carry. */
    public static List<ItemEvent> everyEvent() {
        List<ItemEvent> events = new ArrayList<>();
        events.add(new Screened(null));
        for (ItemCode code : ItemCode.values()) {
            events.add(new Screened(code));
            if (code.outcome() == ItemCode.Outcome.REJECT) {
                events.add(new RejectedOnReview(code));
            }
        }
        events.add(new Released());
        events.add(new Dispatched());
        events.add(new Withdrawn());
        for (BankOutcome outcome : BankOutcome.values()) {
            events.add(new BankAnswered(outcome));
            if (outcome.disposition() == cn.onecard.iso8583.Disposition.UNKNOWN) {
                events.add(new GivenUp(outcome));
            }
        }
        return List.copyOf(events);
    }

    /** One row of a decision table: what {@code event} does to an item in {@code from}. */
    public record Row(ItemState from, ItemEvent event, ItemDecision decision) {
    }

    /** The decisions for every state and each of {@code events}: the table a set-based statement joins. */
    public static List<Row> decisionsFor(List<? extends ItemEvent> events) {
        List<Row> rows = new ArrayList<>();
        for (ItemState from : ItemState.values()) {
            for (ItemEvent event : events) {
                rows.add(new Row(from, event, decide(from, event)));
            }
        }
        return rows;
    }
}
