package cn.onecard.crypto;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/**
 * Seeds for property tests. One run seed (printed; replay with -Donecard.test.seed=N) derives one
 * seed per case, and each case's name shows its own seed, so a failing case can be replayed alone.
 * Shared with the other modules' tests through this module's test jar.
 */
public final class SeededCases {

    private SeededCases() {
    }

    public static long runSeed(String property) {
        String fixed = System.getProperty("onecard.test.seed");
        long seed = fixed == null || fixed.isBlank() ? System.nanoTime() : Long.parseLong(fixed.strip());
        System.out.println("[property] " + property + ": run seed " + seed + " (replay: -Donecard.test.seed=" + seed + ")");
        return seed;
    }

    /**
     * {@code count} case seeds for {@code property}, named for the test report; -Donecard.test.scale=K
     * runs K times as many, for a longer hunt on a developer's machine.
     */
    public static Stream<Named<Long>> cases(String property, int count) {
        SplittableRandom random = new SplittableRandom(runSeed(property));
        long scaled = (long) count * Math.max(1, Integer.getInteger("onecard.test.scale", 1));
        return LongStream.range(0, scaled)
                .mapToObj(i -> {
                    long seed = random.nextLong();
                    return Named.of("case " + i + " seed " + seed, seed);
                });
    }

    public static byte[] bytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A deterministic SecureRandom for one case (tests only), so that generated keys replay from the seed. */
    public static SecureRandom secureRandomForTestsOnly(long seed) {
        SplittableRandom source = new SplittableRandom(seed);
        return new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                source.nextBytes(bytes);
            }
        };
    }
}
