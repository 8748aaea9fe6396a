package cn.onecard.simulators.population;

/** SplitMix64's finaliser: one well-spread 64-bit value from another, for per-index seeds. */
final class Mix {

    private Mix() {
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A seed for item {@code index} of stream {@code stream} under {@code seed}. */
    static long seedFor(long seed, long stream, long index) {
        return mix64(mix64(seed ^ mix64(stream * 0x9E3779B97F4A7C15L)) + index * 0xD1B54A32D192ED03L);
    }
}
