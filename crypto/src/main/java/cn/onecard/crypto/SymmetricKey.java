package cn.onecard.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import javax.security.auth.Destroyable;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * A clear DES, triple-DES or SM4 key held in memory. The bytes never leave the crypto module: other
 * modules pass the key to the functions that need it. {@link #destroy()} wipes the copy held here;
 * cipher engines built from it keep their own key schedules until they are collected, which is why
 * production PIN work belongs in an HSM (see docs/crypto.md).
 */
public final class SymmetricKey implements Destroyable {

    /** Bytes of a key check value in UnionPay-style key download (field 62). */
    public static final int CHECK_VALUE_BYTES = 4;

    private final KeyAlgorithm algorithm;
    private final byte[] material;
    private volatile boolean destroyed;

    private SymmetricKey(KeyAlgorithm algorithm, byte[] material) {
        this.algorithm = algorithm;
        this.material = material;
    }

    /** A key of the given algorithm from a copy of {@code material}. */
    public static SymmetricKey of(KeyAlgorithm algorithm, byte[] material) {
        if (!algorithm.acceptsKeyLength(material.length)) {
            throw new MalformedInputException(algorithm + " key cannot be " + material.length + " bytes long");
        }
        return new SymmetricKey(algorithm, material.clone());
    }

    public static SymmetricKey fromHex(KeyAlgorithm algorithm, String hex) {
        byte[] material = Bytes.fromHex(algorithm + " key", hex);
        try {
            return of(algorithm, material);
        } finally {
            Bytes.wipe(material);
        }
    }

    /** A fresh random key: 16 bytes for SM4 and TDES (double length), 8 for DES. */
    public static SymmetricKey generate(KeyAlgorithm algorithm) {
        return generate(algorithm, CryptoRandom.get());
    }

    public static SymmetricKey generate(KeyAlgorithm algorithm, SecureRandom random) {
        byte[] material = new byte[algorithm == KeyAlgorithm.DES ? 8 : 16];
        random.nextBytes(material);
        return new SymmetricKey(algorithm, material);
    }

    public KeyAlgorithm algorithm() {
        return algorithm;
    }

    public int lengthBytes() {
        return material.length;
    }

    /** The key check value: the first 4 bytes of a zero block encrypted under this key. */
    public byte[] checkValue() {
        return checkValue(CHECK_VALUE_BYTES);
    }

    public byte[] checkValue(int bytes) {
        if (bytes < 1 || bytes > algorithm.blockBytes()) {
            throw new IllegalArgumentException("check value length must be 1.." + algorithm.blockBytes());
        }
        byte[] block = new byte[algorithm.blockBytes()];
        newEngine(true).processBlock(block, 0, block, 0);
        return Arrays.copyOf(block, bytes);
    }

    /** A block cipher engine keyed with this key; package use only, so the key stays inside. */
    BlockCipher newEngine(boolean forEncryption) {
        BlockCipher engine = algorithm.newEngine();
        engine.init(forEncryption, keyParameter());
        return engine;
    }

    KeyParameter keyParameter() {
        checkNotDestroyed();
        return new KeyParameter(material);
    }

    /** The clear bytes, not copied: package use only, never to leave the module. */
    byte[] material() {
        checkNotDestroyed();
        return material;
    }

    /** Refuses this key for {@code purpose} unless it is of one of the given algorithms. */
    SymmetricKey require(String purpose, KeyAlgorithm... allowed) {
        for (KeyAlgorithm candidate : allowed) {
            if (candidate == algorithm) {
                return this;
            }
        }
        throw new KeyUsageException(purpose + " needs a key of " + Arrays.toString(allowed) + ", not " + algorithm);
    }

    private void checkNotDestroyed() {
        if (destroyed) {
            throw new IllegalStateException("key has been destroyed");
        }
    }

    @Override
    public void destroy() {
        destroyed = true;
        Bytes.wipe(material);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    /** Algorithm, length and check value only: safe for logs. */
    @Override
    public String toString() {
        if (destroyed) {
            return "SymmetricKey[" + algorithm + ", destroyed]";
        }
        return "SymmetricKey[" + algorithm + ", " + material.length + " bytes, kcv=" + Bytes.toHexUpper(checkValue()) + "]";
    }
}
