package cn.onecard.gateway.validation;

import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * The 18-character citizen identity number (GB 11643-1999): 6-digit region, 8-digit birth date,
 * 3-digit sequence, ISO 7064 MOD 11-2 check character. Hand-written: no maintained Java library
 * covers it, and it is a dozen lines of the domain.
 */
public final class IdentityNumbers {

    public static final int LENGTH = 18;

    private static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final char[] CHECK_CHARACTERS = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
    private static final LocalDate EARLIEST_BIRTH = LocalDate.of(1890, 1, 1);

    private IdentityNumbers() {
    }

    /**
     * Checks an identity number; returns null when it is valid, else the first failed check.
     * Births after {@code today} are impossible.
     */
    public static ItemCode check(String idNumber, LocalDate today) {
        if (idNumber == null || idNumber.length() != LENGTH) {
            return ItemCode.ID_NUMBER_FORMAT;
        }
        int sum = 0;
        for (int i = 0; i < LENGTH - 1; i++) {
            char c = idNumber.charAt(i);
            if (c < '0' || c > '9') {
                return ItemCode.ID_NUMBER_FORMAT;
            }
            sum += (c - '0') * WEIGHTS[i];
        }
        char last = idNumber.charAt(LENGTH - 1);
        if ((last < '0' || last > '9') && last != 'X') {
            return ItemCode.ID_NUMBER_FORMAT;
        }
        if (CHECK_CHARACTERS[sum % 11] != last) {
            return ItemCode.ID_NUMBER_CHECKSUM;
        }
        LocalDate birth = birthDate(idNumber);
        if (birth == null || birth.isBefore(EARLIEST_BIRTH) || birth.isAfter(today)) {
            return ItemCode.ID_NUMBER_BIRTH_DATE;
        }
        return null;
    }

    /**
     * A valid identity number as a number that names the same person exactly: its first 17 digits
     * (the 18th is their check character). Only for numbers {@link #check} passed.
     */
    public static long personKey(String validIdNumber) {
        long key = 0;
        for (int i = 0; i < LENGTH - 1; i++) {
            key = key * 10 + (validIdNumber.charAt(i) - '0');
        }
        return key;
    }

    /** The check character for the first 17 digits. */
    public static char checkCharacter(CharSequence first17) {
        int sum = 0;
        for (int i = 0; i < LENGTH - 1; i++) {
            sum += (first17.charAt(i) - '0') * WEIGHTS[i];
        }
        return CHECK_CHARACTERS[sum % 11];
    }

    private static LocalDate birthDate(String idNumber) {
        int year = Integer.parseInt(idNumber, 6, 10, 10);
        int month = Integer.parseInt(idNumber, 10, 12, 10);
        int day = Integer.parseInt(idNumber, 12, 14, 10);
        try {
            return LocalDate.of(year, month, day);
        } catch (DateTimeException e) {
            return null;
        }
    }
}
