package cn.onecard.crypto;

import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.engines.DESEngine;
import org.bouncycastle.crypto.engines.DESedeEngine;
import org.bouncycastle.crypto.engines.SM4Engine;

/** The block ciphers that card-side keys are used with. */
public enum KeyAlgorithm {
    /** Single DES: only for legacy POS MAC keys. */
    DES(8),
    /** Triple DES with a double (16-byte) or triple (24-byte) length key. */
    TDES(8),
    /** SM4 (GB/T 32907), 16-byte key and block. */
    SM4(16);

    private final int blockBytes;

    KeyAlgorithm(int blockBytes) {
        this.blockBytes = blockBytes;
    }

    public int blockBytes() {
        return blockBytes;
    }

    /** Whether a key of this many bytes is a key of this algorithm. */
    public boolean acceptsKeyLength(int keyBytes) {
        return switch (this) {
            case DES -> keyBytes == 8;
            case TDES -> keyBytes == 16 || keyBytes == 24;
            case SM4 -> keyBytes == 16;
        };
    }

    /** The usual algorithm for a key of this length on the DES side: 8 bytes DES, 16 or 24 TDES. */
    static KeyAlgorithm desFamilyFor(int keyBytes) {
        return switch (keyBytes) {
            case 8 -> DES;
            case 16, 24 -> TDES;
            default -> throw new MalformedInputException(
                    "a DES or triple-DES key has 8, 16 or 24 bytes, not " + keyBytes);
        };
    }

    BlockCipher newEngine() {
        return switch (this) {
            case DES -> new DESEngine();
            case TDES -> new DESedeEngine();
            case SM4 -> new SM4Engine();
        };
    }
}
