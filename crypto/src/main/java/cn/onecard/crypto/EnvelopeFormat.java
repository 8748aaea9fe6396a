package cn.onecard.crypto;

/**
 * Version 1 of the OneCard envelope, byte for byte as docs/crypto.md specifies it. All integers are
 * big-endian.
 *
 * <pre>
 * header   magic "OCEV" | version 1 | suite 1 | flags u16 = 0 | chunk_bytes u32 | sealed_at_ms u64
 *          | recipient_key_id [32] | sender_key_id [32] | nonce_prefix [7] | label_len u8 | label
 *          | wrapped_key_len u16 | wrapped_key (SM2 C1C3C2 of the 16-byte SM4 content key)
 * chunk*   word u32 (bit 31: final; bits 0-30: content length) | SM4-GCM ciphertext | tag [16]
 * trailer  signature_len u16 (8..72) | DER SM2 signature (SM3, default ID) over every byte before the trailer
 * </pre>
 *
 * Chunk i is sealed with nonce = nonce_prefix || u32 i || final (0 or 1) and AAD = SM3(header).
 * Every chunk but the last holds exactly chunk_bytes of content; the last holds 1..chunk_bytes, or 0
 * when the content is empty. chunk_bytes is 256 B to 1 MiB. The label's characters: {@link EnvelopeLabel}.
 * sealed_at_ms is reported, never checked: it is signed and bound into the AAD, but freshness is the
 * consumer's rule.
 */
final class EnvelopeFormat {

    static final byte[] MAGIC = {'O', 'C', 'E', 'V'};
    static final int VERSION = 1;
    /** SM2 (C1C3C2) key wrap, SM4-GCM-128 content chunks, SM3withSM2 signature with the default ID. */
    static final int SUITE_SM2_SM4GCM_SM3 = 1;

    static final int CHUNK_BYTES_DEFAULT = 64 * 1024;
    static final int CHUNK_BYTES_MIN = 256;
    /**
     * Kept small because buffers of this size are allocated on the word of an unauthenticated header:
     * anyone can write a header that passes every check before the first tag.
     */
    static final int CHUNK_BYTES_MAX = 1024 * 1024;
    static final int KEY_ID_BYTES = Sm3.DIGEST_BYTES;
    static final int NONCE_PREFIX_BYTES = 7;
    static final int LABEL_BYTES_MAX = 255;
    static final int WRAPPED_KEY_BYTES_MAX = 256;
    static final int CHUNK_WORD_BYTES = 4;
    static final int FINAL_CHUNK_BIT = 0x8000_0000;
    static final int SIGNATURE_BYTES_MIN = Sm2Signatures.DER_BYTES_MIN;
    static final int SIGNATURE_BYTES_MAX = Sm2Signatures.DER_BYTES_MAX;

    /** Bytes up to and including label_len. */
    static final int FIXED_HEADER_BYTES = 4 + 1 + 1 + 2 + 4 + 8 + KEY_ID_BYTES + KEY_ID_BYTES + NONCE_PREFIX_BYTES + 1;
    static final int OFFSET_VERSION = 4;
    static final int OFFSET_SUITE = 5;
    static final int OFFSET_FLAGS = 6;
    static final int OFFSET_CHUNK_BYTES = 8;
    static final int OFFSET_SEALED_AT = 12;
    static final int OFFSET_RECIPIENT = 20;
    static final int OFFSET_SENDER = OFFSET_RECIPIENT + KEY_ID_BYTES;
    static final int OFFSET_NONCE_PREFIX = OFFSET_SENDER + KEY_ID_BYTES;
    static final int OFFSET_LABEL_LENGTH = OFFSET_NONCE_PREFIX + NONCE_PREFIX_BYTES;

    private EnvelopeFormat() {
    }

    static byte[] header(int chunkBytes, long sealedAtMillis, byte[] recipientKeyId, byte[] senderKeyId,
                         byte[] noncePrefix, byte[] label, byte[] wrappedKey) {
        byte[] header = new byte[FIXED_HEADER_BYTES + label.length + 2 + wrappedKey.length];
        System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
        header[OFFSET_VERSION] = VERSION;
        header[OFFSET_SUITE] = SUITE_SM2_SM4GCM_SM3;
        Bytes.writeU32(header, OFFSET_CHUNK_BYTES, chunkBytes);
        Bytes.writeU64(header, OFFSET_SEALED_AT, sealedAtMillis);
        System.arraycopy(recipientKeyId, 0, header, OFFSET_RECIPIENT, KEY_ID_BYTES);
        System.arraycopy(senderKeyId, 0, header, OFFSET_SENDER, KEY_ID_BYTES);
        System.arraycopy(noncePrefix, 0, header, OFFSET_NONCE_PREFIX, NONCE_PREFIX_BYTES);
        header[OFFSET_LABEL_LENGTH] = (byte) label.length;
        System.arraycopy(label, 0, header, FIXED_HEADER_BYTES, label.length);
        Bytes.writeU16(header, FIXED_HEADER_BYTES + label.length, wrappedKey.length);
        System.arraycopy(wrappedKey, 0, header, FIXED_HEADER_BYTES + label.length + 2, wrappedKey.length);
        return header;
    }

    static byte[] nonce(byte[] noncePrefix, long chunkIndex, boolean finalChunk) {
        if (chunkIndex > 0xffff_ffffL) {
            throw new IllegalStateException("envelope chunk counter exhausted");
        }
        byte[] nonce = new byte[Sm4.GCM_NONCE_BYTES];
        System.arraycopy(noncePrefix, 0, nonce, 0, NONCE_PREFIX_BYTES);
        Bytes.writeU32(nonce, NONCE_PREFIX_BYTES, (int) chunkIndex);
        nonce[Sm4.GCM_NONCE_BYTES - 1] = (byte) (finalChunk ? 1 : 0);
        return nonce;
    }
}
