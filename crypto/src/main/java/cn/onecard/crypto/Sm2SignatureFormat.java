package cn.onecard.crypto;

import java.nio.charset.StandardCharsets;

/**
 * The signer's distinguishing ID (which enters ZA) and the signature encoding. Both parties must
 * agree on both; the default is what GM/T 0009 and OpenSSL use.
 *
 * @param distinguishingId the user ID hashed into ZA, ASCII in practice
 * @param encoding         how (r, s) is written
 */
public record Sm2SignatureFormat(String distinguishingId, Sm2SignatureEncoding encoding) {

    public static final String DEFAULT_ID = "1234567812345678";

    /** Default ID, DER encoding. */
    public static final Sm2SignatureFormat DEFAULT = new Sm2SignatureFormat(DEFAULT_ID, Sm2SignatureEncoding.DER);

    /** ZA's ENTL field holds the ID length in bits in two bytes. */
    static final int ID_BYTES_MAX = 0xffff / 8;

    public Sm2SignatureFormat {
        if (distinguishingId == null || encoding == null) {
            throw new IllegalArgumentException("distinguishing ID and encoding are required");
        }
        if (distinguishingId.getBytes(StandardCharsets.UTF_8).length > ID_BYTES_MAX) {
            throw new MalformedInputException("SM2 distinguishing ID is longer than " + ID_BYTES_MAX + " bytes");
        }
    }

    public static Sm2SignatureFormat of(String distinguishingId, Sm2SignatureEncoding encoding) {
        return new Sm2SignatureFormat(distinguishingId, encoding);
    }

    public Sm2SignatureFormat withEncoding(Sm2SignatureEncoding newEncoding) {
        return new Sm2SignatureFormat(distinguishingId, newEncoding);
    }

    byte[] idBytes() {
        return distinguishingId.getBytes(StandardCharsets.UTF_8);
    }
}
