package cn.onecard.simulators.filebank;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.regex.Pattern;

/** {@code yyyyMMdd} dates, strictly: a real calendar day or nothing. */
final class Dates {

    private static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("uuuuMMdd")
            .withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern EIGHT_DIGITS = Pattern.compile("\\d{8}");

    private Dates() {
    }

    /** The day, or null when the text is not eight digits naming a real day. */
    static LocalDate parseCompact(String text) {
        if (!EIGHT_DIGITS.matcher(text).matches()) {
            return null;
        }
        try {
            return LocalDate.parse(text, COMPACT);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String formatCompact(LocalDate date) {
        return COMPACT.format(date);
    }
}
