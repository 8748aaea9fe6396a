package cn.onecard.crypto;

import java.io.IOException;
import java.io.InputStream;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/** SM3 (GB/T 32905) digests and HMAC-SM3 (RFC 2104 over SM3). */
public final class Sm3 {

    public static final int DIGEST_BYTES = 32;

    private static final int STREAM_BUFFER_BYTES = 64 * 1024;

    private Sm3() {
    }

    public static byte[] digest(byte[] data) {
        SM3Digest digest = new SM3Digest();
        digest.update(data, 0, data.length);
        byte[] out = new byte[DIGEST_BYTES];
        digest.doFinal(out, 0);
        return out;
    }

    /** Digests a stream to its end, in constant memory. */
    public static byte[] digest(InputStream in) throws IOException {
        SM3Digest digest = new SM3Digest();
        byte[] buffer = new byte[STREAM_BUFFER_BYTES];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        byte[] out = new byte[DIGEST_BYTES];
        digest.doFinal(out, 0);
        return out;
    }

    /** An incremental SM3 digest, for content that arrives in pieces (a parsed stream). Not thread-safe. */
    public static Hasher newHasher() {
        return new Hasher();
    }

    /** Accumulates bytes; {@link #finish()} returns the digest and resets. */
    public static final class Hasher {
        private final SM3Digest digest = new SM3Digest();

        private Hasher() {
        }

        public Hasher update(byte[] data) {
            digest.update(data, 0, data.length);
            return this;
        }

        public Hasher update(byte[] data, int offset, int length) {
            digest.update(data, offset, length);
            return this;
        }

        public byte[] finish() {
            byte[] out = new byte[DIGEST_BYTES];
            digest.doFinal(out, 0);
            return out;
        }
    }

    public static byte[] hmac(byte[] key, byte[] data) {
        HMac mac = new HMac(new SM3Digest());
        mac.init(new KeyParameter(key));
        mac.update(data, 0, data.length);
        byte[] out = new byte[DIGEST_BYTES];
        mac.doFinal(out, 0);
        return out;
    }
}
