package cn.onecard.adapters.file;

/**
 * A result file refused by the parser. Carries the line and the field where it went wrong and a
 * reason, never the field's value, so that it may be logged and shown to operators.
 */
final class ResultFileException extends Exception {

    /** The field name used when the line as a whole is at fault (length, field count, ending). */
    static final String WHOLE_LINE = "line";

    private final int lineNumber;
    private final String field;
    private final String reason;

    ResultFileException(int lineNumber, String field, String reason) {
        super("line " + lineNumber + ", " + (WHOLE_LINE.equals(field) ? "whole line" : "field " + field) + ": " + reason,
                null, false, false);
        this.lineNumber = lineNumber;
        this.field = field;
        this.reason = reason;
    }

    /** 1 for the first line. */
    int lineNumber() {
        return lineNumber;
    }

    String field() {
        return field;
    }

    String reason() {
        return reason;
    }
}
