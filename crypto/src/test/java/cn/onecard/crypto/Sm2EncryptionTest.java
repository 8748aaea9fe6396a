package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bouncycastle.util.test.FixedSecureRandom;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class Sm2EncryptionTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] MESSAGE = "encryption standard".getBytes(StandardCharsets.US_ASCII);
    // GB/T 32918 Annex C, same d and k as Annex A
    private static final String C1 = "04"
            + "04ebfc718e8d1798620432268e77feb6415e2ede0e073c0f4f640ecd2e149a73"
            + "e858f9d81e5430a57b36daab8f950a3c64e6ee6a63094d99283aff767e124df0";
    private static final String C3 = "59983c18f809e262923c53aec295d30383b54e39d609d160afcb1908d0bd8766";
    private static final String C2 = "21886ca989ca9c7d58087307ca93092d651efa";

    private final Sm2PrivateKey annexKey = Sm2PrivateKey.fromHex(Sm2SignatureTest.ANNEX_D);

    /** Test-only: the standard's fixed k. */
    private static FixedSecureRandom annexKForTestsOnly() {
        return new FixedSecureRandom(HEX.parseHex(Sm2SignatureTest.ANNEX_K));
    }

    @Test
    void encrypt_annexCWithFixedK_givesC1C3C2() {
        byte[] ciphertext = annexKey.publicKey().encrypt(MESSAGE, Sm2CiphertextLayout.C1C3C2, annexKForTestsOnly());
        assertThat(HEX.formatHex(ciphertext)).isEqualTo(C1 + C3 + C2);
    }

    @Test
    void encrypt_annexCInTheOldOrder_givesC1C2C3() {
        byte[] ciphertext = annexKey.publicKey().encrypt(MESSAGE, Sm2CiphertextLayout.C1C2C3, annexKForTestsOnly());
        assertThat(HEX.formatHex(ciphertext)).isEqualTo(C1 + C2 + C3);
    }

    @Test
    void decrypt_annexCCiphertext_givesTheMessage() {
        assertThat(annexKey.decrypt(HEX.parseHex(C1 + C3 + C2))).isEqualTo(MESSAGE);
        assertThat(annexKey.decrypt(HEX.parseHex(C1 + C2 + C3), Sm2CiphertextLayout.C1C2C3)).isEqualTo(MESSAGE);
    }

    @Test
    void derLayout_carriesTheSameFieldsAsC1C3C2() {
        byte[] der = annexKey.publicKey().encrypt(MESSAGE, Sm2CiphertextLayout.DER, annexKForTestsOnly());
        assertThat(Sm2Ciphertexts.fromDer(der)).isEqualTo(HEX.parseHex(C1 + C3 + C2));
        assertThat(annexKey.decrypt(der, Sm2CiphertextLayout.DER)).isEqualTo(MESSAGE);
    }

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("sm2 encrypt/decrypt", 30);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void encryptThenDecrypt_roundTripsInEveryLayout(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Sm2KeyPair pair = Sm2.generateKeyPair(SeededCases.secureRandomForTestsOnly(seed));
        byte[] message = SeededCases.bytes(random, random.nextInt(1, 2000));
        for (Sm2CiphertextLayout layout : Sm2CiphertextLayout.values()) {
            byte[] ciphertext = pair.publicKey().encrypt(message, layout);
            assertThat(pair.privateKey().decrypt(ciphertext, layout)).as(layout.name()).isEqualTo(message);
        }
    }

    @ParameterizedTest
    @EnumSource(Sm2CiphertextLayout.class)
    void decrypt_underAnotherKey_failsTheC3Check(Sm2CiphertextLayout layout) {
        byte[] ciphertext = annexKey.publicKey().encrypt(MESSAGE, layout);
        Sm2PrivateKey stranger = Sm2.generateKeyPair().privateKey();
        assertThatThrownBy(() -> stranger.decrypt(ciphertext, layout))
                .isInstanceOf(VerificationFailedException.class)
                .extracting(e -> ((VerificationFailedException) e).reason())
                .isEqualTo(VerificationFailedException.Reason.DECRYPTION_FAILED);
    }

    @Test
    void decrypt_alteredC2OrC3_isRefused() {
        byte[] ciphertext = HEX.parseHex(C1 + C3 + C2);
        for (int position : new int[]{65, 65 + 31, 65 + 32, ciphertext.length - 1}) {
            byte[] altered = ciphertext.clone();
            altered[position] ^= 1;
            assertThatThrownBy(() -> annexKey.decrypt(altered)).as("byte " + position)
                    .isInstanceOf(VerificationFailedException.class);
        }
    }

    @Test
    void decrypt_malformedInput_isAClearRefusal() {
        byte[] ciphertext = HEX.parseHex(C1 + C3 + C2);
        byte[] offCurve = ciphertext.clone();
        offCurve[10] ^= 1;
        byte[] compressedC1 = ciphertext.clone();
        compressedC1[0] = 0x02;

        assertThatThrownBy(() -> annexKey.decrypt(Arrays.copyOf(ciphertext, 97)))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("at least 98");
        assertThatThrownBy(() -> annexKey.decrypt(offCurve))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("not a point of sm2p256v1");
        assertThatThrownBy(() -> annexKey.decrypt(compressedC1))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("uncompressed");
        assertThatThrownBy(() -> annexKey.decrypt(new byte[]{0x30, 0x03, 0x02, 0x01, 0x01}, Sm2CiphertextLayout.DER))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("x, y, hash and ciphertext");
        assertThatThrownBy(() -> annexKey.publicKey().encrypt(new byte[0]))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("empty");
    }
}
