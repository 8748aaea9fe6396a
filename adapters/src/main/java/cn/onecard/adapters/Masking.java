package cn.onecard.adapters;

/** Masks personal data for log lines and messages: first 6 and last 4 characters at most. */
final class Masking {

    private Masking() {
    }

    static String card(String cardNumber) {
        if (cardNumber == null) {
            return "null";
        }
        int length = cardNumber.length();
        if (length <= 10) {
            return "*".repeat(length);
        }
        return cardNumber.substring(0, 6) + "*".repeat(length - 10) + cardNumber.substring(length - 4);
    }
}
