package cn.onecard.crypto;

/**
 * A key was offered for a job it is not allowed or not able to do: a MAC key used for PINs, a DES
 * key given to SM4, a master key that is not configured.
 */
public final class KeyUsageException extends CryptoException {

    public KeyUsageException(String message) {
        super(message);
    }

    public KeyUsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
