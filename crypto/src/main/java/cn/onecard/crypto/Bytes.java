package cn.onecard.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/** Small byte helpers shared inside the module. */
final class Bytes {

    private static final HexFormat HEX = HexFormat.of();
    private static final HexFormat HEX_UPPER = HexFormat.of().withUpperCase();

    private Bytes() {
    }

    /** Parses hex (either case, no separators); {@code what} names the value in the refusal. */
    static byte[] fromHex(String what, String hex) {
        if (hex == null) {
            throw new MalformedInputException(what + " is missing");
        }
        String trimmed = hex.strip();
        if (trimmed.length() % 2 != 0) {
            throw new MalformedInputException(what + " must be an even number of hex digits, got " + trimmed.length());
        }
        for (int i = 0; i < trimmed.length(); i++) {
            if (Character.digit(trimmed.charAt(i), 16) < 0) {
                throw new MalformedInputException(what + " has a non-hex character at position " + i);
            }
        }
        return HEX.parseHex(trimmed);
    }

    static byte[] fromHex(String what, String hex, int expectedBytes) {
        byte[] bytes = fromHex(what, hex);
        if (bytes.length != expectedBytes) {
            throw new MalformedInputException(what + " must be " + expectedBytes + " bytes (" + 2 * expectedBytes
                    + " hex digits), got " + bytes.length);
        }
        return bytes;
    }

    static String toHex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    static String toHexUpper(byte[] bytes) {
        return HEX_UPPER.formatHex(bytes);
    }

    static boolean constantTimeEquals(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    static void wipe(byte[]... arrays) {
        for (byte[] array : arrays) {
            if (array != null) {
                Arrays.fill(array, (byte) 0);
            }
        }
    }

    static void writeU16(byte[] target, int offset, int value) {
        target[offset] = (byte) (value >>> 8);
        target[offset + 1] = (byte) value;
    }

    static void writeU32(byte[] target, int offset, int value) {
        target[offset] = (byte) (value >>> 24);
        target[offset + 1] = (byte) (value >>> 16);
        target[offset + 2] = (byte) (value >>> 8);
        target[offset + 3] = (byte) value;
    }

    static void writeU64(byte[] target, int offset, long value) {
        writeU32(target, offset, (int) (value >>> 32));
        writeU32(target, offset + 4, (int) value);
    }

    static int readU16(byte[] source, int offset) {
        return (source[offset] & 0xff) << 8 | source[offset + 1] & 0xff;
    }

    static int readU32(byte[] source, int offset) {
        return (source[offset] & 0xff) << 24 | (source[offset + 1] & 0xff) << 16
                | (source[offset + 2] & 0xff) << 8 | source[offset + 3] & 0xff;
    }

    static long readU64(byte[] source, int offset) {
        return (long) readU32(source, offset) << 32 | readU32(source, offset + 4) & 0xffffffffL;
    }
}
