package cn.onecard.gateway.db;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes rows in PostgreSQL's COPY text format to a COPY stream: tab between columns, newline
 * after each row, {@code \N} for null, backslash escapes for backslash, tab, newline and carriage
 * return. pgjdbc streams the bytes but leaves the format to the caller; this is that format.
 */
public final class CopyRows {

    private static final int BUFFER_BYTES = 64 * 1024;

    private final OutputStream out;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int used;
    private boolean rowStarted;

    public CopyRows(OutputStream out) {
        this.out = out;
    }

    public CopyRows text(String value) throws IOException {
        separate();
        if (value == null) {
            raw("\\N");
            return this;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> raw("\\\\");
                case '\t' -> raw("\\t");
                case '\n' -> raw("\\n");
                case '\r' -> raw("\\r");
                default -> {
                    if (c < 0x80) {
                        put((byte) c);
                    } else {
                        // rare in this data (names): encode the rest of the value at once
                        int end = i;
                        while (end < value.length() && "\\\t\n\r".indexOf(value.charAt(end)) < 0) {
                            end++;
                        }
                        byte[] bytes = value.substring(i, end).getBytes(StandardCharsets.UTF_8);
                        for (byte b : bytes) {
                            put(b);
                        }
                        i = end - 1;
                    }
                }
            }
        }
        return this;
    }

    public CopyRows number(long value) throws IOException {
        separate();
        raw(Long.toString(value));
        return this;
    }

    public CopyRows bool(boolean value) throws IOException {
        separate();
        put(value ? (byte) 't' : (byte) 'f');
        return this;
    }

    public void endRow() throws IOException {
        put((byte) '\n');
        rowStarted = false;
    }

    public void flush() throws IOException {
        if (used > 0) {
            out.write(buffer, 0, used);
            used = 0;
        }
    }

    private void separate() throws IOException {
        if (rowStarted) {
            put((byte) '\t');
        }
        rowStarted = true;
    }

    private void raw(String ascii) throws IOException {
        for (int i = 0; i < ascii.length(); i++) {
            put((byte) ascii.charAt(i));
        }
    }

    private void put(byte b) throws IOException {
        if (used == buffer.length) {
            flush();
        }
        buffer[used++] = b;
    }
}
