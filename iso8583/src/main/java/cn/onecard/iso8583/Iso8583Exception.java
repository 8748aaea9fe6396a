package cn.onecard.iso8583;

/**
 * A fault of the ISO 8583 toolkit. Messages name field paths, lengths and reasons, never field
 * values, so they may be logged and shown to operators whatever the message carried.
 */
public class Iso8583Exception extends RuntimeException {

    Iso8583Exception(String message) {
        super(message);
    }

    Iso8583Exception(String message, Throwable cause) {
        super(message, cause);
    }
}
