package cn.onecard.adapters;

import java.util.Objects;

/** What a bank said about a card account before any credit ({@link BankAdapter#verify}). */
public sealed interface AccountCheck {

    /** The account exists, belongs to the named holder and takes credits. */
    record Valid() implements AccountCheck {
    }

    /**
     * The account cannot take this credit: the outcome says why (name mismatch, no such account,
     * closed, frozen, not activated, ...).
     */
    record Invalid(BankOutcome outcome, String bankResultCode) implements AccountCheck {
        public Invalid {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(bankResultCode, "bankResultCode");
            if (!outcome.provesUnpaid() || outcome.scope() != BankOutcome.Scope.ITEM) {
                throw new IllegalArgumentException(outcome + " is not a refusal of an item");
            }
        }
    }

    /** No trustworthy answer: verify again later; no credit is sent meanwhile. */
    record Unknown(String reason) implements AccountCheck {
        public Unknown {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
