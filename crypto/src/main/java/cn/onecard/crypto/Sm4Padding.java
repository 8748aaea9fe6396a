package cn.onecard.crypto;

/** Block padding for SM4 in ECB and CBC. */
public enum Sm4Padding {
    /** Data must be whole 16-byte blocks. */
    NONE,
    /** PKCS#7: 1 to 16 bytes, each holding the pad length. */
    PKCS7
}
