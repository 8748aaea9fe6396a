package cn.onecard.iso8583;

/**
 * Text that came from outside (a field name, a file name, a header), made safe to put into a log
 * line or a message: quoted, with every character a terminal or log reader could act on escaped.
 * Written by hand because JSON quoting (Jackson's) leaves C1 controls, bidirectional overrides and
 * line separators as they are, and each of them can forge or hide a log line.
 */
public final class InputText {

    /** Characters of input shown at most; more is cut and marked. */
    public static final int SHOWN_CHARS_MAX = 80;

    private InputText() {
    }

    /** The text in double quotes, escaped, cut after {@link #SHOWN_CHARS_MAX} characters; {@code null} for null. */
    public static String quoted(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), SHOWN_CHARS_MAX) + 8).append('"');
        appendEscaped(out, text, SHOWN_CHARS_MAX, true);
        return out.append('"').toString();
    }

    /**
     * The text whole, with line breaks, controls and the like escaped, but not quoted: for a message of
     * the gateway's own that may hold pieces of input (a file name in an alert).
     */
    public static String escaped(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(text.length() + 8);
        appendEscaped(out, text, Integer.MAX_VALUE, false);
        return out.toString();
    }

    private static void appendEscaped(StringBuilder out, String text, int charsMax, boolean escapeQuotes) {
        for (int i = 0; i < text.length(); i++) {
            if (i == charsMax) {
                out.append("...");
                return;
            }
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append(escapeQuotes ? "\\\"" : "\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (isPlain(c)) {
                        out.append(c);
                    } else {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
    }

    /** Whether a name can be shown as it is: a plain identifier, nothing to escape. */
    public static boolean isIdentifier(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean letterOrDigit = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            if (!letterOrDigit) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPlain(char c) {
        if (Character.isSurrogate(c)) {
            return false; // a pair is shown escaped too: the log stays plain, and a lone half is visible
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.PRIVATE_USE, Character.UNASSIGNED -> false;
            default -> true;
        };
    }
}
