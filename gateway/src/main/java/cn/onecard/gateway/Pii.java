package cn.onecard.gateway;

/**
 * Masks personal data for anything a person may read (logs, API listings, messages): identity and
 * card numbers keep at most their first 6 and last 4 characters, names their first character.
 */
public final class Pii {

    private Pii() {
    }

    public static String card(String cardNumber) {
        return keepEnds(cardNumber);
    }

    public static String idNumber(String idNumber) {
        return keepEnds(idNumber);
    }

    public static String name(String name) {
        if (name == null || name.isEmpty()) {
            return name;
        }
        int first = name.offsetByCodePoints(0, 1);
        return name.substring(0, first) + "*".repeat(Math.max(1, name.codePointCount(first, name.length())));
    }

    public static String phone(String phone) {
        if (phone == null || phone.length() < 7) {
            return phone == null ? null : "*".repeat(phone.length());
        }
        return phone.substring(0, 3) + "*".repeat(phone.length() - 7) + phone.substring(phone.length() - 4);
    }

    private static String keepEnds(String value) {
        if (value == null) {
            return null;
        }
        int length = value.length();
        if (length <= 10) {
            return "*".repeat(length);
        }
        return value.substring(0, 6) + "*".repeat(length - 10) + value.substring(length - 4);
    }
}
