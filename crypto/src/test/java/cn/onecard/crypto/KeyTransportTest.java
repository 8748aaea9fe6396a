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
import org.junit.jupiter.params.provider.MethodSource;

class KeyTransportTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void checkValue_isTheZeroBlockEncrypted_asTheJdkComputesIt() {
        byte[] tdes = HEX.parseHex("0123456789abcdeffedcba9876543210");
        byte[] expected = Arrays.copyOf(JdkCiphers.tdesEcb(true, tdes, new byte[8]), 4);
        assertThat(SymmetricKey.of(KeyAlgorithm.TDES, tdes).checkValue()).isEqualTo(expected);
    }

    @Test
    void sm4CheckValue_isTheFirstFourBytesOfTheZeroBlockEncrypted() {
        SymmetricKey key = SymmetricKey.fromHex(KeyAlgorithm.SM4, "0123456789abcdeffedcba9876543210");
        assertThat(key.checkValue()).isEqualTo(Arrays.copyOf(Sm4.encrypt(Sm4Mode.ECB, key, null, new byte[16]), 4));
    }

    @Test
    void workingKeys_travelUnderAMasterKey_andArriveWithMatchingCheckValue() {
        SymmetricKey terminalMaster = SymmetricKey.generate(KeyAlgorithm.SM4);
        SymmetricKey pinKey = SymmetricKey.generate(KeyAlgorithm.SM4);

        byte[] onTheWire = KeyTransport.encryptUnder(terminalMaster, pinKey);
        SymmetricKey received = KeyTransport.decryptUnder(terminalMaster, onTheWire, KeyAlgorithm.SM4, pinKey.checkValue(), KeyUsage.MAC);

        assertThat(onTheWire).hasSize(16);
        assertThat(received.checkValue()).isEqualTo(pinKey.checkValue());
        assertThat(MacAlgorithm.SM4_CMAC.compute(received, new byte[5])).isEqualTo(MacAlgorithm.SM4_CMAC.compute(pinKey, new byte[5]));
    }

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("key transport round trip", 100);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void anyWorkingKey_travelsUnderAnyKekOfItsFamily(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        boolean sm4 = random.nextBoolean();
        SymmetricKey kek = sm4 ? SymmetricKey.of(KeyAlgorithm.SM4, SeededCases.bytes(random, 16))
                : SymmetricKey.of(KeyAlgorithm.TDES, SeededCases.bytes(random, random.nextBoolean() ? 16 : 24));
        SymmetricKey working = sm4 ? SymmetricKey.of(KeyAlgorithm.SM4, SeededCases.bytes(random, 16))
                : SymmetricKey.of(KeyAlgorithm.TDES, SeededCases.bytes(random, random.nextBoolean() ? 16 : 24));

        byte[] onTheWire = KeyTransport.encryptUnder(kek, working);
        SymmetricKey received = KeyTransport.decryptUnder(kek, onTheWire, working.algorithm(), working.checkValue(), KeyUsage.PIN);

        assertThat(onTheWire).hasSize(working.lengthBytes()).isNotEqualTo(working.material());
        assertThat(received.material()).isEqualTo(working.material());
    }

    @Test
    void doubleLengthDesKey_travelsUnderADesMasterKey() {
        SymmetricKey tmk = SymmetricKey.generate(KeyAlgorithm.TDES);
        SymmetricKey mak = SymmetricKey.generate(KeyAlgorithm.TDES);
        byte[] onTheWire = KeyTransport.encryptUnder(tmk, mak);
        assertThat(KeyTransport.decryptUnder(tmk, onTheWire, KeyAlgorithm.TDES, mak.checkValue(), KeyUsage.MAC).checkValue())
                .isEqualTo(mak.checkValue());
    }

    @Test
    void wrongCheckValueOrKek_isRefused() {
        SymmetricKey tmk = SymmetricKey.generate(KeyAlgorithm.SM4);
        SymmetricKey otherTmk = SymmetricKey.generate(KeyAlgorithm.SM4);
        SymmetricKey pinKey = SymmetricKey.generate(KeyAlgorithm.SM4);
        byte[] onTheWire = KeyTransport.encryptUnder(tmk, pinKey);

        assertThatThrownBy(() -> KeyTransport.decryptUnder(otherTmk, onTheWire, KeyAlgorithm.SM4, pinKey.checkValue(), KeyUsage.PIN))
                .isInstanceOf(VerificationFailedException.class)
                .extracting(e -> ((VerificationFailedException) e).reason())
                .isEqualTo(VerificationFailedException.Reason.CHECK_VALUE_MISMATCH);
        assertThatThrownBy(() -> KeyTransport.decryptUnder(tmk, new byte[15], KeyAlgorithm.SM4, pinKey.checkValue(), KeyUsage.PIN))
                .isInstanceOf(MalformedInputException.class);
    }

    @Test
    void receivedKeys_carryTheirUsage_andEveryOperationRefusesAnother() {
        SymmetricKey tmk = SymmetricKey.of(KeyAlgorithm.SM4, HEX.parseHex("00112233445566778899aabbccddeeff"), KeyUsage.TERMINAL_MASTER);
        SymmetricKey clearPik = SymmetricKey.generate(KeyAlgorithm.SM4);
        SymmetricKey pik = KeyTransport.decryptUnder(tmk, KeyTransport.encryptUnder(tmk, clearPik), KeyAlgorithm.SM4,
                clearPik.checkValue(), KeyUsage.PIN);

        assertThat(pik.usage()).contains(KeyUsage.PIN);
        assertThat(PinBlocks.encrypt(pik, "6217001234567890123", "1234".toCharArray())).hasSize(16);
        assertThatThrownBy(() -> MacAlgorithm.SM4_CMAC.compute(pik, new byte[8]))
                .isInstanceOf(KeyUsageException.class).hasMessageContaining("needs a MAK key, not a PIK key");
        assertThatThrownBy(() -> Sm4.decrypt(Sm4Mode.ECB, pik, null, new byte[16]))
                .as("a PIN key must not decrypt PIN blocks as data").isInstanceOf(KeyUsageException.class);
        assertThatThrownBy(() -> KeyTransport.encryptUnder(pik, clearPik))
                .as("a PIN key must not carry other keys").isInstanceOf(KeyUsageException.class);
        assertThatThrownBy(() -> KeyTransport.decryptUnder(pik, new byte[16], KeyAlgorithm.SM4, new byte[4], KeyUsage.MAC))
                .isInstanceOf(KeyUsageException.class);
    }

    @Test
    void tripleDesKeysThatAreSingleDesInDisguise_areRefused() {
        assertThatThrownBy(() -> SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789abcdef0123456789abcdef"))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("single DES");
        assertThatThrownBy(() -> SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789abcdeffedcba9876543210fedcba9876543210"))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("K2 = K3");
        assertThat(SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789abcdeffedcba98765432100123456789abcdef").lengthBytes())
                .as("K1 = K3 is ordinary two-key triple DES").isEqualTo(24);
    }

    @Test
    void singleDes_isOnlyForMacKeys() {
        assertThatThrownBy(() -> SymmetricKey.of(KeyAlgorithm.DES, new byte[8], KeyUsage.PIN)).isInstanceOf(KeyUsageException.class);
        assertThat(SymmetricKey.of(KeyAlgorithm.DES, HEX.parseHex("0123456789abcdef"), KeyUsage.MAC).usage()).contains(KeyUsage.MAC);
    }

    @Test
    void destroyedKey_isWipedAndRefusesWork() {
        SymmetricKey key = SymmetricKey.generate(KeyAlgorithm.SM4);
        key.destroy();
        assertThat(key.isDestroyed()).isTrue();
        assertThat(key.toString()).contains("destroyed");
        assertThatThrownBy(key::checkValue).isInstanceOf(IllegalStateException.class);
    }
}
