package cn.onecard.iso8583;

import java.util.Map;

/**
 * Which fields of a dialect's messages a dump may not show in clear: card numbers show their first 6
 * and last 4 digits; tracks, PIN blocks, keys, names and identity numbers show nothing but their
 * length. Every dump of a message ({@link Dialect#describe}, {@link Dialect#dump}) passes through
 * here, and the hiding itself is {@link Masking}'s, the project's one masking function.
 */
final class FieldMasking {

    /** How a value is hidden. */
    enum Style {
        /** First 6 and last 4 characters kept ({@link Masking#keepEnds}). */
        PAN,
        /** Every character replaced. */
        HIDDEN
    }

    /** Fields hidden in every dialect, whatever its descriptor says: PAN, tracks 1 to 3, PIN block, ICC data. */
    static final Map<String, Style> ALWAYS = Map.of("2", Style.PAN, "35", Style.HIDDEN, "36", Style.HIDDEN, "45", Style.HIDDEN,
            "52", Style.HIDDEN, "55", Style.HIDDEN);

    private final Map<String, Style> rules;

    FieldMasking(Map<String, Style> rules) {
        this.rules = Map.copyOf(rules);
    }

    /** The style for a field or sub-field path; a rule on a field covers its sub-fields, and a field's hiding wins. */
    Style styleFor(String path) {
        int dot = path.indexOf('.');
        Style fieldStyle = dot > 0 ? rules.get(path.substring(0, dot)) : null;
        if (fieldStyle == Style.HIDDEN) {
            return Style.HIDDEN;
        }
        Style style = rules.get(path);
        return style != null ? style : fieldStyle;
    }

    /**
     * The style for a value held whole at {@code path}: its own rule, or hidden when a rule covers
     * any of its sub-fields (a field with sub-fields may be set as one value).
     */
    Style styleForWhole(String path) {
        Style style = styleFor(path);
        if (style != null) {
            return style;
        }
        String prefix = path + ".";
        for (String masked : rules.keySet()) {
            if (masked.startsWith(prefix)) {
                return Style.HIDDEN;
            }
        }
        return null;
    }

    static String mask(Style style, String text) {
        if (style == null) {
            return text;
        }
        return switch (style) {
            case PAN -> Masking.keepEnds(text);
            case HIDDEN -> Masking.hidden(text);
        };
    }
}
