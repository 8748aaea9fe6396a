package cn.onecard.adapters;

import cn.onecard.iso8583.Disposition;
import java.util.Objects;

/**
 * The bank's word on one item, already mapped through the bank's code table.
 *
 * @param bankReference  the item's reference, as sent
 * @param outcome        the gateway's outcome code; its disposition says what it means for the money
 * @param bankResultCode the bank's own code, kept for reconciliation and the operator (empty when the
 *                       bank gave none)
 * @param amountFen      the amount the bank reports for the item, in fen
 */
public record ItemOutcome(String bankReference, BankOutcome outcome, String bankResultCode, long amountFen) {

    public ItemOutcome {
        Objects.requireNonNull(bankReference, "bankReference");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(bankResultCode, "bankResultCode");
        if (outcome.scope() == BankOutcome.Scope.DISPATCH) {
            throw new IllegalArgumentException(outcome + " describes a whole dispatch, not an item");
        }
    }

    public Disposition disposition() {
        return outcome.disposition();
    }
}
