package cn.onecard.iso8583;

import java.util.Optional;

/**
 * Bytes that are not a message of the dialect: a bad length header, a bitmap naming a field the
 * dialect does not define, a length that overruns, non-BCD nibbles, bytes left over. Carries the
 * path of the field where reading stopped ({@code "frame"}, {@code "mti"}, {@code "bitmap"},
 * {@code "35"}, {@code "60.3"}) and the fields read before it, so that a server can still answer
 * with the dialect's format-error code and a client can still match the answer to its request.
 */
public final class MalformedMessageException extends Iso8583Exception {

    /** Why the bytes were refused. */
    public enum Reason {
        /** The length header is not a length, or disagrees with the bytes that follow it. */
        BAD_LENGTH_HEADER,
        /** The frame is longer than the dialect's limit. */
        FRAME_TOO_LONG,
        /** The bytes end before the field does. */
        TRUNCATED,
        /** A length prefix exceeds the field's maximum. */
        LENGTH_OVER_MAXIMUM,
        /** A BCD length or value holds a nibble that is not a decimal digit. */
        NOT_BCD,
        /** An ASCII numeric length or value holds a character that is not a digit. */
        NOT_DIGITS,
        /** A hex-coded field holds a character that is not a hex digit. */
        NOT_HEX,
        /** A text field's bytes are not valid in the dialect's charset. */
        BAD_TEXT,
        /** The bitmap names a field the dialect does not define (or a secondary bitmap it does not have). */
        UNDEFINED_FIELD,
        /** Bytes remain after the last field (or sub-field) the bitmap announced. */
        TRAILING_BYTES
    }

    private final String fieldPath;
    private final Reason reason;
    private final transient IsoMessage partial;

    MalformedMessageException(String fieldPath, Reason reason, String detail, IsoMessage partial) {
        super(fieldPath + ": " + detail);
        this.fieldPath = fieldPath;
        this.reason = reason;
        this.partial = partial;
    }

    /** Where reading stopped: "frame", "tpdu", "header", "mti", "bitmap", a field number or "60.3". */
    public String fieldPath() {
        return fieldPath;
    }

    public Reason reason() {
        return reason;
    }

    /** The fields read before the fault (MTI, STAN, terminal ID, ...), when the MTI was readable. */
    public Optional<IsoMessage> partial() {
        return Optional.ofNullable(partial);
    }
}
