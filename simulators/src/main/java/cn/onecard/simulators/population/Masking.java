package cn.onecard.simulators.population;

/** Personal data for log lines and reports: first 6 and last 4 characters at most, names by surname only. */
public final class Masking {

    private Masking() {
    }

    /** A card or identity number: first 6, stars, last 4 (all stars when shorter than 12). */
    public static String number(String value) {
        if (value == null) {
            return "null";
        }
        int length = value.length();
        // shorter than 12, first 6 and last 4 would show nearly all of it
        if (length < 12) {
            return "*".repeat(length);
        }
        return value.substring(0, 6) + "*".repeat(length - 10) + value.substring(length - 4);
    }

    /** A name: its first character and a star per other character. */
    public static String name(String value) {
        if (value == null || value.isEmpty()) {
            return String.valueOf(value);
        }
        int first = value.offsetByCodePoints(0, 1);
        return value.substring(0, first) + "*".repeat(value.codePointCount(first, value.length()));
    }

    /** A phone number: first 3, last 2. */
    public static String phone(String value) {
        if (value == null) {
            return "null";
        }
        return value.length() <= 5 ? "*".repeat(value.length())
                : value.substring(0, 3) + "*".repeat(value.length() - 5) + value.substring(value.length() - 2);
    }
}
