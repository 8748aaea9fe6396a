package cn.onecard.crypto;

import org.bouncycastle.crypto.signers.SM2Signer;

/**
 * Signs a message fed in pieces, for content too large to hold. One thread at a time; a signer
 * handed between threads needs a happens-before edge (a queue, a join) between them.
 */
public final class Sm2StreamSigner implements AutoCloseable {

    private final Sm2SignerPool pool;
    private SM2Signer signer;

    Sm2StreamSigner(Sm2SignerPool pool) {
        this.pool = pool;
        this.signer = pool.acquire();
    }

    public void update(byte[] data) {
        update(data, 0, data.length);
    }

    public void update(byte[] data, int offset, int length) {
        active().update(data, offset, length);
    }

    /** The signature over everything fed in; the signer cannot be used afterwards. */
    public byte[] sign() {
        SM2Signer active = active();
        try {
            return active.generateSignature();
        } catch (org.bouncycastle.crypto.CryptoException e) {
            throw new IllegalStateException("SM2 signature could not be encoded", e);
        } finally {
            close();
        }
    }

    private SM2Signer active() {
        if (signer == null) {
            throw new IllegalStateException("this stream signer has already signed or been closed");
        }
        return signer;
    }

    @Override
    public void close() {
        if (signer != null) {
            pool.release(signer);
            signer = null;
        }
    }
}
