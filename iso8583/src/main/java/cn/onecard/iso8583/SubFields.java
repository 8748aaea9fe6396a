package cn.onecard.iso8583;

import java.util.Arrays;
import java.util.stream.IntStream;

/** The positional sub-field values of one field (text or bytes), 1-based. */
final class SubFields {

    static final int SUB_FIELD_MAX = 64;

    private Object[] values = new Object[8];

    Object get(int position) {
        return position < values.length ? values[position] : null;
    }

    void set(int position, Object value) {
        if (position >= values.length) {
            if (value == null) {
                return;
            }
            values = Arrays.copyOf(values, Math.max(position + 1, values.length * 2));
        }
        values[position] = value;
    }

    /** The highest position present, 0 when none. */
    int last() {
        for (int i = values.length - 1; i >= 1; i--) {
            if (values[i] != null) {
                return i;
            }
        }
        return 0;
    }

    boolean isEmpty() {
        return last() == 0;
    }

    int[] present() {
        return IntStream.range(1, values.length).filter(i -> values[i] != null).toArray();
    }

    SubFields copy() {
        SubFields copy = new SubFields();
        copy.values = values.clone();
        for (int i = 0; i < copy.values.length; i++) {
            if (copy.values[i] instanceof byte[] bytes) {
                copy.values[i] = bytes.clone();
            }
        }
        return copy;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof SubFields that)) {
            return false;
        }
        int last = Math.max(last(), that.last());
        for (int i = 1; i <= last; i++) {
            if (!IsoMessage.valueEquals(get(i), that.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 1;
        for (int i = 1; i <= last(); i++) {
            Object value = values[i];
            hash = 31 * hash + (value instanceof byte[] bytes ? Arrays.hashCode(bytes) : java.util.Objects.hashCode(value));
        }
        return hash;
    }

    @Override
    public String toString() {
        return "SubFields" + Arrays.toString(present());
    }
}
