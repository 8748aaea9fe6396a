package cn.onecard.adapters.file;

/**
 * Money at a file's edge: {@code long} fen inside, fen digits or yuan with exactly two decimals in a
 * file. Integer arithmetic only; anything that is not exactly such a text is refused.
 */
final class Amounts {

    /** The largest amount a file may carry: 15 digits of fen (ABC's widest amount field). */
    static final long AMOUNT_FEN_MAX = 999_999_999_999_999L;
    /** Digits of the largest count or sequence number read. */
    static final int NUMBER_DIGITS_MAX = 18;

    private Amounts() {
    }

    /** {@code 9000} → {@code 90.00}. */
    static String yuan(long fen) {
        StringBuilder text = new StringBuilder(20);
        appendYuan(fen, text);
        return text.toString();
    }

    static void appendYuan(long fen, StringBuilder text) {
        requireInRange(fen);
        long cents = fen % 100;
        text.append(fen / 100).append('.').append((char) ('0' + cents / 10)).append((char) ('0' + cents % 10));
    }

    static void requireInRange(long fen) {
        if (fen < 0 || fen > AMOUNT_FEN_MAX) {
            throw new IllegalArgumentException("amount out of range 0.." + AMOUNT_FEN_MAX + " fen");
        }
    }

    /**
     * Reads yuan with exactly two decimals. {@code zeroPadded}: leading zeros are padding (a
     * right-aligned fixed-width field); otherwise the integer part has none ({@code 0.50}, not {@code 00.50}).
     *
     * @throws IllegalArgumentException with a reason that quotes nothing of the text
     */
    static long parseYuan(String text, boolean zeroPadded) {
        int point = text.length() - 3;
        if (point < 1 || text.charAt(point) != '.') {
            throw new IllegalArgumentException("not an amount in yuan with exactly two decimals");
        }
        long whole = parseDigits(text, 0, point, zeroPadded, "an amount in yuan");
        long cents = parseDigits(text, point + 1, text.length(), true, "an amount in yuan");
        if (whole > AMOUNT_FEN_MAX / 100) {
            throw new IllegalArgumentException("amount exceeds " + AMOUNT_FEN_MAX + " fen");
        }
        return whole * 100 + cents;
    }

    /** Reads fen digits. */
    static long parseFen(String text, boolean zeroPadded) {
        long fen = parseNumber(text, zeroPadded, "an amount in fen");
        if (fen > AMOUNT_FEN_MAX) {
            throw new IllegalArgumentException("amount exceeds " + AMOUNT_FEN_MAX + " fen");
        }
        return fen;
    }

    /** Reads a count or sequence number; {@code what} names it with its article ("a count"). */
    static long parseNumber(String text, boolean zeroPadded, String what) {
        return parseDigits(text, 0, text.length(), zeroPadded, what);
    }

    private static long parseDigits(String text, int from, int to, boolean zeroPadded, String what) {
        if (from >= to) {
            throw new IllegalArgumentException("empty where " + what + " belongs");
        }
        int first = from;
        if (zeroPadded) {
            while (first < to - 1 && text.charAt(first) == '0') {
                first++;
            }
        } else if (text.charAt(from) == '0' && to - from > 1) {
            throw new IllegalArgumentException(what + " has a leading zero");
        }
        if (to - first > NUMBER_DIGITS_MAX) {
            throw new IllegalArgumentException(what + " has more than " + NUMBER_DIGITS_MAX + " digits");
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("not " + what + ": only the digits 0-9 are allowed");
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
