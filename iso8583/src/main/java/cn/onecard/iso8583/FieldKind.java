package cn.onecard.iso8583;

import java.util.Map;

/**
 * What a jPOS field packager class puts on the wire: a length prefix and a content encoding. The
 * codec checks lengths and content itself before jPOS converts a value, because jPOS reads a
 * BCD length with non-decimal nibbles as a number and runs past the end of a frame before it
 * complains. Only the classes listed here may appear in a spec; a spec naming another is refused
 * when the dialect loads, so every field of every dialect is one of these tested shapes.
 */
enum FieldKind {
    BCD_NUMERIC(Prefix.NONE, 0, Content.BCD_DIGITS),
    BCD_LL_NUMERIC(Prefix.BCD, 1, Content.BCD_DIGITS),
    BCD_LLL_NUMERIC(Prefix.BCD, 2, Content.BCD_DIGITS),
    BINARY_LL_NUMERIC(Prefix.BINARY, 1, Content.BCD_DIGITS),
    BINARY_LLL_NUMERIC(Prefix.BINARY, 2, Content.BCD_DIGITS),
    BCD_LL_TEXT(Prefix.BCD, 1, Content.TEXT),
    BCD_LLL_TEXT(Prefix.BCD, 2, Content.TEXT),
    BINARY_LL_TEXT(Prefix.BINARY, 1, Content.TEXT),
    BINARY_LLL_TEXT(Prefix.BINARY, 2, Content.TEXT),
    BINARY(Prefix.NONE, 0, Content.BINARY),
    BCD_LL_BINARY(Prefix.BCD, 1, Content.BINARY),
    BCD_LLL_BINARY(Prefix.BCD, 2, Content.BINARY),
    BINARY_LL_BINARY(Prefix.BINARY, 1, Content.BINARY),
    BINARY_LLL_BINARY(Prefix.BINARY, 2, Content.BINARY),
    ASCII_NUMERIC(Prefix.NONE, 0, Content.ASCII_DIGITS),
    ASCII_LL_NUMERIC(Prefix.ASCII, 2, Content.ASCII_DIGITS),
    ASCII_LLL_NUMERIC(Prefix.ASCII, 3, Content.ASCII_DIGITS),
    TEXT(Prefix.NONE, 0, Content.TEXT),
    ASCII_LL_TEXT(Prefix.ASCII, 2, Content.TEXT),
    ASCII_LLL_TEXT(Prefix.ASCII, 3, Content.TEXT),
    HEX_BINARY(Prefix.NONE, 0, Content.HEX_BINARY),
    ASCII_LL_BINARY(Prefix.ASCII, 2, Content.BINARY),
    ASCII_LLL_BINARY(Prefix.ASCII, 3, Content.BINARY),
    BINARY_BITMAP(Prefix.NONE, 0, Content.BITMAP),
    HEX_BITMAP(Prefix.NONE, 0, Content.HEX_BITMAP);

    /** How a variable length is written before the value. */
    enum Prefix { NONE, BCD, ASCII, BINARY }

    /** How the value is written. */
    enum Content {
        /** Decimal digits, two per byte. */
        BCD_DIGITS,
        /** Decimal digits as ASCII characters. */
        ASCII_DIGITS,
        /** Characters in the dialect's text charset; the declared length counts bytes. */
        TEXT,
        /** Raw bytes. */
        BINARY,
        /** Bytes written as two ASCII hex digits each; the declared length counts bytes. */
        HEX_BINARY,
        BITMAP,
        HEX_BITMAP
    }

    private static final Map<String, FieldKind> BY_JPOS_CLASS = Map.ofEntries(
            Map.entry("IFB_NUMERIC", BCD_NUMERIC),
            Map.entry("IFB_LLNUM", BCD_LL_NUMERIC),
            Map.entry("IFB_LLLNUM", BCD_LLL_NUMERIC),
            Map.entry("IFB_LLHNUM", BINARY_LL_NUMERIC),
            Map.entry("IFB_LLLHNUM", BINARY_LLL_NUMERIC),
            Map.entry("IFB_LLCHAR", BCD_LL_TEXT),
            Map.entry("IFB_LLLCHAR", BCD_LLL_TEXT),
            Map.entry("IFB_LLHCHAR", BINARY_LL_TEXT),
            Map.entry("IFB_LLLHCHAR", BINARY_LLL_TEXT),
            Map.entry("IFB_BINARY", BINARY),
            Map.entry("IFB_LLBINARY", BCD_LL_BINARY),
            Map.entry("IFB_LLLBINARY", BCD_LLL_BINARY),
            Map.entry("IFB_LLHBINARY", BINARY_LL_BINARY),
            Map.entry("IFB_LLLHBINARY", BINARY_LLL_BINARY),
            Map.entry("IFA_NUMERIC", ASCII_NUMERIC),
            Map.entry("IFA_LLNUM", ASCII_LL_NUMERIC),
            Map.entry("IFA_LLLNUM", ASCII_LLL_NUMERIC),
            Map.entry("IF_CHAR", TEXT),
            Map.entry("IFA_LLCHAR", ASCII_LL_TEXT),
            Map.entry("IFA_LLLCHAR", ASCII_LLL_TEXT),
            Map.entry("IFA_BINARY", HEX_BINARY),
            Map.entry("IFA_LLBINARY", ASCII_LL_BINARY),
            Map.entry("IFA_LLLBINARY", ASCII_LLL_BINARY),
            Map.entry("IFB_BITMAP", BINARY_BITMAP),
            Map.entry("IFA_BITMAP", HEX_BITMAP));

    private final Prefix prefix;
    private final int prefixBytes;
    private final Content content;

    FieldKind(Prefix prefix, int prefixBytes, Content content) {
        this.prefix = prefix;
        this.prefixBytes = prefixBytes;
        this.content = content;
    }

    /** The kind of a jPOS field packager class, or null when the class is not supported. */
    static FieldKind ofJposClass(String simpleName) {
        return BY_JPOS_CLASS.get(simpleName);
    }

    Prefix prefix() {
        return prefix;
    }

    int prefixBytes() {
        return prefixBytes;
    }

    Content content() {
        return content;
    }

    boolean isVariable() {
        return prefix != Prefix.NONE;
    }

    boolean isBitmap() {
        return content == Content.BITMAP || content == Content.HEX_BITMAP;
    }

    /** Whether values are bytes (binary) rather than text or digits. */
    boolean holdsBytes() {
        return content == Content.BINARY || content == Content.HEX_BINARY;
    }

    boolean holdsDigits() {
        return content == Content.BCD_DIGITS || content == Content.ASCII_DIGITS;
    }

    /** The largest length the prefix can express: 99 or 999 (BCD, ASCII), 255 or 65535 (binary). */
    int prefixCapacity() {
        return switch (prefix) {
            case NONE -> Integer.MAX_VALUE;
            case BCD -> prefixBytes == 1 ? 99 : 999;
            case ASCII -> prefixBytes == 2 ? 99 : 999;
            case BINARY -> prefixBytes == 1 ? 0xFF : 0xFFFF;
        };
    }

    /** Bytes on the wire for a value of {@code units} digits, characters or bytes (prefix excluded). */
    int packedBytes(int units) {
        return switch (content) {
            case BCD_DIGITS -> (units + 1) / 2;
            case HEX_BINARY, HEX_BITMAP -> units * 2;
            case ASCII_DIGITS, TEXT, BINARY, BITMAP -> units;
        };
    }

    /**
     * The units that fit in {@code bytes} bytes of value, for a trimmed last sub-field that takes
     * what is left: the inverse of {@link #packedBytes} rounded down.
     */
    int unitsIn(int bytes) {
        return switch (content) {
            case BCD_DIGITS -> bytes * 2;
            case HEX_BINARY, HEX_BITMAP -> bytes / 2;
            case ASCII_DIGITS, TEXT, BINARY, BITMAP -> bytes;
        };
    }
}
