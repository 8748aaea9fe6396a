package cn.onecard.gateway.validation;

/** Bank card numbers (ISO/IEC 7812): 16 or 19 digits in China, Luhn check digit. */
public final class CardNumbers {

    private CardNumbers() {
    }

    /** Returns null when the number is well formed, else the first failed check. */
    public static ItemCode check(String cardNumber) {
        if (cardNumber == null || (cardNumber.length() != 16 && cardNumber.length() != 19)) {
            return ItemCode.CARD_NUMBER_FORMAT;
        }
        int sum = 0;
        boolean doubleIt = false;
        for (int i = cardNumber.length() - 1; i >= 0; i--) {
            char c = cardNumber.charAt(i);
            if (c < '0' || c > '9') {
                return ItemCode.CARD_NUMBER_FORMAT;
            }
            int digit = c - '0';
            if (doubleIt) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0 ? null : ItemCode.CARD_NUMBER_LUHN;
    }

    /** The Luhn check digit that completes {@code payload} (the number without its last digit). */
    public static char luhnDigit(CharSequence payload) {
        int sum = 0;
        boolean doubleIt = true;
        for (int i = payload.length() - 1; i >= 0; i--) {
            int digit = payload.charAt(i) - '0';
            if (doubleIt) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
            doubleIt = !doubleIt;
        }
        return (char) ('0' + (10 - sum % 10) % 10);
    }
}
