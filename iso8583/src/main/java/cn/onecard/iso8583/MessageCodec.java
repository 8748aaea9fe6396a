package cn.onecard.iso8583;

import cn.onecard.iso8583.MalformedMessageException.Reason;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.jpos.iso.ISOBinaryField;
import org.jpos.iso.ISOComponent;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOField;

/**
 * Packs and unpacks the message part of a frame (MTI, bitmap, fields) for one dialect. The loop
 * over MTI, bitmap and fields is ours, so that every fault names its field and leftover bytes are
 * refused; converting each value is left to the jPOS field packager the spec names, after the
 * lengths and content have been checked here. Stateless apart from configuration; thread-safe.
 */
final class MessageCodec {

    private static final byte[] HEX_DIGITS = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private final Charset textCharset;
    private final int macField;

    /**
     * @param textCharset charset of text fields; must encode ASCII as itself (GBK, GB18030, UTF-8)
     * @param macField    the field that carries the MAC (64 or 128), or 0 when the dialect has none
     */
    MessageCodec(Charset textCharset, int macField) {
        this.textCharset = textCharset;
        this.macField = macField;
    }

    Charset textCharset() {
        return textCharset;
    }

    // ------------------------------------------------------------------ unpack

    /**
     * Reads the message in {@code bytes[start, end)}. The layout is chosen by MTI, so that a
     * dialect can lay out field 48 one way for settlement and another for batch upload.
     */
    IsoMessage unpack(byte[] bytes, int start, int end, MessageLayout base, Function<String, MessageLayout> layoutForMti,
                      byte[] tpdu, byte[] header) {
        return new Reader(bytes, start, end).read(base, layoutForMti, tpdu, header);
    }

    private final class Reader {
        private final byte[] frame;
        private final int end;
        private byte[] bytes;
        private int pos;
        private IsoMessage message;

        Reader(byte[] frame, int start, int end) {
            this.frame = frame;
            this.bytes = frame;
            this.pos = start;
            this.end = end;
        }

        IsoMessage read(MessageLayout base, Function<String, MessageLayout> layoutForMti, byte[] tpdu, byte[] header) {
            int start = pos;
            String mti = (String) readLeaf(base.mti(), end);
            message = new IsoMessage(mti).tpdu(tpdu).header(header);
            MessageLayout layout = layoutForMti.apply(mti);
            long[] bitmap = readBitmap(layout);
            int macStart = -1;
            MalformedMessageException firstFault = null;
            for (int field = 2; field <= MessageLayout.FIELD_MAX; field++) {
                if ((bitmap[(field - 1) >>> 6] & (1L << (63 - ((field - 1) & 63)))) == 0) {
                    continue;
                }
                FieldSpec spec = layout.field(field);
                int fieldStart = pos;
                try {
                    if (macStart >= 0) {
                        throw fail(Integer.toString(field), Reason.UNDEFINED_FIELD, "follows the MAC field " + macField
                                + ", which must be the last field");
                    }
                    if (spec == null) {
                        throw fail(Integer.toString(field), Reason.UNDEFINED_FIELD,
                                "present in the bitmap but not defined by the dialect for MTI " + mti);
                    }
                    if (field == macField) {
                        macStart = pos;
                    }
                    message.putValue(field, spec.isComposite() ? readComposite(spec) : finishLeaf(spec, readLeaf(spec, end)));
                } catch (MalformedMessageException fault) {
                    if (pos == fieldStart) {
                        throw firstFault != null ? firstFault : fault; // the field's extent is unknown: nothing after it can be read
                    }
                    // bad content in a field of known extent: skip it and read on, so that a refusal can still
                    // echo the fields after it (terminal ID, ...); the first fault is the one reported
                    firstFault = firstFault != null ? firstFault : fault;
                }
            }
            if (firstFault != null) {
                throw firstFault;
            }
            if (pos != end) {
                throw fail("message", Reason.TRAILING_BYTES, (end - pos) + " bytes after the last field the bitmap announced");
            }
            message.wire(new WireImage(frame, start, macStart));
            return message;
        }

        private long[] readBitmap(MessageLayout layout) {
            FieldSpec spec = layout.bitmap();
            boolean hex = spec.kind().content() == FieldKind.Content.HEX_BITMAP;
            long primary = readBitmapWord(hex);
            long secondary = 0;
            if (primary < 0) { // bit 1: a secondary bitmap follows
                if (!layout.hasSecondaryBitmap()) {
                    throw fail("bitmap", Reason.UNDEFINED_FIELD, "announces a secondary bitmap, which the dialect does not have");
                }
                secondary = readBitmapWord(hex);
            }
            return new long[]{primary, secondary};
        }

        private long readBitmapWord(boolean hex) {
            int need = hex ? 16 : 8;
            if (end - pos < need) {
                throw fail("bitmap", Reason.TRUNCATED, "needs " + need + " bytes, " + (end - pos) + " left");
            }
            long word = 0;
            for (int i = 0; i < need; i++) {
                int b = bytes[pos + i] & 0xFF;
                if (hex) {
                    int digit = Character.digit(b, 16);
                    if (digit < 0) {
                        throw fail("bitmap", Reason.NOT_HEX, "holds a character that is not a hex digit");
                    }
                    word = word << 4 | digit;
                } else {
                    word = word << 8 | b;
                }
            }
            pos += need;
            return word;
        }

        private SubFields readComposite(FieldSpec spec) {
            Object outer = readLeaf(spec, end);
            byte[] inner = outer instanceof String text ? text.getBytes(StandardCharsets.ISO_8859_1) : (byte[]) outer;
            byte[] savedBytes = bytes;
            int savedPos = pos;
            bytes = inner;
            pos = 0;
            try {
                SubFields subFields = new SubFields();
                for (FieldSpec sub : spec.subFields()) {
                    if (pos == inner.length) {
                        break; // the sub-fields after this one are absent
                    }
                    subFields.set(sub.number(), finishLeaf(sub, readLeaf(sub, inner.length)));
                }
                if (pos != inner.length) {
                    throw fail(spec.path(), Reason.TRAILING_BYTES, (inner.length - pos) + " bytes after the last sub-field");
                }
                return subFields;
            } finally {
                bytes = savedBytes;
                pos = savedPos;
            }
        }

        /** Reads one value as jPOS gives it (a String of ISO-8859-1 characters, or bytes), after checking it. */
        private Object readLeaf(FieldSpec spec, int limit) {
            FieldKind kind = spec.kind();
            int prefixBytes = kind.prefixBytes();
            int units;
            if (kind.isVariable()) {
                if (limit - pos < prefixBytes) {
                    throw fail(spec.path(), Reason.TRUNCATED, "length prefix needs " + prefixBytes + " bytes, " + (limit - pos) + " left");
                }
                units = readPrefix(spec);
                if (units > spec.maxLength()) {
                    throw fail(spec.path(), Reason.LENGTH_OVER_MAXIMUM, "declares length " + units + ", the maximum is " + spec.maxLength());
                }
            } else {
                units = spec.maxLength();
            }
            int fieldStart = pos;
            int valueStart = pos + prefixBytes;
            int valueBytes = kind.packedBytes(units);
            if (valueBytes > limit - valueStart) {
                if (!spec.trim()) {
                    throw fail(spec.path(), Reason.TRUNCATED, "needs " + valueBytes + " bytes, " + Math.max(0, limit - valueStart) + " left");
                }
                units = kind.unitsIn(limit - valueStart);
                valueBytes = kind.packedBytes(units);
            }
            pos = valueStart + valueBytes; // the field's extent is known: a fault in its content leaves the reader after it
            checkContent(spec, valueStart, valueBytes, units);
            if (spec.trim()) {
                // jPOS would pad a trimmed field; it is the bytes that are left, as they are
                return kind.holdsBytes() ? slice(valueStart, valueBytes)
                        : new String(bytes, valueStart, valueBytes, StandardCharsets.ISO_8859_1);
            }
            return jposUnpack(spec, fieldStart, prefixBytes + valueBytes);
        }

        private Object jposUnpack(FieldSpec spec, int fieldStart, int expectedBytes) {
            ISOComponent component = spec.packager().createComponent(spec.number());
            int consumed;
            try {
                consumed = spec.packager().unpack(component, bytes, fieldStart);
            } catch (ISOException e) {
                // every length and character was checked above: this is a spec the loader should have refused
                throw new IllegalStateException("jPOS could not read field " + spec.path() + " after our checks passed", e);
            }
            if (consumed != expectedBytes) {
                throw new IllegalStateException("field " + spec.path() + ": jPOS read " + consumed + " bytes, the spec says " + expectedBytes);
            }
            try {
                return component.getValue();
            } catch (ISOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A leaf's value as the message holds it: text decoded from the dialect's charset, bytes as they are. */
        private Object finishLeaf(FieldSpec spec, Object value) {
            if (spec.kind().content() == FieldKind.Content.TEXT && value instanceof String text && !isAscii(text)) {
                return decodeText(spec, text.getBytes(StandardCharsets.ISO_8859_1));
            }
            return value;
        }

        private int readPrefix(FieldSpec spec) {
            FieldKind kind = spec.kind();
            int length = 0;
            for (int i = 0; i < kind.prefixBytes(); i++) {
                int b = bytes[pos + i] & 0xFF;
                switch (kind.prefix()) {
                    case BCD -> {
                        if ((b >>> 4) > 9 || (b & 0x0F) > 9) {
                            throw fail(spec.path(), Reason.NOT_BCD, "length prefix is not BCD");
                        }
                        length = length * 100 + (b >>> 4) * 10 + (b & 0x0F);
                    }
                    case ASCII -> {
                        if (b < '0' || b > '9') {
                            throw fail(spec.path(), Reason.NOT_DIGITS, "length prefix is not ASCII digits");
                        }
                        length = length * 10 + (b - '0');
                    }
                    case BINARY -> length = length << 8 | b;
                    case NONE -> throw new IllegalStateException("fixed field has no prefix");
                }
            }
            return length;
        }

        private void checkContent(FieldSpec spec, int start, int length, int units) {
            switch (spec.kind().content()) {
                case BCD_DIGITS -> {
                    int nibbles = length * 2;
                    int padNibble = units % 2 == 0 ? -1 : spec.leftPadded() ? 0 : nibbles - 1;
                    for (int i = 0; i < nibbles; i++) {
                        int b = bytes[start + (i >> 1)];
                        int nibble = (i & 1) == 0 ? (b >>> 4) & 0x0F : b & 0x0F;
                        boolean valid = i == padNibble ? nibble == 0 || nibble == 0xF : nibble <= 9 || (spec.track() && nibble == 0xD);
                        if (!valid) {
                            throw fail(spec.path(), Reason.NOT_BCD, "holds a nibble that is not a decimal digit");
                        }
                    }
                }
                case ASCII_DIGITS -> {
                    for (int i = start; i < start + length; i++) {
                        if (bytes[i] < '0' || bytes[i] > '9') {
                            throw fail(spec.path(), Reason.NOT_DIGITS, "holds a character that is not a digit");
                        }
                    }
                }
                case HEX_BINARY -> {
                    for (int i = start; i < start + length; i++) {
                        if (Character.digit(bytes[i] & 0xFF, 16) < 0) {
                            throw fail(spec.path(), Reason.NOT_HEX, "holds a character that is not a hex digit");
                        }
                    }
                }
                case TEXT -> {
                    if (spec.isComposite()) {
                        break; // each sub-field's text is checked on its own
                    }
                    for (int i = start; i < start + length; i++) {
                        if (bytes[i] < 0) { // not ASCII: the charset decides
                            decodeText(spec, slice(start, length));
                            break;
                        }
                    }
                }
                case BINARY, BITMAP, HEX_BITMAP -> {
                    // any byte
                }
            }
        }

        private String decodeText(FieldSpec spec, byte[] raw) {
            try {
                return textCharset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
            } catch (CharacterCodingException e) {
                throw fail(spec.path(), Reason.BAD_TEXT, "is not valid " + textCharset.name() + " text");
            }
        }

        private byte[] slice(int start, int length) {
            byte[] copy = new byte[length];
            System.arraycopy(bytes, start, copy, 0, length);
            return copy;
        }

        private MalformedMessageException fail(String path, Reason reason, String detail) {
            return new MalformedMessageException(path, reason, detail, message);
        }
    }

    // ------------------------------------------------------------------ pack

    /** Computes a MAC over bytes already written. */
    @FunctionalInterface
    interface MacSigner {
        byte[] sign(byte[] data, int offset, int length);
    }

    /**
     * Writes the message (MTI onwards) to {@code out}. With a signer, the MAC field is set over the
     * bytes from the MTI to the MAC field, which must then be the last field present.
     */
    void pack(IsoMessage message, MessageLayout base, MessageLayout layout, MacSigner signer, ByteSink out) {
        int start = out.size();
        writeLeaf(base.mti(), message.mti(), out);
        boolean signing = signer != null && macField != 0;
        long primary = 0;
        long secondary = 0;
        int last = 0;
        for (int field = 2; field <= MessageLayout.FIELD_MAX; field++) {
            if (message.value(field) == null && !(signing && field == macField)) {
                continue;
            }
            if (layout.field(field) == null) {
                throw new MessageEncodingException(Integer.toString(field), "not defined by the dialect for MTI " + message.mti());
            }
            if (field <= 64) {
                primary |= 1L << (64 - field);
            } else {
                secondary |= 1L << (128 - field);
            }
            last = field;
        }
        if (signing && last != macField) {
            throw new MessageEncodingException(Integer.toString(last), "comes after the MAC field " + macField
                    + "; the MAC must be the last field");
        }
        if (secondary != 0) {
            if (!layout.hasSecondaryBitmap()) {
                throw new MessageEncodingException("bitmap", "fields above 64 need a secondary bitmap, which the dialect does not have");
            }
            primary |= 1L << 63;
        }
        writeBitmap(layout.bitmap(), primary, secondary, out);
        for (int field = 2; field <= last; field++) {
            Object value = message.value(field);
            if (signing && field == macField) {
                byte[] mac = signer.sign(out.array(), start, out.size() - start);
                writeField(layout.field(field), mac, out);
            } else if (value != null) {
                writeField(layout.field(field), value, out);
            }
        }
    }

    private static void writeBitmap(FieldSpec spec, long primary, long secondary, ByteSink out) {
        boolean hex = spec.kind().content() == FieldKind.Content.HEX_BITMAP;
        int words = primary < 0 ? 2 : 1;
        for (int w = 0; w < words; w++) {
            long word = w == 0 ? primary : secondary;
            for (int shift = 56; shift >= 0; shift -= 8) {
                int b = (int) (word >>> shift) & 0xFF;
                if (hex) {
                    out.write(HEX_DIGITS[b >>> 4]);
                    out.write(HEX_DIGITS[b & 0x0F]);
                } else {
                    out.write(b);
                }
            }
        }
    }

    private void writeField(FieldSpec spec, Object value, ByteSink out) {
        if (value instanceof SubFields subFields) {
            byte[] composed = compose(spec, subFields);
            writeWire(spec, spec.kind().holdsBytes() ? composed : new String(composed, StandardCharsets.ISO_8859_1), out);
        } else {
            writeLeaf(spec, value, out);
        }
    }

    /** The sub-fields written one after the other: the parent's value, checked against the parent's maximum. */
    private byte[] compose(FieldSpec spec, SubFields subFields) {
        if (!spec.isComposite()) {
            throw new MessageEncodingException(spec.path(), "has no sub-fields in this dialect");
        }
        ByteSink inner = new ByteSink(64);
        // a fixed-length parent is always written whole, so that every sub-field keeps its position
        int last = spec.kind().isVariable() ? subFields.last() : spec.subFields().size();
        for (int i = 1; i <= last; i++) {
            FieldSpec sub = spec.subField(i);
            if (sub == null) {
                throw new MessageEncodingException(spec.path() + "." + i, "not defined by the dialect");
            }
            Object subValue = subFields.get(i);
            writeLeaf(sub, subValue == null ? emptyValue(sub) : subValue, inner);
        }
        if (inner.size() > spec.maxLength()) {
            throw new MessageEncodingException(spec.path(), "its sub-fields take " + inner.size() + " digits, characters or bytes;"
                    + " the maximum is " + spec.maxLength());
        }
        return inner.toByteArray();
    }

    /** What a missing sub-field before a present one is written as: zeros, spaces or zero bytes. */
    private static Object emptyValue(FieldSpec sub) {
        if (sub.kind().holdsBytes()) {
            return new byte[sub.kind().isVariable() ? 0 : sub.maxLength()];
        }
        return "";
    }

    private void writeLeaf(FieldSpec spec, Object value, ByteSink out) {
        writeWire(spec, toWire(spec, value), out);
    }

    private static void writeWire(FieldSpec spec, Object wire, ByteSink out) {
        if (spec.trim()) {
            // a trimmed last sub-field is exactly its bytes: jPOS would pad it to the full length
            out.write(wire instanceof String text ? text.getBytes(StandardCharsets.ISO_8859_1) : (byte[]) wire);
            return;
        }
        ISOComponent component = wire instanceof byte[] bytes ? new ISOBinaryField(spec.number(), bytes)
                : new ISOField(spec.number(), (String) wire);
        try {
            out.write(spec.packager().pack(component));
        } catch (ISOException e) {
            throw new MessageEncodingException(spec.path(), "cannot be written as " + spec.packager().getClass().getSimpleName());
        }
    }

    /** The value as jPOS takes it, after checking it fits the field: an ISO-8859-1 string or bytes. */
    private Object toWire(FieldSpec spec, Object value) {
        FieldKind kind = spec.kind();
        if (kind.holdsBytes()) {
            if (!(value instanceof byte[] bytes)) {
                throw new MessageEncodingException(spec.path(), "is a binary field; set it with bytes");
            }
            if (kind.isVariable() || spec.trim() ? bytes.length > spec.maxLength() : bytes.length != spec.maxLength()) {
                throw new MessageEncodingException(spec.path(), (kind.isVariable() || spec.trim() ? "at most " : "exactly ")
                        + spec.maxLength() + " bytes, not " + bytes.length);
            }
            return bytes;
        }
        if (!(value instanceof String text)) {
            throw new MessageEncodingException(spec.path(), "is a text field; set it with a string");
        }
        String wire = text;
        if (kind.holdsDigits()) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (!(c >= '0' && c <= '9') && !(spec.track() && c == '=')) {
                    throw new MessageEncodingException(spec.path(), spec.track() ? "holds a character other than digits and '='"
                            : "holds a character that is not a digit");
                }
            }
        } else if (!isAscii(text)) {
            wire = encodeText(spec, text);
        }
        if (wire.length() > spec.maxLength()) {
            throw new MessageEncodingException(spec.path(), wire.length() + (kind.content() == FieldKind.Content.TEXT ? " bytes" : " digits")
                    + " exceed the maximum of " + spec.maxLength());
        }
        return wire;
    }

    private String encodeText(FieldSpec spec, String text) {
        try {
            ByteBuffer encoded = textCharset.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
            return new String(encoded.array(), encoded.arrayOffset(), encoded.remaining(), StandardCharsets.ISO_8859_1);
        } catch (CharacterCodingException e) {
            throw new MessageEncodingException(spec.path(), "holds characters that " + textCharset.name() + " cannot encode");
        }
    }

    /**
     * A field's value as a fields MAC rule reads it: its characters in the dialect's charset (as
     * ISO-8859-1 text, byte for byte) padded as a fixed field is on the wire, binary in upper-case hex,
     * a composite as its sub-fields written out.
     */
    String macText(FieldSpec spec, Object value) {
        Object wire;
        if (value instanceof SubFields subFields) {
            byte[] composed = compose(spec, subFields);
            wire = spec.kind().holdsBytes() ? composed : new String(composed, StandardCharsets.ISO_8859_1);
        } else {
            wire = toWire(spec, value);
        }
        if (wire instanceof byte[] bytes) {
            return java.util.HexFormat.of().withUpperCase().formatHex(bytes);
        }
        String text = (String) wire;
        if (spec.kind().isVariable() || spec.trim() || text.length() == spec.maxLength()) {
            return text;
        }
        // a short value of a fixed field goes out padded: the MAC covers what is sent, as the receiver reads it
        return spec.kind().holdsDigits() ? "0".repeat(spec.maxLength() - text.length()) + text
                : text + " ".repeat(spec.maxLength() - text.length());
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
