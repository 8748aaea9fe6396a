package cn.onecard.gateway.ledger;

import cn.onecard.adapters.BankOutcome;
import cn.onecard.gateway.validation.ItemCode;
import cn.onecard.iso8583.Disposition;
import java.util.Objects;

/** What can happen to a payment item; {@link PaymentItemStateMachine} decides what each does. */
public sealed interface ItemEvent {

    /**
     * The intake's checks ran: {@code failedCheck} is the first check the item failed, or null when it
     * passed them all (docs/codes.md, "Item codes at intake").
     */
    record Screened(ItemCode failedCheck) implements ItemEvent {
    }

    /** An operator released a held item for payment (maker and checker). */
    record Released() implements ItemEvent {
    }

    /** An operator refused a held item (maker and checker). */
    record RejectedOnReview(ItemCode code) implements ItemEvent {
        public RejectedOnReview {
            Objects.requireNonNull(code, "code");
            if (code.outcome() != ItemCode.Outcome.REJECT) {
                throw new IllegalArgumentException(code + " does not reject");
            }
        }
    }

    /** Put into a dispatch to its bank, under its fixed bank reference. */
    record Dispatched() implements ItemEvent {
    }

    /** Its dispatch never reached the bank and never will: it waits for another dispatch. */
    record Withdrawn() implements ItemEvent {
    }

    /**
     * Its bank's word on it (or the gateway's at the bank's edge), mapped to a bank outcome; when the
     * bank refused its whole dispatch, the refusal's outcome is every item's own.
     */
    record BankAnswered(BankOutcome outcome) implements ItemEvent {
        public BankAnswered {
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /** The gateway stopped waiting for its bank's word; {@code outcome} says why (its disposition is unknown). */
    record GivenUp(BankOutcome outcome) implements ItemEvent {
        public GivenUp {
            Objects.requireNonNull(outcome, "outcome");
            if (outcome.disposition() != Disposition.UNKNOWN) {
                throw new IllegalArgumentException(outcome + " is not an unknown outcome");
            }
        }
    }
}
