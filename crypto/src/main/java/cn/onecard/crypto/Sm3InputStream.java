package cn.onecard.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;

/**
 * Passes a stream through while digesting every byte read with SM3, so that a file is hashed in the
 * same read that opens it. Extends {@link InputStream} itself (not {@code FilterInputStream}) so that
 * no inherited shortcut ({@code transferTo}, {@code skip}) can pass bytes by the digest.
 */
public final class Sm3InputStream extends InputStream {

    private static final int DRAIN_BUFFER_BYTES = 64 * 1024;

    private final InputStream in;
    private final Sm3.Hasher hasher = Sm3.newHasher();
    private String digestHex;
    /** The end was read: nothing is left to drain (the reader may have closed the stream since). */
    private boolean ended;

    public Sm3InputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            hasher.update(new byte[] {(byte) b});
        } else {
            ended = true;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n > 0) {
            hasher.update(buffer, offset, n);
        } else if (n < 0) {
            ended = true;
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    /** Reads what is left unread, then returns the hex SM3 of the whole stream (the same on every call). */
    public String digestToEndHex() throws IOException {
        if (digestHex == null) {
            byte[] buffer = new byte[DRAIN_BUFFER_BYTES];
            while (!ended && read(buffer, 0, buffer.length) != -1) {
                // digested in read
            }
            digestHex = HexFormat.of().formatHex(hasher.finish());
        }
        return digestHex;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
