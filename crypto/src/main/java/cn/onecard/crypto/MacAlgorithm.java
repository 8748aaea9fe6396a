package cn.onecard.crypto;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.Mac;
import org.bouncycastle.crypto.engines.DESEngine;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.macs.CMac;
import org.bouncycastle.crypto.macs.ISO9797Alg3Mac;

/**
 * The message authentication codes of card networks and bank hosts. A dialect names one of these
 * for its field 64 (or 128); the name is the configuration value.
 */
public enum MacAlgorithm {
    /**
     * UnionPay-style POS "ECB" MAC under a DES or triple-DES MAK: XOR the data in 8-byte blocks,
     * hex-expand, encrypt the first half, XOR with the second half, encrypt again, hex-expand and
     * keep the first 8 characters. The result is those 8 ASCII characters.
     */
    POS_ECB_DES("pos-ecb-des"),
    /** The SM4 variant of the POS ECB MAC: 16-byte blocks, 32-character expansion, first 8 characters kept. */
    POS_ECB_SM4("pos-ecb-sm4"),
    /** ANSI X9.19 retail MAC: DES-CBC under K1, the last block decrypted under K2 and encrypted under K1; 8 bytes. */
    X9_19("x919"),
    /** CMAC (NIST SP 800-38B) over SM4; 16 bytes. */
    SM4_CMAC("sm4-cmac");

    private final String configName;

    MacAlgorithm(String configName) {
        this.configName = configName;
    }

    /** The name used in dialect configuration and on the command line. */
    public String configName() {
        return configName;
    }

    public static MacAlgorithm fromConfigName(String name) {
        for (MacAlgorithm algorithm : values()) {
            if (algorithm.configName.equals(name)) {
                return algorithm;
            }
        }
        throw new MalformedInputException("unknown MAC algorithm '" + name + "'; known: pos-ecb-des, pos-ecb-sm4, x919, sm4-cmac");
    }

    /** Length of the MAC this algorithm produces. */
    public int macBytes() {
        return switch (this) {
            case POS_ECB_DES, POS_ECB_SM4, X9_19 -> 8;
            case SM4_CMAC -> 16;
        };
    }

    /** The key algorithm a key of {@code keyBytes} bytes has for this MAC. */
    public KeyAlgorithm keyAlgorithmFor(int keyBytes) {
        return switch (this) {
            case POS_ECB_DES -> KeyAlgorithm.desFamilyFor(keyBytes);
            case X9_19 -> KeyAlgorithm.TDES;
            case POS_ECB_SM4, SM4_CMAC -> KeyAlgorithm.SM4;
        };
    }

    public byte[] compute(SymmetricKey key, byte[] data) {
        key.requireUsage(configName, KeyUsage.MAC);
        return switch (this) {
            case POS_ECB_DES -> posEcb(key.require(configName, KeyAlgorithm.DES, KeyAlgorithm.TDES), data);
            case POS_ECB_SM4 -> posEcb(key.require(configName, KeyAlgorithm.SM4), data);
            case X9_19 -> {
                key.require(configName, KeyAlgorithm.TDES);
                if (key.lengthBytes() != 16) {
                    throw new KeyUsageException("x919 needs a double-length (16-byte) key, not " + key.lengthBytes() + " bytes");
                }
                yield blockCipherMac(new ISO9797Alg3Mac(new DESEngine()), key, data);
            }
            case SM4_CMAC -> blockCipherMac(new CMac(new SM4Engine()), key.require(configName, KeyAlgorithm.SM4), data);
        };
    }

    /** Constant-time comparison of {@code mac} with the MAC of {@code data}. */
    public boolean verify(SymmetricKey key, byte[] data, byte[] mac) {
        return Bytes.constantTimeEquals(compute(key, data), mac);
    }

    private static byte[] blockCipherMac(Mac mac, SymmetricKey key, byte[] data) {
        mac.init(key.keyParameter());
        mac.update(data, 0, data.length);
        byte[] out = new byte[mac.getMacSize()];
        mac.doFinal(out, 0);
        return out;
    }

    private static byte[] posEcb(SymmetricKey key, byte[] data) {
        int block = key.algorithm().blockBytes();
        byte[] folded = new byte[block];
        for (int i = 0; i < data.length; i++) {
            folded[i % block] ^= data[i]; // the last block is zero-padded, which XOR leaves as is
        }
        byte[] expanded = Bytes.toHexUpper(folded).getBytes(StandardCharsets.US_ASCII);
        BlockCipher engine = key.newEngine(true);
        byte[] first = new byte[block];
        engine.processBlock(expanded, 0, first, 0);
        for (int i = 0; i < block; i++) {
            first[i] ^= expanded[block + i];
        }
        byte[] second = new byte[block];
        engine.processBlock(first, 0, second, 0);
        byte[] hex = Bytes.toHexUpper(second).getBytes(StandardCharsets.US_ASCII);
        byte[] mac = new byte[8];
        System.arraycopy(hex, 0, mac, 0, mac.length);
        return mac;
    }
}
