package cn.onecard.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import cn.onecard.crypto.VerificationFailedException.Reason;

/**
 * Opens envelopes made by {@link EnvelopeSealer}. Content is released only after every chunk tag,
 * the chunk sequence, the sender's signature and the end of input have all checked out: into memory
 * for {@link #open(byte[], Sm2PrivateKey, Sm2PublicKey)}, or by an atomic rename of a private
 * staging file for {@link #open(InputStream, Path, Sm2PrivateKey, Sm2PublicKey)}. Thread-safe.
 */
public final class EnvelopeOpener {

    public OpenedEnvelope open(byte[] sealed, Sm2PrivateKey recipient, Sm2PublicKey sender) {
        ByteArrayOutputStream staging = new ByteArrayOutputStream(Math.max(0, sealed.length - 256));
        try {
            EnvelopeInfo info = openInto(new ByteArrayInputStream(sealed), staging, recipient, sender);
            return new OpenedEnvelope(info, staging.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory streams do not fail", e);
        }
    }

    /**
     * Opens {@code sealed} (read to its end, not closed) into {@code destination}, which appears, or
     * is replaced, only when everything verified, and then durably. On any refusal no file is left
     * behind and an existing destination is untouched.
     */
    public EnvelopeInfo open(InputStream sealed, Path destination, Sm2PrivateKey recipient, Sm2PublicKey sender)
            throws IOException {
        try (StagedFile staged = StagedFile.beside(destination)) {
            EnvelopeInfo info = openInto(sealed, staged.stream(), recipient, sender);
            staged.publish();
            return info;
        }
    }

    /**
     * The sender key id (SM3 fingerprint of the sender's public key) of an envelope, read from its
     * header without opening it, so that a receiver with several partners knows whose key to verify
     * with. Proves nothing: {@link #open} still checks the signature against that key.
     */
    public static byte[] senderKeyId(InputStream sealed) throws IOException {
        byte[] fixed = readHeaderStart(sealed);
        return Arrays.copyOfRange(fixed, EnvelopeFormat.OFFSET_SENDER, EnvelopeFormat.OFFSET_SENDER + EnvelopeFormat.KEY_ID_BYTES);
    }

    /** Decrypts into {@code staging}, which the caller must discard unless this returns normally. */
    private EnvelopeInfo openInto(InputStream in, OutputStream staging, Sm2PrivateKey recipient, Sm2PublicKey sender)
            throws IOException {
        byte[] fixed = readHeaderStart(in);
        int chunkBytes = Bytes.readU32(fixed, EnvelopeFormat.OFFSET_CHUNK_BYTES);
        if (chunkBytes < EnvelopeFormat.CHUNK_BYTES_MIN || chunkBytes > EnvelopeFormat.CHUNK_BYTES_MAX) {
            throw new MalformedInputException("envelope chunk size " + Integer.toUnsignedString(chunkBytes) + " is outside "
                    + EnvelopeFormat.CHUNK_BYTES_MIN + ".." + EnvelopeFormat.CHUNK_BYTES_MAX);
        }
        int labelLength = fixed[EnvelopeFormat.OFFSET_LABEL_LENGTH] & 0xff;
        byte[] labelAndKeyLength = readFully(in, labelLength + 2);
        String label = EnvelopeLabel.decode(Arrays.copyOf(labelAndKeyLength, labelLength));
        int wrappedKeyLength = Bytes.readU16(labelAndKeyLength, labelLength);
        if (wrappedKeyLength == 0 || wrappedKeyLength > EnvelopeFormat.WRAPPED_KEY_BYTES_MAX) {
            throw new MalformedInputException("envelope wrapped key length " + wrappedKeyLength + " is outside 1.."
                    + EnvelopeFormat.WRAPPED_KEY_BYTES_MAX);
        }
        byte[] wrappedKey = readFully(in, wrappedKeyLength);

        if (!recipient.publicKey().hasFingerprint(Arrays.copyOfRange(fixed, EnvelopeFormat.OFFSET_RECIPIENT,
                EnvelopeFormat.OFFSET_RECIPIENT + EnvelopeFormat.KEY_ID_BYTES))) {
            throw new VerificationFailedException(Reason.WRONG_RECIPIENT, "envelope is addressed to another recipient key");
        }
        if (!sender.hasFingerprint(Arrays.copyOfRange(fixed, EnvelopeFormat.OFFSET_SENDER,
                EnvelopeFormat.OFFSET_SENDER + EnvelopeFormat.KEY_ID_BYTES))) {
            throw new VerificationFailedException(Reason.WRONG_SENDER, "envelope names another sender than the one expected");
        }
        SymmetricKey contentKey = unwrapContentKey(recipient, wrappedKey);

        byte[] header = concat(fixed, labelAndKeyLength, wrappedKey);
        byte[] aad = Sm3.digest(header);
        byte[] noncePrefix = Arrays.copyOfRange(fixed, EnvelopeFormat.OFFSET_NONCE_PREFIX,
                EnvelopeFormat.OFFSET_NONCE_PREFIX + EnvelopeFormat.NONCE_PREFIX_BYTES);
        int frameBytes = EnvelopeFormat.CHUNK_WORD_BYTES + chunkBytes + Sm4.GCM_TAG_BYTES;
        byte[] plaintext = new byte[chunkBytes + Sm4.GCM_TAG_BYTES];
        GCMModeCipher gcm = GCMBlockCipher.newInstance(new SM4Engine());
        KeyParameter keyParameter = contentKey.keyParameter();
        long contentBytes = 0;

        try (Sm2StreamVerifier verifier = sender.newVerifier(Sm2SignatureFormat.DEFAULT)) {
            verifier.update(header);
            DigestFeed feed = DigestFeed.inline(verifier::update, frameBytes);
            try {
                for (long index = 0; ; index++) {
                    if (index == 1) {
                        feed.finish();
                        feed = DigestFeed.offloaded(verifier::update, frameBytes);
                    }
                    byte[] frame = feed.buffer();
                    readFully(in, frame, 0, EnvelopeFormat.CHUNK_WORD_BYTES);
                    int word = Bytes.readU32(frame, 0);
                    boolean finalChunk = (word & EnvelopeFormat.FINAL_CHUNK_BIT) != 0;
                    int length = word & ~EnvelopeFormat.FINAL_CHUNK_BIT;
                    checkChunkLength(length, chunkBytes, finalChunk, index);
                    int sealedLength = length + Sm4.GCM_TAG_BYTES;
                    readFully(in, frame, EnvelopeFormat.CHUNK_WORD_BYTES, sealedLength);
                    feed.submit(frame, EnvelopeFormat.CHUNK_WORD_BYTES + sealedLength);

                    gcm.init(false, new AEADParameters(index == 0 ? keyParameter : null, Sm4.GCM_TAG_BYTES * 8,
                            EnvelopeFormat.nonce(noncePrefix, index, finalChunk), aad));
                    int opened = gcm.processBytes(frame, EnvelopeFormat.CHUNK_WORD_BYTES, sealedLength, plaintext, 0);
                    try {
                        opened += gcm.doFinal(plaintext, opened);
                    } catch (InvalidCipherTextException e) {
                        throw new VerificationFailedException(Reason.TAG_MISMATCH,
                                "envelope chunk " + index + " fails its SM4-GCM tag: altered, reordered or cut");
                    }
                    staging.write(plaintext, 0, opened);
                    contentBytes += opened;
                    if (finalChunk) {
                        break;
                    }
                }
                feed.finish();
            } finally {
                feed.close();
            }
            byte[] signature = readSignature(in);
            boolean valid;
            try {
                valid = verifier.verify(signature);
            } catch (MalformedInputException e) {
                valid = false;
            }
            if (!valid) {
                throw new VerificationFailedException(Reason.SIGNATURE_INVALID,
                        "envelope signature does not verify under the sender's key");
            }
            if (in.read() != -1) {
                throw new VerificationFailedException(Reason.TRAILING_DATA, "bytes follow the envelope's signature");
            }
        } finally {
            contentKey.destroy();
            Bytes.wipe(plaintext);
        }
        return new EnvelopeInfo(label, Instant.ofEpochMilli(Bytes.readU64(fixed, EnvelopeFormat.OFFSET_SEALED_AT)), contentBytes);
    }

    private static byte[] readHeaderStart(InputStream in) throws IOException {
        byte[] fixed = new byte[EnvelopeFormat.FIXED_HEADER_BYTES];
        int magicRead = in.readNBytes(fixed, 0, EnvelopeFormat.MAGIC.length);
        if (magicRead < EnvelopeFormat.MAGIC.length
                || !Arrays.equals(fixed, 0, EnvelopeFormat.MAGIC.length, EnvelopeFormat.MAGIC, 0, EnvelopeFormat.MAGIC.length)) {
            throw new MalformedInputException("not a OneCard envelope (no OCEV magic)");
        }
        readFully(in, fixed, EnvelopeFormat.MAGIC.length, fixed.length - EnvelopeFormat.MAGIC.length);
        int version = fixed[EnvelopeFormat.OFFSET_VERSION] & 0xff;
        if (version != EnvelopeFormat.VERSION) {
            throw new MalformedInputException("envelope version " + version + " is not supported; this build reads version "
                    + EnvelopeFormat.VERSION);
        }
        int suite = fixed[EnvelopeFormat.OFFSET_SUITE] & 0xff;
        if (suite != EnvelopeFormat.SUITE_SM2_SM4GCM_SM3) {
            throw new MalformedInputException("envelope algorithm suite " + suite + " is not supported");
        }
        if (Bytes.readU16(fixed, EnvelopeFormat.OFFSET_FLAGS) != 0) {
            throw new MalformedInputException("envelope flags are reserved and must be zero");
        }
        return fixed;
    }

    private static SymmetricKey unwrapContentKey(Sm2PrivateKey recipient, byte[] wrappedKey) {
        byte[] material;
        try {
            material = recipient.decrypt(wrappedKey);
        } catch (MalformedInputException | VerificationFailedException e) {
            throw new VerificationFailedException(Reason.DECRYPTION_FAILED,
                    "envelope content key does not unwrap under the recipient key: altered or not for this key");
        }
        try {
            if (material.length != Sm4.KEY_BYTES) {
                throw new VerificationFailedException(Reason.DECRYPTION_FAILED,
                        "envelope content key is " + material.length + " bytes, not 16");
            }
            return SymmetricKey.of(KeyAlgorithm.SM4, material);
        } finally {
            Bytes.wipe(material);
        }
    }

    /** Past the header, a chunk that breaks the layout was altered: the sealer never writes one. */
    private static void checkChunkLength(int length, int chunkBytes, boolean finalChunk, long index) {
        String fault = null;
        if (length > chunkBytes) {
            fault = "claims " + length + " bytes, more than the chunk size " + chunkBytes;
        } else if (!finalChunk && length != chunkBytes) {
            fault = "is not final but holds " + length + " bytes instead of " + chunkBytes;
        } else if (finalChunk && length == 0 && index > 0) {
            fault = "is final and empty although content precedes it";
        }
        if (fault != null) {
            throw new VerificationFailedException(Reason.STRUCTURE_ALTERED, "envelope chunk " + index + " " + fault);
        }
    }

    private static byte[] readSignature(InputStream in) throws IOException {
        byte[] lengthBytes = readFully(in, 2);
        int length = Bytes.readU16(lengthBytes, 0);
        if (length < EnvelopeFormat.SIGNATURE_BYTES_MIN || length > EnvelopeFormat.SIGNATURE_BYTES_MAX) {
            throw new VerificationFailedException(Reason.SIGNATURE_INVALID, "envelope signature length " + length
                    + " is outside " + EnvelopeFormat.SIGNATURE_BYTES_MIN + ".." + EnvelopeFormat.SIGNATURE_BYTES_MAX);
        }
        return readFully(in, length);
    }

    private static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        readFully(in, bytes, 0, length);
        return bytes;
    }

    private static void readFully(InputStream in, byte[] target, int offset, int length) throws IOException {
        if (in.readNBytes(target, offset, length) < length) {
            throw new VerificationFailedException(Reason.TRUNCATED, "envelope ends before its signature: truncated");
        }
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, offset, part.length);
            offset += part.length;
        }
        return out;
    }
}
