package cn.onecard.crypto;

import org.bouncycastle.crypto.signers.SM2Signer;

/** Verifies a signature over a message fed in pieces. One thread at a time, like {@link Sm2StreamSigner}. */
public final class Sm2StreamVerifier implements AutoCloseable {

    private final Sm2SignerPool pool;
    private final Sm2SignatureEncoding encoding;
    private SM2Signer verifier;

    Sm2StreamVerifier(Sm2SignerPool pool, Sm2SignatureEncoding encoding) {
        this.pool = pool;
        this.encoding = encoding;
        this.verifier = pool.acquire();
    }

    public void update(byte[] data) {
        update(data, 0, data.length);
    }

    public void update(byte[] data, int offset, int length) {
        active().update(data, offset, length);
    }

    /**
     * True when the signature verifies over everything fed in, false when it is well formed but does
     * not. A signature that cannot be decoded, or whose r or s is outside [1, n-1], is refused with
     * {@link MalformedInputException}. The verifier cannot be used afterwards.
     */
    public boolean verify(byte[] signature) {
        SM2Signer active = active();
        try {
            Sm2Signatures.checkWellFormed(signature, encoding);
            return active.verifySignature(signature);
        } finally {
            close();
        }
    }

    private SM2Signer active() {
        if (verifier == null) {
            throw new IllegalStateException("this stream verifier has already verified or been closed");
        }
        return verifier;
    }

    @Override
    public void close() {
        if (verifier != null) {
            pool.release(verifier);
            verifier = null;
        }
    }
}
