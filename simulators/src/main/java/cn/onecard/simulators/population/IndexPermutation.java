package cn.onecard.simulators.population;

/**
 * A keyed bijection of {@code [0, size)} onto itself: a small Feistel network over the nearest
 * even bit width, walked until the value falls inside the domain. Lets a population number its
 * people and cards uniquely by construction while looking random, without holding a table.
 */
public final class IndexPermutation {

    private static final int ROUNDS = 4;

    private final long size;
    private final int halfBits;
    private final long halfMask;
    private final long[] roundKeys = new long[ROUNDS];

    public IndexPermutation(long size, long key) {
        if (size < 1) {
            throw new IllegalArgumentException("domain size must be at least 1, got " + size);
        }
        this.size = size;
        int bits = 64 - Long.numberOfLeadingZeros(Math.max(1, size - 1));
        this.halfBits = Math.max(1, (bits + 1) / 2);
        if (halfBits > 31) {
            throw new IllegalArgumentException("domain size too large: " + size);
        }
        this.halfMask = (1L << halfBits) - 1;
        long state = key;
        for (int i = 0; i < ROUNDS; i++) {
            state += 0x9E3779B97F4A7C15L;
            roundKeys[i] = Mix.mix64(state);
        }
    }

    public long size() {
        return size;
    }

    public long apply(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " outside [0, " + size + ")");
        }
        long value = index;
        do {
            value = encrypt(value);
        } while (value >= size);
        return value;
    }

    private long encrypt(long value) {
        long left = value >>> halfBits;
        long right = value & halfMask;
        for (long roundKey : roundKeys) {
            long next = left ^ (Mix.mix64(right ^ roundKey) & halfMask);
            left = right;
            right = next;
        }
        return (left << halfBits) | right;
    }
}
