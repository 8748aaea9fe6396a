package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PinBlocksTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String TEST_PAN = "5432101234567899";
    private static final byte[] TDES_KEY = HEX.parseHex("0123456789abcdeffedcba9876543210");

    @Test
    void clearFormat0_isPinFieldXorPanField() {
        // PIN field 04 12 34 FF FF FF FF FF, PAN field 00 00 21 01 23 45 67 89 (12 digits left of the check digit)
        byte[] clear = PinBlocks.clearFormat0(TEST_PAN, "1234".toCharArray());
        assertThat(HEX.formatHex(clear)).isEqualTo("041215fedcba9876");
    }

    @Test
    void encryptUnderTripleDes_equalsTheJdksTripleDesOfTheClearBlock() {
        byte[] expected = JdkCiphers.tdesEcb(true, TDES_KEY, HEX.parseHex("041215fedcba9876"));
        byte[] actual = PinBlocks.encrypt(SymmetricKey.of(KeyAlgorithm.TDES, TDES_KEY), TEST_PAN, "1234".toCharArray());
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void encryptUnderSm4_isTheFormat0BlockExtendedWithFf() {
        SymmetricKey key = SymmetricKey.fromHex(KeyAlgorithm.SM4, "0123456789abcdeffedcba9876543210");
        byte[] block = HEX.parseHex("041215fedcba9876ffffffffffffffff");
        assertThat(PinBlocks.encrypt(key, TEST_PAN, "1234".toCharArray()))
                .isEqualTo(Sm4.encrypt(Sm4Mode.ECB, key, null, block));
    }

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("pin block matches", 100);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void encryptedBlock_matchesItsPinOnly(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        SymmetricKey key = random.nextBoolean()
                ? SymmetricKey.of(KeyAlgorithm.SM4, SeededCases.bytes(random, 16))
                : SymmetricKey.of(KeyAlgorithm.TDES, SeededCases.bytes(random, 16));
        String pan = digits(random, random.nextInt(13, 20));
        char[] pin = digits(random, random.nextInt(4, 13)).toCharArray();
        char[] otherPin = pin.clone();
        otherPin[random.nextInt(otherPin.length)] = (char) ('0' + (otherPin[0] - '0' + 1) % 10);
        if (Arrays.equals(otherPin, pin)) {
            otherPin = (new String(pin) + "1").substring(0, Math.min(12, pin.length + 1)).toCharArray();
        }

        byte[] block = PinBlocks.encrypt(key, pan, pin);

        assertThat(PinBlocks.matches(key, block, pan, pin)).isTrue();
        if (!Arrays.equals(otherPin, pin)) {
            assertThat(PinBlocks.matches(key, block, pan, otherPin)).isFalse();
        }
    }

    @ParameterizedTest(name = "PIN {0}")
    @CsvSource({"123", "1234567890123", "12a4", "'   '"})
    void badPins_areRefused(String pin) {
        assertThatThrownBy(() -> PinBlocks.encrypt(SymmetricKey.of(KeyAlgorithm.TDES, TDES_KEY), TEST_PAN, pin.toCharArray()))
                .isInstanceOf(MalformedInputException.class)
                .hasMessageContaining("PIN")
                .hasMessageNotContaining(pin);
    }

    @ParameterizedTest(name = "PAN {0}")
    @CsvSource({"123456789012", "12345678901234567890", "54321012345678X9"})
    void badPans_areRefusedWithoutEchoingThem(String pan) {
        assertThatThrownBy(() -> PinBlocks.encrypt(SymmetricKey.of(KeyAlgorithm.TDES, TDES_KEY), pan, "1234".toCharArray()))
                .isInstanceOf(MalformedInputException.class)
                .hasMessageContaining("card number")
                .hasMessageNotContaining(pan);
    }

    @Test
    void garbageBlock_isAFormatError() {
        SymmetricKey key = SymmetricKey.of(KeyAlgorithm.TDES, TDES_KEY);
        byte[] garbage = JdkCiphers.tdesEcb(true, TDES_KEY, HEX.parseHex("7f1215fedcba9876"));
        assertThatThrownBy(() -> PinBlocks.matches(key, garbage, TEST_PAN, "1234".toCharArray()))
                .isInstanceOf(MalformedInputException.class).hasMessage("PIN block format error");
        assertThatThrownBy(() -> PinBlocks.matches(key, new byte[16], TEST_PAN, "1234".toCharArray()))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("8 bytes");
    }

    @Test
    void singleDesAndMacKeys_cannotProtectAPin() {
        SymmetricKey des = SymmetricKey.of(KeyAlgorithm.DES, Arrays.copyOf(TDES_KEY, 8));
        assertThatThrownBy(() -> PinBlocks.encrypt(des, TEST_PAN, "1234".toCharArray()))
                .isInstanceOf(KeyUsageException.class);
    }

    static String digits(SplittableRandom random, int count) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append((char) ('0' + random.nextInt(10)));
        }
        return out.toString();
    }
}
