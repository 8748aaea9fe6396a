package cn.onecard.adapters;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What became of one {@link BankAdapter#send}: exactly one of these per send, never an exception for a bank fault. */
public sealed interface SendReceipt {

    /**
     * The bank has the dispatch (a payment file in its inbox under its final name); its results come
     * later through {@link BankAdapter#collect}.
     *
     * @param transportName the name it has there, for the operator
     */
    record Sent(String transportName) implements SendReceipt {
        public Sent {
            Objects.requireNonNull(transportName, "transportName");
        }
    }

    /**
     * The bank answered on the exchange itself (an online bank): one outcome per instruction it
     * answered. An outcome whose disposition is not processed (the bank was busy) means the same
     * reference may be sent again later; an unknown one is settled by inquiry.
     */
    record Answered(List<ItemOutcome> outcomes) implements SendReceipt {
        public Answered {
            outcomes = List.copyOf(outcomes);
            if (outcomes.isEmpty()) {
                throw new IllegalArgumentException("an answer holds at least one outcome");
            }
        }
    }

    /**
     * The bank certainly does not have it (connection refused, login or upload refused before the
     * file was complete, bank closed for the day). Safe to send again later.
     *
     * @param reason one line for the operator, without personal data
     */
    record NotSent(String reason) implements SendReceipt {
        public NotSent {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The bank may or may not have it (the connection broke while the file was being published, an
     * online request timed out). A batch-file bank is sent the same file again under the same id,
     * which it recognises; an online bank's item is settled by status inquiry (then reversal, where
     * the bank has it), never by a blind resend.
     *
     * @param reason one line for the operator, without personal data
     */
    record Unknown(String reason) implements SendReceipt {
        public Unknown {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Nothing was sent, and the dispatch as it stands never can be: the bank's format cannot carry
     * some of its instructions (a name its encoding lacks, a value too long for its field).
     *
     * @param reasonByReference each such instruction's bank reference and why (the field, never the value)
     */
    record NotEncodable(Map<String, String> reasonByReference) implements SendReceipt {
        public NotEncodable {
            reasonByReference = Map.copyOf(reasonByReference);
            if (reasonByReference.isEmpty()) {
                throw new IllegalArgumentException("name at least one instruction that cannot be encoded");
            }
        }
    }
}
