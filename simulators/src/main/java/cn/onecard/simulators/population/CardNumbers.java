package cn.onecard.simulators.population;

/** Bank card numbers (ISO/IEC 7812): BIN, body, Luhn check digit. */
public final class CardNumbers {

    private CardNumbers() {
    }

    /** The Luhn check digit to append to {@code digitsWithoutCheck}. */
    public static char luhnCheckDigit(CharSequence digitsWithoutCheck) {
        int sum = 0;
        boolean doubleIt = true;
        for (int i = digitsWithoutCheck.length() - 1; i >= 0; i--) {
            int digit = digit(digitsWithoutCheck.charAt(i));
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

    public static boolean isLuhnValid(String cardNumber) {
        if (cardNumber == null || cardNumber.length() < 2) {
            return false;
        }
        for (int i = 0; i < cardNumber.length(); i++) {
            if (cardNumber.charAt(i) < '0' || cardNumber.charAt(i) > '9') {
                return false;
            }
        }
        return luhnCheckDigit(cardNumber.subSequence(0, cardNumber.length() - 1)) == cardNumber.charAt(cardNumber.length() - 1);
    }

    private static int digit(char c) {
        if (c < '0' || c > '9') {
            throw new IllegalArgumentException("card numbers are digits only");
        }
        return c - '0';
    }
}
