package cn.onecard.iso8583;

/**
 * The length header in front of each frame on a socket. The length counts the bytes after the
 * header: TPDU, header and message.
 */
public enum LengthHeader {
    /** Two bytes, unsigned, network order (UnionPay POS, most binary hosts). */
    BINARY_2("binary-2", 2, 0xFFFF),
    /** Two bytes of BCD: four decimal digits. */
    BCD_2("bcd-2", 2, 9999),
    /** Four ASCII decimal digits (many ISO 8583:1987 ASCII hosts). */
    ASCII_4("ascii-4", 4, 9999);

    private final String configName;
    private final int bytes;
    private final int lengthMax;

    LengthHeader(String configName, int bytes, int lengthMax) {
        this.configName = configName;
        this.bytes = bytes;
        this.lengthMax = lengthMax;
    }

    public static LengthHeader fromConfigName(String name) {
        for (LengthHeader header : values()) {
            if (header.configName.equals(name)) {
                return header;
            }
        }
        throw new DialectException("unknown length header '" + name + "'; known: binary-2, bcd-2, ascii-4");
    }

    public String configName() {
        return configName;
    }

    /** Bytes of the header itself. */
    public int bytes() {
        return bytes;
    }

    /** The largest length the header can express. */
    public int lengthMax() {
        return lengthMax;
    }

    /** The length at {@code offset}, or -1 when the bytes there are not a length of this kind. */
    public int read(byte[] data, int offset) {
        return switch (this) {
            case BINARY_2 -> (data[offset] & 0xFF) << 8 | (data[offset + 1] & 0xFF);
            case BCD_2 -> {
                int length = 0;
                for (int i = 0; i < 2; i++) {
                    int b = data[offset + i] & 0xFF;
                    if ((b >>> 4) > 9 || (b & 0x0F) > 9) {
                        yield -1;
                    }
                    length = length * 100 + (b >>> 4) * 10 + (b & 0x0F);
                }
                yield length;
            }
            case ASCII_4 -> {
                int length = 0;
                for (int i = 0; i < 4; i++) {
                    int b = data[offset + i];
                    if (b < '0' || b > '9') {
                        yield -1;
                    }
                    length = length * 10 + (b - '0');
                }
                yield length;
            }
        };
    }

    /** Writes {@code length} at {@code offset}. */
    public void write(int length, byte[] data, int offset) {
        if (length < 0 || length > lengthMax) {
            throw new IllegalArgumentException("length " + length + " does not fit a " + configName + " header");
        }
        switch (this) {
            case BINARY_2 -> {
                data[offset] = (byte) (length >>> 8);
                data[offset + 1] = (byte) length;
            }
            case BCD_2 -> {
                data[offset] = (byte) ((length / 1000) << 4 | (length / 100) % 10);
                data[offset + 1] = (byte) (((length / 10) % 10) << 4 | length % 10);
            }
            case ASCII_4 -> {
                for (int i = 3; i >= 0; i--) {
                    data[offset + i] = (byte) ('0' + length % 10);
                    length /= 10;
                }
            }
        }
    }
}
