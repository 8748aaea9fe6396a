package cn.onecard.crypto;

/**
 * The input could not be read as what it claims to be: bad hex, PEM or DER, a wrong length, a
 * value out of range, a bad padding. Nothing was verified, so nothing can be trusted or released.
 */
public final class MalformedInputException extends CryptoException {

    public MalformedInputException(String message) {
        super(message);
    }

    public MalformedInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
