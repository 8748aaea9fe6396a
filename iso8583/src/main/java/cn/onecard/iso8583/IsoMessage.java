package cn.onecard.iso8583;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One ISO 8583 message: its MTI, fields 2 to 128 and, for dialects that frame messages with them,
 * the TPDU and header bytes it came with (so that a reply can swap the TPDU). Values are text
 * (digits or characters, as the dialect's spec declares the field) or bytes (binary fields); a
 * field with sub-fields holds them by position ({@code "60.3"}). Which fields exist and how long
 * they may be is the dialect's business: the message accepts any value and the dialect refuses,
 * by field path, what it cannot write.
 *
 * <p>Not thread-safe. {@link #toString()} shows the MTI and field numbers only, never values, so a
 * message may be logged as is; {@link Dialect#describe} gives the masked values.
 */
public final class IsoMessage {

    /** The highest field number (secondary bitmap; a tertiary bitmap is not supported). */
    public static final int FIELD_MAX = 128;
    private static final byte[] NONE = new byte[0];

    private String mti;
    private byte[] tpdu = NONE;
    private byte[] header = NONE;
    private final Object[] values = new Object[FIELD_MAX + 1];
    /** The bytes this message was read from, for MAC verification; null for a message built or changed here. */
    private WireImage wire;

    public IsoMessage(String mti) {
        this.mti = requireMti(mti);
    }

    public String mti() {
        return mti;
    }

    public IsoMessage mti(String newMti) {
        wire = null;
        this.mti = requireMti(newMti);
        return this;
    }

    /** The TPDU the message came with or goes out with; empty in dialects without one. */
    public byte[] tpdu() {
        return tpdu.clone();
    }

    public IsoMessage tpdu(byte[] bytes) {
        wire = null;
        this.tpdu = bytes == null ? NONE : bytes.clone();
        return this;
    }

    /** The dialect's header bytes between TPDU and MTI; empty in dialects without one. */
    public byte[] header() {
        return header.clone();
    }

    public IsoMessage header(byte[] bytes) {
        wire = null;
        this.header = bytes == null ? NONE : bytes.clone();
        return this;
    }

    public boolean has(int field) {
        return values[checkField(field)] != null;
    }

    /** Whether the field or sub-field ({@code "60.3"}) is present. */
    public boolean has(String path) {
        Path parsed = Path.parse(path);
        Object value = values[parsed.field];
        if (parsed.sub == 0) {
            return value != null;
        }
        return value instanceof SubFields subFields && subFields.get(parsed.sub) != null;
    }

    /** The text value of a field, or null when absent. */
    public String get(int field) {
        return text(Integer.toString(field), values[checkField(field)]);
    }

    /** The text value of a field or sub-field ({@code "60.3"}), or null when absent. */
    public String get(String path) {
        Path parsed = Path.parse(path);
        return text(path, parsed.lookup(values));
    }

    /** A copy of a binary field's bytes, or null when absent. */
    public byte[] getBytes(int field) {
        return bytes(Integer.toString(field), values[checkField(field)]);
    }

    public byte[] getBytes(String path) {
        Path parsed = Path.parse(path);
        return bytes(path, parsed.lookup(values));
    }

    /** Sets a text field (digits or characters); null removes it. */
    public IsoMessage set(int field, String value) {
        wire = null;
        values[checkField(field)] = value;
        return this;
    }

    /** Sets a text field or sub-field; null removes it. */
    public IsoMessage set(String path, String value) {
        wire = null;
        Path.parse(path).store(values, value);
        return this;
    }

    /** Sets a binary field from a copy of {@code value}; null removes it. */
    public IsoMessage setBytes(int field, byte[] value) {
        wire = null;
        values[checkField(field)] = value == null ? null : value.clone();
        return this;
    }

    public IsoMessage setBytes(String path, byte[] value) {
        wire = null;
        Path.parse(path).store(values, value == null ? null : value.clone());
        return this;
    }

    public IsoMessage unset(int field) {
        wire = null;
        values[checkField(field)] = null;
        return this;
    }

    public IsoMessage unset(String path) {
        wire = null;
        Path.parse(path).store(values, null);
        return this;
    }

    /** Numbers of the fields present, ascending. */
    public int[] fields() {
        int count = 0;
        for (int i = 2; i <= FIELD_MAX; i++) {
            if (values[i] != null) {
                count++;
            }
        }
        int[] present = new int[count];
        for (int i = 2, at = 0; i <= FIELD_MAX; i++) {
            if (values[i] != null) {
                present[at++] = i;
            }
        }
        return present;
    }

    /** Whether the field holds sub-fields (set by path or read from a spec that declares them). */
    public boolean hasSubFields(int field) {
        return values[checkField(field)] instanceof SubFields;
    }

    /** Positions of the sub-fields present in {@code field}, ascending; empty for a plain field. */
    public int[] subFields(int field) {
        return values[checkField(field)] instanceof SubFields subFields ? subFields.present() : new int[0];
    }

    /** A deep copy, without the wire image. */
    public IsoMessage copy() {
        IsoMessage copy = new IsoMessage(mti);
        copy.tpdu = tpdu;
        copy.header = header;
        for (int i = 2; i <= FIELD_MAX; i++) {
            copy.values[i] = copyValue(values[i]);
        }
        return copy;
    }

    // ---- package use: the codec's raw access ----

    Object value(int field) {
        return values[field];
    }

    void putValue(int field, Object value) {
        wire = null;
        values[field] = value;
    }

    byte[] tpduBytes() {
        return tpdu;
    }

    byte[] headerBytes() {
        return header;
    }

    WireImage wire() {
        return wire;
    }

    void wire(WireImage image) {
        this.wire = image;
    }

    // ---- values ----

    private static String text(String path, Object value) {
        return switch (value) {
            case null -> null;
            case String text -> text;
            case byte[] _ -> throw new IllegalStateException("field " + path + " holds bytes; use getBytes");
            case SubFields _ -> throw new IllegalStateException("field " + path + " has sub-fields; ask for one, e.g. "
                    + path + ".1");
            default -> throw new IllegalStateException("field " + path + " holds " + value.getClass().getSimpleName());
        };
    }

    private static byte[] bytes(String path, Object value) {
        return switch (value) {
            case null -> null;
            case byte[] bytes -> bytes.clone();
            case String _ -> throw new IllegalStateException("field " + path + " holds text; use get");
            case SubFields _ -> throw new IllegalStateException("field " + path + " has sub-fields; ask for one");
            default -> throw new IllegalStateException("field " + path + " holds " + value.getClass().getSimpleName());
        };
    }

    static Object copyValue(Object value) {
        if (value instanceof byte[] bytes) {
            return bytes.clone();
        }
        return value instanceof SubFields subFields ? subFields.copy() : value; // strings are immutable
    }

    private static int checkField(int field) {
        if (field < 2 || field > FIELD_MAX) {
            throw new IllegalArgumentException("field numbers run from 2 to " + FIELD_MAX + ", not " + field);
        }
        return field;
    }

    private static String requireMti(String mti) {
        if (mti == null || mti.length() != 4) {
            throw new IllegalArgumentException("an MTI is 4 digits");
        }
        for (int i = 0; i < 4; i++) {
            if (mti.charAt(i) < '0' || mti.charAt(i) > '9') {
                throw new IllegalArgumentException("an MTI is 4 digits");
            }
        }
        return mti;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof IsoMessage that)) {
            return false;
        }
        if (!mti.equals(that.mti) || !Arrays.equals(tpdu, that.tpdu) || !Arrays.equals(header, that.header)) {
            return false;
        }
        for (int i = 2; i <= FIELD_MAX; i++) {
            if (!valueEquals(values[i], that.values[i])) {
                return false;
            }
        }
        return true;
    }

    static boolean valueEquals(Object a, Object b) {
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.equals(x, y);
        }
        return Objects.equals(a, b);
    }

    @Override
    public int hashCode() {
        int hash = mti.hashCode();
        for (int i = 2; i <= FIELD_MAX; i++) {
            Object value = values[i];
            hash = 31 * hash + (value instanceof byte[] bytes ? Arrays.hashCode(bytes) : Objects.hashCode(value));
        }
        return hash;
    }

    /** MTI, framing sizes and field numbers: no values, so safe in any log. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("IsoMessage[").append(mti);
        if (tpdu.length > 0) {
            text.append(" tpdu=").append(HexFormat.of().withUpperCase().formatHex(tpdu));
        }
        text.append(" fields");
        for (int field : fields()) {
            text.append(' ').append(field);
        }
        return text.append(']').toString();
    }

    /** A field number and, for a sub-field, its position. */
    private record Path(int field, int sub) {

        static Path parse(String path) {
            if (path == null) {
                throw new IllegalArgumentException("a field path is required");
            }
            int dot = path.indexOf('.');
            try {
                int field = checkField(Integer.parseInt(dot < 0 ? path : path.substring(0, dot)));
                int sub = dot < 0 ? 0 : Integer.parseInt(path.substring(dot + 1));
                if (dot >= 0 && (sub < 1 || sub > SubFields.SUB_FIELD_MAX)) {
                    throw new IllegalArgumentException("sub-field positions run from 1 to " + SubFields.SUB_FIELD_MAX);
                }
                return new Path(field, sub);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a field path is a number or number.number, like 60.3, not '" + path + "'");
            }
        }

        Object lookup(Object[] values) {
            Object value = values[field];
            if (sub == 0) {
                return value;
            }
            if (value != null && !(value instanceof SubFields)) {
                throw new IllegalStateException("field " + field + " is set as a whole, not by sub-field");
            }
            return value == null ? null : ((SubFields) value).get(sub);
        }

        void store(Object[] values, Object value) {
            if (sub == 0) {
                values[field] = value;
                return;
            }
            Object current = values[field];
            SubFields subFields;
            if (current instanceof SubFields existing) {
                subFields = existing;
            } else if (current == null) {
                if (value == null) {
                    return;
                }
                subFields = new SubFields();
                values[field] = subFields;
            } else {
                throw new IllegalStateException("field " + field + " is set as a whole; unset it before setting sub-fields");
            }
            subFields.set(sub, value);
            if (subFields.isEmpty()) {
                values[field] = null;
            }
        }
    }
}
