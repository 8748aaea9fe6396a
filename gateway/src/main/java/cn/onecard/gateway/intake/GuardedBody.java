package cn.onecard.gateway.intake;

import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A batch's content as the intake reads it: refused past its size limit, and not closed by the
 * parser (so the rest can be drained and the limit holds for the whole content).
 */
final class GuardedBody extends FilterInputStream {

    private final long bytesMax;
    private long bytesRead;

    GuardedBody(InputStream in, long bytesMax) {
        super(in);
        this.bytesMax = bytesMax;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            bytesRead += n;
            if (bytesRead > bytesMax) {
                throw new ApiException(ApiCode.BODY_TOO_LARGE, "the body is larger than " + bytesMax + " bytes");
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(n, 8192)];
        int read = read(buffer, 0, buffer.length);
        return Math.max(read, 0);
    }

    /** Reads what the parser left: trailing bytes count towards the limit too. */
    void drain() throws IOException {
        byte[] buffer = new byte[8192];
        while (read(buffer, 0, buffer.length) >= 0) {
            // every byte goes through read(), which counts it
        }
    }

    @Override
    public void close() {
        // the parser must not close the content's stream: the intake drains it first
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
