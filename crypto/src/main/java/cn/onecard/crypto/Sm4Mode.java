package cn.onecard.crypto;

/** SM4 modes of operation met in bank and POS interfaces. */
public enum Sm4Mode {
    /** Electronic codebook: single blocks for key and MAC work; no IV; no padding by default. */
    ECB,
    /** Cipher block chaining with a 16-byte IV; PKCS#7 padding by default. */
    CBC,
    /** Counter mode with a 16-byte initial counter block; a stream, never padded. */
    CTR,
    /** Galois/counter mode (AEAD) with a 12-byte nonce; output is ciphertext followed by a 16-byte tag. */
    GCM;

    /** The padding used when none is asked for. */
    public Sm4Padding defaultPadding() {
        return this == CBC ? Sm4Padding.PKCS7 : Sm4Padding.NONE;
    }

    /** Bytes of IV (or nonce) this mode takes; 0 for none. */
    public int ivBytes() {
        return switch (this) {
            case ECB -> 0;
            case CBC, CTR -> Sm4.BLOCK_BYTES;
            case GCM -> Sm4.GCM_NONCE_BYTES;
        };
    }
}
