package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Sm3Test {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void digest_abc_matchesStandardVector() {
        assertThat(HEX.formatHex(Sm3.digest("abc".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    }

    @Test
    void digest_abcdRepeated16Times_matchesStandardVector() {
        assertThat(HEX.formatHex(Sm3.digest("abcd".repeat(16).getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
    }

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("sm3 stream equals one-shot", 200);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void hasherFedInRandomPieces_equalsOneShotDigest(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] data = SeededCases.bytes(random, random.nextInt(0, 5_000));
        Sm3.Hasher hasher = Sm3.newHasher();
        for (int offset = 0; offset < data.length; ) {
            int length = random.nextInt(0, data.length - offset + 1);
            hasher.update(data, offset, length);
            offset += length;
        }
        assertThat(hasher.finish()).isEqualTo(Sm3.digest(data));
        assertThat(hasher.finish()).as("finish resets the hasher").isEqualTo(Sm3.digest(new byte[0]));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void digestOfStream_equalsDigestOfBytes(long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] data = SeededCases.bytes(random, random.nextInt(0, 200_000));
        assertThat(Sm3.digest(new ByteArrayInputStream(data))).isEqualTo(Sm3.digest(data));
    }

    /** RFC 2104 written out over SM3, as an independent statement of what HMAC-SM3 is. */
    @ParameterizedTest
    @MethodSource("seeds")
    void hmac_equalsRfc2104ConstructionOverSm3(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] key = SeededCases.bytes(random, random.nextInt(0, 150));
        byte[] message = SeededCases.bytes(random, random.nextInt(0, 500));

        byte[] blockKey = new byte[64];
        byte[] shortKey = key.length > 64 ? Sm3.digest(key) : key;
        System.arraycopy(shortKey, 0, blockKey, 0, shortKey.length);
        byte[] inner = new byte[64 + message.length];
        byte[] outer = new byte[64 + 32];
        for (int i = 0; i < 64; i++) {
            inner[i] = (byte) (blockKey[i] ^ 0x36);
            outer[i] = (byte) (blockKey[i] ^ 0x5c);
        }
        System.arraycopy(message, 0, inner, 64, message.length);
        System.arraycopy(Sm3.digest(inner), 0, outer, 64, 32);

        assertThat(Sm3.hmac(key, message)).isEqualTo(Sm3.digest(outer));
    }
}
