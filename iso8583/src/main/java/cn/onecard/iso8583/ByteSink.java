package cn.onecard.iso8583;

import java.util.Arrays;

/** A growable byte array for building frames, unsynchronised, with access to its array. */
final class ByteSink {

    private byte[] bytes;
    private int size;

    ByteSink(int initialCapacity) {
        bytes = new byte[initialCapacity];
    }

    void write(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    void write(byte[] data) {
        write(data, 0, data.length);
    }

    void write(byte[] data, int offset, int length) {
        ensure(length);
        System.arraycopy(data, offset, bytes, size, length);
        size += length;
    }

    /** Overwrites an already written byte (a length header filled in at the end). */
    void set(int index, int b) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        bytes[index] = (byte) b;
    }

    int size() {
        return size;
    }

    /** The backing array; valid up to {@link #size()} until the next write. */
    byte[] array() {
        return bytes;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
