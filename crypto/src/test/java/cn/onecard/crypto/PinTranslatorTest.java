package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PinTranslatorTest {

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("pin translation", 100);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void translatedBlock_carriesTheSamePinUnderTheTargetKey(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        SymmetricKey terminalPik = randomPinKey(random);
        SymmetricKey zonePinKey = randomPinKey(random);
        String pan = PinBlocksTest.digits(random, random.nextInt(13, 20));
        char[] pin = PinBlocksTest.digits(random, random.nextInt(4, 13)).toCharArray();

        byte[] fromTerminal = PinBlocks.encrypt(terminalPik, pan, pin);
        byte[] toBank = PinTranslator.translate(fromTerminal, terminalPik, zonePinKey);

        assertThat(toBank).hasSize(zonePinKey.algorithm().blockBytes());
        assertThat(PinBlocks.matches(zonePinKey, toBank, pan, pin)).isTrue();
        assertThat(toBank).isEqualTo(PinBlocks.encrypt(zonePinKey, pan, pin));
    }

    @Test
    void blockUnderAnotherKey_isRefusedNotPassedOn() {
        SymmetricKey rightKey = SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789abcdeffedcba9876543210");
        SymmetricKey wrongKey = SymmetricKey.fromHex(KeyAlgorithm.TDES, "1111111111111111fedcba9876543210");
        SymmetricKey target = SymmetricKey.fromHex(KeyAlgorithm.SM4, "00112233445566778899aabbccddeeff");
        byte[] block = PinBlocks.encrypt(rightKey, "6217001234567890123", "246810".toCharArray());

        assertThatThrownBy(() -> PinTranslator.translate(block, wrongKey, target))
                .isInstanceOf(MalformedInputException.class).hasMessage("PIN block format error");
    }

    /**
     * Clulow's attack: replay one captured block while varying the PAN, and read the digits off
     * which PANs give "format error". Nothing here depends on a PAN the caller chooses: a block
     * checked against another card's PAN is a plain mismatch, never a format error.
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void checkingABlockAgainstOtherPans_neverAnswersFormatError(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        SymmetricKey key = randomPinKey(random);
        String pan = PinBlocksTest.digits(random, 16);
        char[] pin = PinBlocksTest.digits(random, random.nextInt(4, 13)).toCharArray();
        byte[] captured = PinBlocks.encrypt(key, pan, pin);

        for (int trial = 0; trial < 50; trial++) {
            String otherPan = PinBlocksTest.digits(random, 16);
            assertThat(PinBlocks.matches(key, captured, otherPan, pin)).isEqualTo(otherPan.substring(3, 15).equals(pan.substring(3, 15)));
        }
        assertThat(PinTranslator.translate(captured, key, key)).isEqualTo(captured);
    }

    private static SymmetricKey randomPinKey(SplittableRandom random) {
        return random.nextBoolean()
                ? SymmetricKey.of(KeyAlgorithm.SM4, SeededCases.bytes(random, 16))
                : SymmetricKey.of(KeyAlgorithm.TDES, SeededCases.bytes(random, random.nextBoolean() ? 16 : 24));
    }
}
