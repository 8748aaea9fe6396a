package cn.onecard.adapters.file;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a stream into lines by the layout's line ending, strictly: a CRLF file with a bare LF
 * line, an LF file with a CR before its LF, and lines longer than the limit are refused. The last
 * line may lack its ending.
 */
final class LineReader {

    private final InputStream in;
    private final boolean crlf;
    private final int lineBytesMax;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private boolean ended;
    private int lineNumber;

    LineReader(InputStream in, boolean crlf, int lineBytesMax) {
        this.in = in;
        this.crlf = crlf;
        this.lineBytesMax = lineBytesMax;
    }

    /** The number of the line last returned (1 for the first). */
    int lineNumber() {
        return lineNumber;
    }

    /** The next line without its ending, or null at the end of the stream. */
    byte[] next() throws IOException, ResultFileException {
        byte[] line = null;
        int length = 0;
        while (true) {
            if (position == limit && !fill()) {
                if (line == null && length == 0) {
                    return null;
                }
                lineNumber++;
                return finish(line, length, false);
            }
            int start = position;
            int newline = -1;
            for (int i = start; i < limit; i++) {
                if (buffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline < 0 ? limit : newline;
            int chunk = end - start;
            if (length + chunk > lineBytesMax + 1) {
                throw new ResultFileException(lineNumber + 1, ResultFileException.WHOLE_LINE,
                        "longer than " + lineBytesMax + " bytes");
            }
            if (line == null) {
                line = new byte[Math.max(chunk + 1, 128)];
            } else if (length + chunk > line.length) {
                line = Arrays.copyOf(line, Math.max(line.length * 2, length + chunk));
            }
            System.arraycopy(buffer, start, line, length, chunk);
            length += chunk;
            if (newline >= 0) {
                position = newline + 1;
                lineNumber++;
                return finish(line, length, true);
            }
            position = limit;
        }
    }

    private byte[] finish(byte[] line, int length, boolean terminated) throws ResultFileException {
        boolean endsWithCr = length > 0 && line[length - 1] == '\r';
        if (terminated) {
            if (crlf && !endsWithCr) {
                throw new ResultFileException(lineNumber, ResultFileException.WHOLE_LINE, "ends with LF, not CR LF");
            }
            if (!crlf && endsWithCr) {
                throw new ResultFileException(lineNumber, ResultFileException.WHOLE_LINE, "ends with CR LF, not LF");
            }
        }
        int content = terminated && crlf ? length - 1 : length;
        if (content > lineBytesMax) {
            throw new ResultFileException(lineNumber, ResultFileException.WHOLE_LINE, "longer than " + lineBytesMax + " bytes");
        }
        return Arrays.copyOf(line, content);
    }

    private boolean fill() throws IOException {
        if (ended) {
            return false;
        }
        int n = in.read(buffer);
        if (n < 0) {
            ended = true;
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }
}
