package cn.onecard.crypto;

/** How an SM2 signature's (r, s) travels. */
public enum Sm2SignatureEncoding {
    /** DER SEQUENCE { INTEGER r, INTEGER s }: what OpenSSL and Bouncy Castle produce by default. */
    DER,
    /** 64 bytes, r then s, each 32 bytes big-endian: common in bank HTTP APIs and JavaScript. */
    RAW
}
