package cn.onecard.crypto;

/**
 * Base of every refusal the crypto module raises. Messages are safe to log: they never hold key
 * material, PINs, card numbers or plaintext, only what was wrong and where.
 */
public abstract class CryptoException extends RuntimeException {

    CryptoException(String message) {
        super(message);
    }

    CryptoException(String message, Throwable cause) {
        super(message, cause);
    }
}
