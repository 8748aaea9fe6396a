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
        byte[] toBank = PinTranslator.translate(fromTerminal, pan, terminalPik, zonePinKey);

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

        assertThatThrownBy(() -> PinTranslator.translate(block, "6217001234567890123", wrongKey, target))
                .isInstanceOf(MalformedInputException.class).hasMessage("PIN block format error");
    }

    private static SymmetricKey randomPinKey(SplittableRandom random) {
        return random.nextBoolean()
                ? SymmetricKey.of(KeyAlgorithm.SM4, SeededCases.bytes(random, 16))
                : SymmetricKey.of(KeyAlgorithm.TDES, SeededCases.bytes(random, random.nextBoolean() ? 16 : 24));
    }
}
