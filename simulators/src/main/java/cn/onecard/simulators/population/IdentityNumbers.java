package cn.onecard.simulators.population;

import java.time.DateTimeException;
import java.time.LocalDate;

/** 18-digit citizen identity numbers (GB 11643-1999): region, birth date, sequence, MOD 11-2 check. */
public final class IdentityNumbers {

    private static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final char[] CHECK = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

    private IdentityNumbers() {
    }

    /** The check character for the first 17 digits. */
    public static char checkCharacter(CharSequence first17) {
        if (first17.length() < 17) {
            throw new IllegalArgumentException("need 17 digits, got " + first17.length() + " characters");
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            char c = first17.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("not a digit at position " + (i + 1));
            }
            sum += (c - '0') * WEIGHTS[i];
        }
        return CHECK[sum % 11];
    }

    /** Structure, a real birth date and the check character. */
    public static boolean isValid(String idNumber) {
        if (idNumber == null || idNumber.length() != 18) {
            return false;
        }
        for (int i = 0; i < 17; i++) {
            if (idNumber.charAt(i) < '0' || idNumber.charAt(i) > '9') {
                return false;
            }
        }
        return birthDate(idNumber) != null && checkCharacter(idNumber) == idNumber.charAt(17);
    }

    /** The birth date, or null when positions 7 to 14 are not a real date. */
    public static LocalDate birthDate(String idNumber) {
        try {
            return LocalDate.of(Integer.parseInt(idNumber.substring(6, 10)), Integer.parseInt(idNumber.substring(10, 12)),
                    Integer.parseInt(idNumber.substring(12, 14)));
        } catch (DateTimeException | NumberFormatException | IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** The first 17 characters and the right check character. */
    public static String withCheck(String first17) {
        return first17.substring(0, 17) + checkCharacter(first17);
    }
}
