package cn.onecard.adapters.iso8583;

import cn.onecard.adapters.PaymentInstruction;
import java.util.Locale;
import java.util.Optional;

/**
 * The gateway's bank reference ({@code OC} and 18 digits) as an ISO 8583 retrieval reference number
 * (field 37, 12 characters): the 18-digit number in base 36, upper case, left-padded with {@code 0}.
 * 10^18 is less than 36^12, so every reference has its own RRN and the bank's duplicate check, keyed on
 * the RRN, recognises a resend (docs/online-banks.md). Written here and, independently, by the bank
 * simulator: the two must agree.
 */
public final class RetrievalReference {

    public static final int CHARS = 12;
    private static final String PREFIX = "OC";
    private static final int DIGITS = PaymentInstruction.BANK_REFERENCE_CHARS - PREFIX.length();

    private RetrievalReference() {
    }

    /** The RRN of a bank reference; empty when the reference is not {@code OC} and 18 digits. */
    public static Optional<String> of(String bankReference) {
        if (bankReference.length() != PaymentInstruction.BANK_REFERENCE_CHARS || !bankReference.startsWith(PREFIX)
                || !bankReference.substring(PREFIX.length()).chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        long number = Long.parseLong(bankReference.substring(PREFIX.length()));
        String base36 = Long.toString(number, 36).toUpperCase(Locale.ROOT);
        return Optional.of("0".repeat(CHARS - base36.length()) + base36);
    }

    /** The bank reference an RRN stands for; empty when it is not one this class writes. */
    public static Optional<String> reference(String rrn) {
        if (rrn == null || rrn.length() != CHARS || !rrn.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
            return Optional.empty();
        }
        long number = Long.parseLong(rrn, 36);
        String digits = Long.toString(number);
        if (digits.length() > DIGITS) {
            return Optional.empty();
        }
        return Optional.of(PREFIX + "0".repeat(DIGITS - digits.length()) + digits);
    }
}
