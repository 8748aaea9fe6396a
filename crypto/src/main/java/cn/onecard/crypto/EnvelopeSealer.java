package cn.onecard.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Seals content for one recipient, signed by one sender: a fresh SM4-GCM key encrypts the content
 * in chunks, the recipient's SM2 key wraps that key, and the sender's SM2 key signs the whole. The
 * format is {@link EnvelopeFormat} (docs/crypto.md). Memory stays flat whatever the content's size.
 * Thread-safe.
 */
public final class EnvelopeSealer {

    private final Clock clock;
    private final int chunkBytes;

    public EnvelopeSealer() {
        this(Clock.systemUTC(), EnvelopeFormat.CHUNK_BYTES_DEFAULT);
    }

    /** @param chunkBytes content bytes per chunk, 256 B to 1 MiB */
    public EnvelopeSealer(Clock clock, int chunkBytes) {
        if (chunkBytes < EnvelopeFormat.CHUNK_BYTES_MIN || chunkBytes > EnvelopeFormat.CHUNK_BYTES_MAX) {
            throw new IllegalArgumentException("chunk size must be " + EnvelopeFormat.CHUNK_BYTES_MIN + ".."
                    + EnvelopeFormat.CHUNK_BYTES_MAX + " bytes, got " + chunkBytes);
        }
        this.clock = clock;
        this.chunkBytes = chunkBytes;
    }

    public byte[] seal(byte[] content, Sm2PublicKey recipient, Sm2PrivateKey sender, String label) {
        ByteArrayOutputStream sealed = new ByteArrayOutputStream(content.length + 512);
        try {
            seal(new ByteArrayInputStream(content), sealed, recipient, sender, label);
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory streams do not fail", e);
        }
        return sealed.toByteArray();
    }

    /** Reads {@code content} to its end and writes the envelope to {@code sealed}; neither is closed. */
    public EnvelopeInfo seal(InputStream content, OutputStream sealed, Sm2PublicKey recipient, Sm2PrivateKey sender,
                             String label) throws IOException {
        byte[] labelBytes = EnvelopeLabel.encode(label);
        Instant sealedAt = clock.instant();
        SymmetricKey contentKey = SymmetricKey.generate(KeyAlgorithm.SM4);
        byte[] noncePrefix = new byte[EnvelopeFormat.NONCE_PREFIX_BYTES];
        CryptoRandom.get().nextBytes(noncePrefix);
        byte[] wrappedKey = recipient.encrypt(contentKey.material());
        byte[] header = EnvelopeFormat.header(chunkBytes, sealedAt.toEpochMilli(), recipient.fingerprint(),
                sender.publicKey().fingerprint(), noncePrefix, labelBytes, wrappedKey);
        byte[] aad = Sm3.digest(header);

        int frameBytes = EnvelopeFormat.CHUNK_WORD_BYTES + chunkBytes + Sm4.GCM_TAG_BYTES;
        byte[] current = new byte[chunkBytes];
        byte[] next = new byte[chunkBytes];
        GCMModeCipher gcm = GCMBlockCipher.newInstance(new SM4Engine());
        KeyParameter keyParameter = contentKey.keyParameter();
        long contentBytes = 0;

        try (Sm2StreamSigner signer = sender.newSigner(Sm2SignatureFormat.DEFAULT)) {
            DigestFeed feed = DigestFeed.inline(signer::update, frameBytes);
            try {
                sealed.write(header);
                signer.update(header);
                int currentLength = content.readNBytes(current, 0, chunkBytes);
                for (long index = 0; ; index++) {
                    int nextLength = currentLength == chunkBytes ? content.readNBytes(next, 0, chunkBytes) : 0;
                    boolean finalChunk = nextLength == 0;
                    if (index == 1) {
                        // More than one chunk: worth hashing on a second thread (see DigestFeed).
                        feed.finish();
                        feed = DigestFeed.offloaded(signer::update, frameBytes);
                    }
                    byte[] frame = feed.buffer();
                    Bytes.writeU32(frame, 0, currentLength | (finalChunk ? EnvelopeFormat.FINAL_CHUNK_BIT : 0));
                    gcm.init(true, new AEADParameters(index == 0 ? keyParameter : null, Sm4.GCM_TAG_BYTES * 8,
                            EnvelopeFormat.nonce(noncePrefix, index, finalChunk), aad));
                    int written = gcm.processBytes(current, 0, currentLength, frame, EnvelopeFormat.CHUNK_WORD_BYTES);
                    written += gcm.doFinal(frame, EnvelopeFormat.CHUNK_WORD_BYTES + written);
                    int length = EnvelopeFormat.CHUNK_WORD_BYTES + written;
                    sealed.write(frame, 0, length);
                    feed.submit(frame, length);
                    contentBytes += currentLength;
                    if (finalChunk) {
                        break;
                    }
                    byte[] swap = current;
                    current = next;
                    next = swap;
                    currentLength = nextLength;
                }
                feed.finish();
            } finally {
                feed.close();
            }
            byte[] signature = signer.sign();
            byte[] trailer = new byte[2 + signature.length];
            Bytes.writeU16(trailer, 0, signature.length);
            System.arraycopy(signature, 0, trailer, 2, signature.length);
            sealed.write(trailer);
            sealed.flush();
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("GCM encryption cannot fail", e);
        } finally {
            contentKey.destroy();
            Bytes.wipe(current, next);
        }
        return new EnvelopeInfo(new String(labelBytes, StandardCharsets.UTF_8),
                Instant.ofEpochMilli(sealedAt.toEpochMilli()), contentBytes);
    }
}
