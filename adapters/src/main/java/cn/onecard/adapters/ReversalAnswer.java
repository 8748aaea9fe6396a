package cn.onecard.adapters;

import java.util.Objects;

/** What a bank said to a reversal of a dispatch whose payment is unclear ({@link BankAdapter#reverse}). */
public sealed interface ReversalAnswer {

    /** The payment is undone, or was never made: no money stays moved under the references. */
    record Reversed(String bankResultCode) implements ReversalAnswer {
        public Reversed {
            Objects.requireNonNull(bankResultCode, "bankResultCode");
        }
    }

    /** The bank has no payment under the references to reverse: the same references may be sent again. */
    record OriginalNotFound() implements ReversalAnswer {
    }

    /** No trustworthy answer, or a refusal that does not say what became of the payment. */
    record Unknown(String reason) implements ReversalAnswer {
        public Unknown {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
