package cn.onecard.crypto;

/**
 * Well-formed input that failed authentication: a tag, a signature, a check value or a binding did
 * not match. No plaintext has been released when this is thrown.
 */
public final class VerificationFailedException extends CryptoException {

    /** Why the input was refused; stable names, usable as metric labels. */
    public enum Reason {
        /** An SM2 signature does not verify under the expected signer's key. */
        SIGNATURE_INVALID,
        /** An SM4-GCM authentication tag does not match: wrong key, or altered bytes. */
        TAG_MISMATCH,
        /** SM2 decryption found the C3 hash wrong: wrong private key, or altered ciphertext. */
        DECRYPTION_FAILED,
        /** The envelope is addressed to another recipient key. */
        WRONG_RECIPIENT,
        /** The envelope names another sender than the one expected. */
        WRONG_SENDER,
        /** The input ends before its authenticated end. */
        TRUNCATED,
        /** Bytes follow the authenticated end. */
        TRAILING_DATA,
        /** A length or flag inside an authenticated structure contradicts it: altered in transit. */
        STRUCTURE_ALTERED,
        /** A key's check value differs from the one that came with it. */
        CHECK_VALUE_MISMATCH,
        /** A MAC does not match its data. */
        MAC_MISMATCH
    }

    private final Reason reason;

    public VerificationFailedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public VerificationFailedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
