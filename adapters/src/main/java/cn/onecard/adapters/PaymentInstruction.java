package cn.onecard.adapters;

import java.util.Objects;

/**
 * One credit to one card account, as a bank is told it. Holds personal data: {@link #toString()}
 * masks it, and nothing here may be logged otherwise.
 *
 * @param bankReference the item's reference at the bank, fixed before the first send, exactly 20
 *                      characters of {@code [0-9A-Z]}; the bank's duplicate check keys on it
 * @param cardNumber    the social security card's financial account number (PAN)
 * @param holderName    the card holder's name as the treasury sent it
 * @param idNumber      the holder's 18-character citizen identity number
 * @param amountFen     the amount, in fen, positive
 * @param programCode   the subsidy programme, for the bank's memo field
 */
public record PaymentInstruction(
        String bankReference,
        String cardNumber,
        String holderName,
        String idNumber,
        long amountFen,
        String programCode) {

    public static final int BANK_REFERENCE_CHARS = 20;

    public PaymentInstruction {
        Objects.requireNonNull(bankReference, "bankReference");
        Objects.requireNonNull(cardNumber, "cardNumber");
        Objects.requireNonNull(holderName, "holderName");
        Objects.requireNonNull(idNumber, "idNumber");
        Objects.requireNonNull(programCode, "programCode");
        if (bankReference.length() != BANK_REFERENCE_CHARS
                || !bankReference.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
            throw new IllegalArgumentException("bank reference must be 20 characters of [0-9A-Z]");
        }
        if (amountFen <= 0) {
            throw new IllegalArgumentException("amount must be positive");
        }
    }

    @Override
    public String toString() {
        return "PaymentInstruction[" + bankReference + ", card " + cn.onecard.iso8583.Masking.card(cardNumber) + ", "
                + amountFen + " fen]";
    }
}
