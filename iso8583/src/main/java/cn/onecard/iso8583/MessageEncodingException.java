package cn.onecard.iso8583;

/**
 * A message that cannot be written in its dialect: a value too long or of the wrong kind for its
 * field, a field the dialect does not define, a MAC rule that cannot be met. A fault of the caller
 * that built the message, named by field path.
 */
public final class MessageEncodingException extends Iso8583Exception {

    private final String fieldPath;

    MessageEncodingException(String fieldPath, String detail) {
        super(fieldPath + ": " + detail);
        this.fieldPath = fieldPath;
    }

    public String fieldPath() {
        return fieldPath;
    }
}
