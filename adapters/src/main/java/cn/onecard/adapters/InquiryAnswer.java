package cn.onecard.adapters;

import java.util.List;
import java.util.Objects;

/** What a bank said when asked what became of a dispatch's references ({@link BankAdapter#inquire}). */
public sealed interface InquiryAnswer {

    /** The bank knows the references: their outcomes, mapped through its code table. */
    record Found(List<ItemOutcome> outcomes) implements InquiryAnswer {
        public Found {
            outcomes = List.copyOf(outcomes);
            if (outcomes.isEmpty()) {
                throw new IllegalArgumentException("a found answer holds at least one outcome");
            }
        }
    }

    /** The bank has no payment under the references: the same references may be sent again. */
    record NotFound() implements InquiryAnswer {
    }

    /** The inquiry itself got no trustworthy answer (timed out, unsigned, garbled). */
    record Unknown(String reason) implements InquiryAnswer {
        public Unknown {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
