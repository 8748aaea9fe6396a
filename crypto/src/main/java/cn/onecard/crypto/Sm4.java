package cn.onecard.crypto;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.BufferedBlockCipher;
import org.bouncycastle.crypto.DataLengthException;
import org.bouncycastle.crypto.DefaultBufferedBlockCipher;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.modes.CBCBlockCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.paddings.PKCS7Padding;
import org.bouncycastle.crypto.paddings.PaddedBufferedBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * SM4 (GB/T 32907) in ECB, CBC, CTR and GCM. One-shot calls for fields and messages, and streaming
 * calls for files. GCM decryption never releases plaintext whose tag has not been checked.
 */
public final class Sm4 {

    public static final int BLOCK_BYTES = 16;
    public static final int KEY_BYTES = 16;
    public static final int GCM_NONCE_BYTES = 12;
    public static final int GCM_TAG_BYTES = 16;

    private static final int STREAM_BUFFER_BYTES = 64 * 1024;
    /** Unverified GCM plaintext held in memory by the stream-to-stream decryption, at most. */
    public static final int GCM_IN_MEMORY_BYTES_MAX = 64 * 1024 * 1024;

    private Sm4() {
    }

    /** Encrypts with the mode's default padding (PKCS#7 for CBC, none otherwise). */
    public static byte[] encrypt(Sm4Mode mode, SymmetricKey key, byte[] iv, byte[] data) {
        return encrypt(mode, mode.defaultPadding(), key, iv, data);
    }

    public static byte[] decrypt(Sm4Mode mode, SymmetricKey key, byte[] iv, byte[] data) {
        return decrypt(mode, mode.defaultPadding(), key, iv, data);
    }

    public static byte[] encrypt(Sm4Mode mode, Sm4Padding padding, SymmetricKey key, byte[] iv, byte[] data) {
        return transformInMemory(true, mode, padding, key, iv, data);
    }

    public static byte[] decrypt(Sm4Mode mode, Sm4Padding padding, SymmetricKey key, byte[] iv, byte[] data) {
        return transformInMemory(false, mode, padding, key, iv, data);
    }

    /** SM4-GCM with associated data; returns ciphertext followed by the 16-byte tag. */
    public static byte[] encryptGcm(SymmetricKey key, byte[] nonce, byte[] aad, byte[] plaintext) {
        GCMModeCipher gcm = gcm(true, key, nonce, aad);
        byte[] out = new byte[gcm.getOutputSize(plaintext.length)];
        int n = gcm.processBytes(plaintext, 0, plaintext.length, out, 0);
        try {
            gcm.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("GCM encryption cannot fail", e);
        }
        return out;
    }

    /** Checks the tag, then returns the plaintext; a wrong key or an altered byte is refused. */
    public static byte[] decryptGcm(SymmetricKey key, byte[] nonce, byte[] aad, byte[] ciphertextAndTag) {
        if (ciphertextAndTag.length < GCM_TAG_BYTES) {
            throw new MalformedInputException("SM4-GCM input is shorter than its 16-byte tag");
        }
        GCMModeCipher gcm = gcm(false, key, nonce, aad);
        byte[] out = new byte[gcm.getOutputSize(ciphertextAndTag.length)];
        int n = gcm.processBytes(ciphertextAndTag, 0, ciphertextAndTag.length, out, 0);
        try {
            gcm.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            Bytes.wipe(out);
            throw new VerificationFailedException(VerificationFailedException.Reason.TAG_MISMATCH,
                    "SM4-GCM tag does not match: wrong key or altered data");
        }
        return out;
    }

    /**
     * Streams {@code in} to {@code out} through SM4. Memory stays flat, except for GCM decryption,
     * which holds the plaintext until the tag has been checked.
     */
    public static void encrypt(Sm4Mode mode, Sm4Padding padding, SymmetricKey key, byte[] iv,
                               InputStream in, OutputStream out) throws IOException {
        transformStream(true, mode, padding, key, iv, in, out);
    }

    public static void decrypt(Sm4Mode mode, Sm4Padding padding, SymmetricKey key, byte[] iv,
                               InputStream in, OutputStream out) throws IOException {
        transformStream(false, mode, padding, key, iv, in, out);
    }

    /** Streams SM4-GCM with associated data; the output is ciphertext followed by the tag. */
    public static void encryptGcm(SymmetricKey key, byte[] nonce, byte[] aad, InputStream in, OutputStream out)
            throws IOException {
        streamGcm(true, key, nonce, aad, in, out);
    }

    /**
     * Checks the tag before writing anything to {@code out}, so the plaintext is held in memory until
     * then: at most {@value #GCM_IN_MEMORY_BYTES_MAX} bytes. Larger content: decrypt to a file.
     */
    public static void decryptGcm(SymmetricKey key, byte[] nonce, byte[] aad, InputStream in, OutputStream out)
            throws IOException {
        streamGcm(false, key, nonce, aad, in, out);
    }

    /**
     * Decrypts any amount in flat memory into {@code destination}, which appears (atomically, forced
     * to disk) only if the tag verifies; otherwise nothing is left behind.
     */
    public static void decryptGcm(SymmetricKey key, byte[] nonce, byte[] aad, InputStream in, Path destination)
            throws IOException {
        GCMModeCipher gcm = gcm(false, key, nonce, aad);
        try (StagedFile staged = StagedFile.beside(destination)) {
            pump(gcm, in, staged.stream());
            staged.publish();
        }
    }

    static GCMModeCipher gcm(boolean forEncryption, SymmetricKey key, byte[] nonce, byte[] aad) {
        key.require("SM4-GCM", KeyAlgorithm.SM4).requireUsage("SM4 data encryption", KeyUsage.DATA);
        checkIv(Sm4Mode.GCM, nonce);
        GCMModeCipher gcm = GCMBlockCipher.newInstance(new SM4Engine());
        gcm.init(forEncryption, new AEADParameters(key.keyParameter(), GCM_TAG_BYTES * 8, nonce, aad));
        return gcm;
    }

    private static byte[] transformInMemory(boolean forEncryption, Sm4Mode mode, Sm4Padding padding,
                                            SymmetricKey key, byte[] iv, byte[] data) {
        if (mode == Sm4Mode.GCM) {
            checkNoPadding(mode, padding);
            return forEncryption ? encryptGcm(key, iv, null, data) : decryptGcm(key, iv, null, data);
        }
        BufferedBlockCipher cipher = blockModeCipher(forEncryption, mode, padding, key, iv);
        checkWholeBlocks(forEncryption, mode, padding, data.length);
        byte[] out = new byte[cipher.getOutputSize(data.length)];
        int n = cipher.processBytes(data, 0, data.length, out, 0);
        n += finish(cipher, out, n);
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    private static void transformStream(boolean forEncryption, Sm4Mode mode, Sm4Padding padding, SymmetricKey key,
                                        byte[] iv, InputStream in, OutputStream out) throws IOException {
        if (mode == Sm4Mode.GCM) {
            checkNoPadding(mode, padding);
            streamGcm(forEncryption, key, iv, null, in, out);
            return;
        }
        byte[] buffer = new byte[STREAM_BUFFER_BYTES];
        BufferedBlockCipher cipher = blockModeCipher(forEncryption, mode, padding, key, iv);
        byte[] chunk = new byte[cipher.getOutputSize(buffer.length)];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
            out.write(chunk, 0, cipher.processBytes(buffer, 0, n, chunk, 0));
        }
        checkWholeBlocks(forEncryption, mode, padding, total);
        out.write(chunk, 0, finish(cipher, chunk, 0));
    }

    private static void streamGcm(boolean forEncryption, SymmetricKey key, byte[] nonce, byte[] aad,
                                  InputStream in, OutputStream out) throws IOException {
        GCMModeCipher gcm = gcm(forEncryption, key, nonce, aad);
        if (forEncryption) {
            pump(gcm, in, out);
            return;
        }
        // Decryption is held back until doFinal has checked the tag.
        BoundedBuffer held = new BoundedBuffer(GCM_IN_MEMORY_BYTES_MAX);
        pump(gcm, in, held);
        held.writeTo(out);
    }

    private static void pump(GCMModeCipher gcm, InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[STREAM_BUFFER_BYTES];
        byte[] chunk = new byte[gcm.getUpdateOutputSize(buffer.length) + GCM_TAG_BYTES];
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(chunk, 0, gcm.processBytes(buffer, 0, n, chunk, 0));
        }
        try {
            out.write(chunk, 0, gcm.doFinal(chunk, 0));
        } catch (InvalidCipherTextException e) {
            throw new VerificationFailedException(VerificationFailedException.Reason.TAG_MISMATCH,
                    "SM4-GCM tag does not match: wrong key or altered data");
        }
    }

    /** Holds unverified plaintext in memory, refusing more than its limit. */
    private static final class BoundedBuffer extends ByteArrayOutputStream {
        private final int limit;

        BoundedBuffer(int limit) {
            this.limit = limit;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (count + length > limit) {
                throw new MalformedInputException("SM4-GCM content over " + limit / (1024 * 1024)
                        + " MiB cannot be held for verification in memory: decrypt it to a file");
            }
            super.write(bytes, offset, length);
        }
    }

    private static int finish(BufferedBlockCipher cipher, byte[] out, int offset) {
        try {
            return cipher.doFinal(out, offset);
        } catch (InvalidCipherTextException e) {
            throw new MalformedInputException("SM4 padding is invalid after decryption: wrong key or corrupted data");
        } catch (DataLengthException e) {
            throw new MalformedInputException("SM4 input is not a whole number of 16-byte blocks");
        }
    }

    private static BufferedBlockCipher blockModeCipher(boolean forEncryption, Sm4Mode mode, Sm4Padding padding,
                                                       SymmetricKey key, byte[] iv) {
        key.require("SM4", KeyAlgorithm.SM4).requireUsage("SM4 data encryption", KeyUsage.DATA);
        checkIv(mode, iv);
        BufferedBlockCipher cipher = switch (mode) {
            case ECB -> padded(new SM4Engine(), padding);
            case CBC -> padded(CBCBlockCipher.newInstance(new SM4Engine()), padding);
            case CTR -> {
                checkNoPadding(mode, padding);
                yield new DefaultBufferedBlockCipher(SICBlockCipher.newInstance(new SM4Engine()));
            }
            case GCM -> throw new IllegalArgumentException("GCM is not a block mode here");
        };
        cipher.init(forEncryption, mode == Sm4Mode.ECB ? key.keyParameter() : new ParametersWithIV(key.keyParameter(), iv));
        return cipher;
    }

    private static BufferedBlockCipher padded(BlockCipher cipher, Sm4Padding padding) {
        return switch (padding) {
            case NONE -> new DefaultBufferedBlockCipher(cipher);
            case PKCS7 -> new PaddedBufferedBlockCipher(cipher, new PKCS7Padding());
        };
    }

    private static void checkIv(Sm4Mode mode, byte[] iv) {
        int expected = mode.ivBytes();
        if (expected == 0) {
            if (iv != null && iv.length > 0) {
                throw new MalformedInputException("SM4-" + mode + " takes no IV");
            }
            return;
        }
        if (iv == null) {
            throw new MalformedInputException("SM4-" + mode + " needs a " + expected + "-byte " + (mode == Sm4Mode.GCM ? "nonce" : "IV"));
        }
        if (iv.length != expected) {
            throw new MalformedInputException("SM4-" + mode + " needs a " + expected + "-byte "
                    + (mode == Sm4Mode.GCM ? "nonce" : "IV") + ", got " + iv.length);
        }
    }

    private static void checkNoPadding(Sm4Mode mode, Sm4Padding padding) {
        if (padding != Sm4Padding.NONE) {
            throw new MalformedInputException("SM4-" + mode + " is not padded");
        }
    }

    private static void checkWholeBlocks(boolean forEncryption, Sm4Mode mode, Sm4Padding padding, long length) {
        boolean blocksRequired = mode != Sm4Mode.CTR && (padding == Sm4Padding.NONE || !forEncryption);
        if (!forEncryption && padding == Sm4Padding.PKCS7 && length == 0) {
            throw new MalformedInputException("SM4-" + mode + " padded ciphertext needs at least one 16-byte block");
        }
        if (blocksRequired && length % BLOCK_BYTES != 0) {
            throw new MalformedInputException("SM4-" + mode + (forEncryption ? " without padding" : " ciphertext")
                    + " needs whole 16-byte blocks, got " + length + " bytes");
        }
    }
}
