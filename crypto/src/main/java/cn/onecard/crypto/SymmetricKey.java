package cn.onecard.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.security.auth.Destroyable;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * A clear DES, triple-DES or SM4 key held in memory. The bytes never leave the crypto module: other
 * modules pass the key to the functions that need it. A key that comes out of the key hierarchy
 * (unwrapped from storage, received under a key-encrypting key) carries its {@link KeyUsage}, and
 * every operation refuses a key of another usage; a key built from raw bytes (tests, operator
 * tools that were handed the clear key) is unrestricted. {@link #destroy()} wipes the copy held here;
 * cipher engines built from it keep their own key schedules until they are collected, which is why
 * production PIN work belongs in an HSM (see docs/crypto.md).
 */
public final class SymmetricKey implements Destroyable {

    /** Bytes of a key check value in UnionPay-style key download (field 62). */
    public static final int CHECK_VALUE_BYTES = 4;

    private final KeyAlgorithm algorithm;
    private final byte[] material;
    private final KeyUsage usage;
    private volatile boolean destroyed;

    private SymmetricKey(KeyAlgorithm algorithm, byte[] material, KeyUsage usage) {
        this.algorithm = algorithm;
        this.material = material;
        this.usage = usage;
    }

    /** An unrestricted key of the given algorithm from a copy of {@code material}. */
    public static SymmetricKey of(KeyAlgorithm algorithm, byte[] material) {
        return of(algorithm, material, null);
    }

    /** A key restricted to {@code usage} (null: unrestricted), from a copy of {@code material}. */
    public static SymmetricKey of(KeyAlgorithm algorithm, byte[] material, KeyUsage usage) {
        if (!algorithm.acceptsKeyLength(material.length)) {
            throw new MalformedInputException(algorithm + " key cannot be " + material.length + " bytes long");
        }
        if (algorithm == KeyAlgorithm.TDES && hasEqualHalves(material)) {
            throw new MalformedInputException("triple-DES key repeats a single-DES key (K1 = K2 or K2 = K3): it is single DES");
        }
        if (usage != null && !usage.allows(algorithm)) {
            throw new KeyUsageException(usage + " keys cannot be " + algorithm);
        }
        return new SymmetricKey(algorithm, material.clone(), usage);
    }

    private static boolean hasEqualHalves(byte[] material) {
        boolean k1k2 = Arrays.equals(material, 0, 8, material, 8, 16);
        boolean k2k3 = material.length == 24 && Arrays.equals(material, 8, 16, material, 16, 24);
        return k1k2 || k2k3;
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
        do {
            random.nextBytes(material);
        } while (algorithm == KeyAlgorithm.TDES && hasEqualHalves(material));
        return new SymmetricKey(algorithm, material, null);
    }

    public KeyAlgorithm algorithm() {
        return algorithm;
    }

    public int lengthBytes() {
        return material.length;
    }

    /** What this key may be used for; empty when it is unrestricted. */
    public Optional<KeyUsage> usage() {
        return Optional.ofNullable(usage);
    }

    /** Refuses this key for {@code purpose} when it is restricted to another usage. */
    SymmetricKey requireUsage(String purpose, KeyUsage... allowed) {
        if (usage == null) {
            return this;
        }
        for (KeyUsage candidate : allowed) {
            if (candidate == usage) {
                return this;
            }
        }
        throw new KeyUsageException(purpose + " needs a " + allowed[0].code() + " key, not a " + usage.code() + " key");
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
        return "SymmetricKey[" + algorithm + (usage == null ? "" : " " + usage.code()) + ", " + material.length
                + " bytes, kcv=" + Bytes.toHexUpper(checkValue()) + "]";
    }
}
