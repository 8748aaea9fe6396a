package cn.onecard.iso8583;

/** A dialect descriptor or spec file that cannot be used: named, with what is wrong in it. */
public final class DialectException extends Iso8583Exception {

    DialectException(String message) {
        super(message);
    }

    DialectException(String message, Throwable cause) {
        super(message, cause);
    }
}
