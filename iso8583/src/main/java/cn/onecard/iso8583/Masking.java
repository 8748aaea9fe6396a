package cn.onecard.iso8583;

/**
 * The project's one masking of personal data, for anything a person may read: log lines, exception
 * messages, API listings, message dumps. Card and identity numbers keep at most their first 6 and
 * last 4 characters (PCI DSS's limit for a PAN), and only when at least {@link #KEEP_ENDS_CHARS_MIN}
 * long, so that at least three characters are always hidden; names keep their first character;
 * phone numbers their first 3 and last 4 digits. Every layer above (adapters, gateway) masks through
 * here.
 */
public final class Masking {

    /** Shorter values are hidden whole: keeping 10 of them would show nearly all. */
    public static final int KEEP_ENDS_CHARS_MIN = 13;
    private static final int PHONE_CHARS_MIN = 11;

    private Masking() {
    }

    /** A card number (PAN): {@code 623595******1234}. */
    public static String card(String cardNumber) {
        return keepEnds(cardNumber);
    }

    /** A citizen identity number: {@code 110105********002X}. */
    public static String idNumber(String idNumber) {
        return keepEnds(idNumber);
    }

    /** A name: its first character (code point), then one star per further character. */
    public static String name(String name) {
        if (name == null || name.isEmpty()) {
            return name;
        }
        int first = name.offsetByCodePoints(0, 1);
        return name.substring(0, first) + "*".repeat(Math.max(1, name.codePointCount(first, name.length())));
    }

    /** A mobile number: {@code 138****5678}; shorter values hidden whole. */
    public static String phone(String phone) {
        if (phone == null || phone.length() < PHONE_CHARS_MIN) {
            return hidden(phone);
        }
        return phone.substring(0, 3) + "*".repeat(phone.length() - 7) + phone.substring(phone.length() - 4);
    }

    /** First 6 and last 4 characters kept when the value has at least 13, else every character hidden. */
    public static String keepEnds(String value) {
        if (value == null || value.length() < KEEP_ENDS_CHARS_MIN) {
            return hidden(value);
        }
        int length = value.length();
        return value.substring(0, 6) + "*".repeat(length - 10) + value.substring(length - 4);
    }

    /** Every character replaced by a star; only the length shows. */
    public static String hidden(String value) {
        return value == null ? null : "*".repeat(value.length());
    }
}
