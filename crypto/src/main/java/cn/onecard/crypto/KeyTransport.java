package cn.onecard.crypto;

import java.util.Arrays;
import org.bouncycastle.crypto.BlockCipher;

/**
 * Working keys in transit: encrypted block by block (ECB) under a key-encrypting key, the way a
 * POS sign-on (field 62) or a bank's key exchange carries them, each with its check value.
 */
public final class KeyTransport {

    private KeyTransport() {
    }

    /**
     * {@code key} encrypted under {@code keyEncryptingKey}, which must be a zone or terminal master key
     * (or unrestricted); the key length must be whole blocks of the KEK.
     */
    public static byte[] encryptUnder(SymmetricKey keyEncryptingKey, SymmetricKey key) {
        requireKeyEncryptingKey(keyEncryptingKey);
        byte[] material = key.material();
        int block = keyEncryptingKey.algorithm().blockBytes();
        if (material.length % block != 0) {
            throw new KeyUsageException("a " + material.length + "-byte key cannot travel under a "
                    + keyEncryptingKey.algorithm() + " key (" + block + "-byte blocks)");
        }
        BlockCipher engine = keyEncryptingKey.newEngine(true);
        byte[] out = new byte[material.length];
        for (int i = 0; i < material.length; i += block) {
            engine.processBlock(material, i, out, i);
        }
        return out;
    }

    /**
     * Decrypts a key received under {@code keyEncryptingKey}, checks it against the check value that
     * came with it (compared over the check value's length), and restricts it to {@code usage}.
     */
    public static SymmetricKey decryptUnder(SymmetricKey keyEncryptingKey, byte[] encrypted, KeyAlgorithm algorithm,
                                            byte[] expectedCheckValue, KeyUsage usage) {
        requireKeyEncryptingKey(keyEncryptingKey);
        if (usage == null) {
            throw new IllegalArgumentException("a received key needs a usage");
        }
        int block = keyEncryptingKey.algorithm().blockBytes();
        if (encrypted.length == 0 || encrypted.length % block != 0) {
            throw new MalformedInputException("an encrypted key under " + keyEncryptingKey.algorithm()
                    + " is whole " + block + "-byte blocks, got " + encrypted.length + " bytes");
        }
        BlockCipher engine = keyEncryptingKey.newEngine(false);
        byte[] clear = new byte[encrypted.length];
        try {
            for (int i = 0; i < encrypted.length; i += block) {
                engine.processBlock(encrypted, i, clear, i);
            }
            SymmetricKey key = SymmetricKey.of(algorithm, clear, usage);
            if (expectedCheckValue == null || expectedCheckValue.length == 0
                    || expectedCheckValue.length > algorithm.blockBytes()) {
                throw new MalformedInputException("a key check value of 1.." + algorithm.blockBytes() + " bytes is required");
            }
            byte[] actual = key.checkValue(expectedCheckValue.length);
            if (!Bytes.constantTimeEquals(actual, expectedCheckValue)) {
                key.destroy();
                throw new VerificationFailedException(VerificationFailedException.Reason.CHECK_VALUE_MISMATCH,
                        "received key's check value does not match: wrong key-encrypting key or altered key");
            }
            return key;
        } finally {
            Arrays.fill(clear, (byte) 0);
        }
    }

    private static void requireKeyEncryptingKey(SymmetricKey key) {
        key.usage().filter(usage -> !usage.isKeyEncryptingKey()).ifPresent(usage -> {
            throw new KeyUsageException("carrying a key needs a ZMK or TMK, not a " + usage.code() + " key");
        });
    }
}
