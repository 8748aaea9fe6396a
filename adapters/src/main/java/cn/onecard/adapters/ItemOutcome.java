package cn.onecard.adapters;

import java.util.Objects;

/**
 * The bank's word on one item, already mapped through the bank's code table.
 *
 * @param bankReference the item's reference, as sent
 * @param disposition   paid, failed, or unknown (the bank's answer does not settle it)
 * @param resultCode    the gateway's code for the outcome ({@code PAID} when paid; see
 *                      {@code docs/codes.md})
 * @param bankResultCode the bank's own code, kept for reconciliation and the operator
 * @param amountFen     the amount the bank reports for the item, in fen
 */
public record ItemOutcome(
        String bankReference,
        Disposition disposition,
        String resultCode,
        String bankResultCode,
        long amountFen) {

    /** What an outcome means for the item. */
    public enum Disposition {
        /** Money is on the card. Final. */
        PAID,
        /** The bank did not pay and never will under this reference. Final. */
        FAILED,
        /**
         * The bank's answer does not settle the item (a "duplicate record" answer, an answer the
         * code table does not know): settled later by inquiry, reconciliation or an operator.
         */
        UNKNOWN
    }

    public ItemOutcome {
        Objects.requireNonNull(bankReference, "bankReference");
        Objects.requireNonNull(disposition, "disposition");
        Objects.requireNonNull(resultCode, "resultCode");
        Objects.requireNonNull(bankResultCode, "bankResultCode");
    }
}
