package cn.onecard.simulators.filebank;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Yuan text with exactly two decimals, at the LYB file's edge; fen everywhere else. */
final class Yuan {

    /** 13 integer digits: at most 10^15 fen, far above any subsidy and far from overflow. */
    private static final Pattern YUAN = Pattern.compile("(0|[1-9]\\d{0,12})\\.(\\d{2})");

    private Yuan() {
    }

    /** The amount in fen, or -1 when the text is not yuan with exactly two decimals. */
    static long parseFen(String text) {
        Matcher matcher = YUAN.matcher(text);
        if (!matcher.matches()) {
            return -1;
        }
        return Long.parseLong(matcher.group(1)) * 100 + Integer.parseInt(matcher.group(2));
    }

    static String format(long fen) {
        if (fen < 0) {
            throw new IllegalArgumentException("a negative amount has no yuan text here: " + fen);
        }
        long cents = fen % 100;
        return (fen / 100) + (cents < 10 ? ".0" : ".") + cents;
    }
}
