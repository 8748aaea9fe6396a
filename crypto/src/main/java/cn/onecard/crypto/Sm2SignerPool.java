package cn.onecard.crypto;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.Supplier;
import org.bouncycastle.crypto.signers.SM2Signer;

/**
 * Initialised Bouncy Castle SM2 signers for one key and one format, kept for reuse.
 *
 * <p>Why: {@code SM2Signer.init} recomputes the public point d·G (a full scalar multiplication)
 * and ZA on every call, and the JCA path calls it for every signature, which halves signing speed.
 * An initialised signer resets itself to "ZA already absorbed" after each signature, so reusing
 * one keeps that work to once per key.
 */
final class Sm2SignerPool {

    /** Idle signers kept; beyond this a released signer is dropped for the collector. */
    static final int IDLE_SIGNERS_MAX = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    private final Supplier<SM2Signer> factory;
    private final ArrayBlockingQueue<SM2Signer> idle = new ArrayBlockingQueue<>(IDLE_SIGNERS_MAX);

    Sm2SignerPool(Supplier<SM2Signer> factory) {
        this.factory = factory;
    }

    SM2Signer acquire() {
        SM2Signer signer = idle.poll();
        return signer != null ? signer : factory.get();
    }

    /** Takes back a signer in any state: reset brings it back to "ZA absorbed, no message". */
    void release(SM2Signer signer) {
        signer.reset();
        idle.offer(signer);
    }
}
