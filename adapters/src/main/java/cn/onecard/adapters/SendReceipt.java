package cn.onecard.adapters;

import java.util.Objects;

/** What became of one {@link BankAdapter#send}. */
public sealed interface SendReceipt {

    /**
     * The bank has the dispatch (the file is in its inbox under its final name).
     *
     * @param transportName the name it has there, for the operator
     */
    record Sent(String transportName) implements SendReceipt {
        public Sent {
            Objects.requireNonNull(transportName, "transportName");
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
     * The bank may or may not have it (the connection broke while the file was being published).
     * For a batch-file bank the same dispatch is sent again under the same id, which the bank
     * recognises; an online bank's item is settled by status inquiry, never by a blind resend.
     *
     * @param reason one line for the operator, without personal data
     */
    record Unknown(String reason) implements SendReceipt {
        public Unknown {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
