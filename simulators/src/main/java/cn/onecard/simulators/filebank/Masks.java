package cn.onecard.simulators.filebank;

/** The only way a card number reaches a log line or a message: its first 6 and last 4 digits. */
final class Masks {

    private Masks() {
    }

    static String card(String cardNumber) {
        if (cardNumber == null) {
            return "null";
        }
        if (cardNumber.length() < 12) {
            return "*".repeat(cardNumber.length());
        }
        return cardNumber.substring(0, 6) + "*".repeat(cardNumber.length() - 10)
                + cardNumber.substring(cardNumber.length() - 4);
    }
}
