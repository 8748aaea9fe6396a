package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MacAlgorithmTest {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("mac cross-checks", 100);
    }

    /** The POS ECB MAC restated step by step over the JDK's own DES (SunJCE). */
    @ParameterizedTest
    @MethodSource("seeds")
    void posEcbDes_equalsTheStepsOverTheJdksDes(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] keyBytes = SeededCases.bytes(random, random.nextBoolean() ? 8 : 16);
        byte[] data = SeededCases.bytes(random, random.nextInt(0, 300));

        byte[] xor = new byte[8];
        byte[] padded = Arrays.copyOf(data, (data.length + 7) / 8 * 8);
        for (int block = 0; block < padded.length; block += 8) {
            for (int i = 0; i < 8; i++) {
                xor[i] ^= padded[block + i];
            }
        }
        byte[] expanded = HEX.formatHex(xor).getBytes(StandardCharsets.US_ASCII);
        byte[] first = jdkEncrypt(keyBytes, Arrays.copyOf(expanded, 8));
        for (int i = 0; i < 8; i++) {
            first[i] ^= expanded[8 + i];
        }
        byte[] expected = HEX.formatHex(jdkEncrypt(keyBytes, first)).substring(0, 8).getBytes(StandardCharsets.US_ASCII);

        SymmetricKey key = SymmetricKey.of(KeyAlgorithm.desFamilyFor(keyBytes.length), keyBytes);
        assertThat(MacAlgorithm.POS_ECB_DES.compute(key, data)).isEqualTo(expected);
    }

    /** X9.19 restated: DES-CBC under K1 over zero-padded data, then decrypt under K2, encrypt under K1. */
    @ParameterizedTest
    @MethodSource("seeds")
    void x919_equalsTheStepsOverTheJdksDes(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] keyBytes = SeededCases.bytes(random, 16);
        byte[] data = SeededCases.bytes(random, random.nextInt(1, 300));
        byte[] k1 = Arrays.copyOf(keyBytes, 8);
        byte[] k2 = Arrays.copyOfRange(keyBytes, 8, 16);

        byte[] cbc = JdkCiphers.desCbc(k1, new byte[8], Arrays.copyOf(data, (data.length + 7) / 8 * 8));
        byte[] last = Arrays.copyOfRange(cbc, cbc.length - 8, cbc.length);
        byte[] expected = JdkCiphers.desEcb(true, k1, JdkCiphers.desEcb(false, k2, last));

        assertThat(MacAlgorithm.X9_19.compute(SymmetricKey.of(KeyAlgorithm.TDES, keyBytes), data)).isEqualTo(expected);
    }

    @Test
    void posEcbSm4_foldsSixteenByteBlocks_andKeepsEightHexCharacters() {
        SymmetricKey key = SymmetricKey.fromHex(KeyAlgorithm.SM4, "0123456789abcdeffedcba9876543210");
        byte[] data = "0200 purchase 000000 terminal 12345678".getBytes(StandardCharsets.US_ASCII);

        byte[] xor = new byte[16];
        for (int i = 0; i < data.length; i++) {
            xor[i % 16] ^= data[i];
        }
        byte[] expanded = HEX.formatHex(xor).getBytes(StandardCharsets.US_ASCII);
        byte[] first = Sm4.encrypt(Sm4Mode.ECB, key, null, Arrays.copyOf(expanded, 16));
        for (int i = 0; i < 16; i++) {
            first[i] ^= expanded[16 + i];
        }
        String expected = HEX.formatHex(Sm4.encrypt(Sm4Mode.ECB, key, null, first)).substring(0, 8);

        byte[] mac = MacAlgorithm.POS_ECB_SM4.compute(key, data);
        assertThat(new String(mac, StandardCharsets.US_ASCII)).isEqualTo(expected).matches("[0-9A-F]{8}");
    }

    @ParameterizedTest
    @EnumSource(MacAlgorithm.class)
    void verify_acceptsTheMacAndRefusesAnyChange(MacAlgorithm algorithm) {
        SymmetricKey key = SymmetricKey.of(algorithm.keyAlgorithmFor(16), new byte[]{
                1, 35, 69, 103, -119, -85, -51, -17, -2, -36, -70, -104, 118, 84, 50, 16});
        byte[] data = "0210 approved 00".getBytes(StandardCharsets.US_ASCII);
        byte[] mac = algorithm.compute(key, data);

        assertThat(mac).hasSize(algorithm.macBytes());
        assertThat(algorithm.verify(key, data, mac)).isTrue();
        byte[] alteredData = data.clone();
        alteredData[3] ^= 1;
        assertThat(algorithm.verify(key, alteredData, mac)).isFalse();
        byte[] alteredMac = mac.clone();
        alteredMac[0] ^= 1;
        assertThat(algorithm.verify(key, data, alteredMac)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pos-ecb-des", "pos-ecb-sm4", "x919", "sm4-cmac"})
    void configNames_roundTrip(String name) {
        assertThat(MacAlgorithm.fromConfigName(name).configName()).isEqualTo(name);
    }

    @Test
    void unknownNameOrWrongKey_isRefused() {
        assertThatThrownBy(() -> MacAlgorithm.fromConfigName("md5")).isInstanceOf(MalformedInputException.class);
        SymmetricKey sm4 = SymmetricKey.of(KeyAlgorithm.SM4, new byte[16]);
        assertThatThrownBy(() -> MacAlgorithm.X9_19.compute(sm4, new byte[8])).isInstanceOf(KeyUsageException.class);
        SymmetricKey tripleLength = SymmetricKey.of(KeyAlgorithm.TDES, HexFormat.of().parseHex("0123456789abcdeffedcba987654321011223344556677ff"));
        assertThatThrownBy(() -> MacAlgorithm.X9_19.compute(tripleLength, new byte[8]))
                .isInstanceOf(KeyUsageException.class).hasMessageContaining("16-byte");
    }

    private static byte[] jdkEncrypt(byte[] key, byte[] block) {
        return key.length == 8 ? JdkCiphers.desEcb(true, key, block) : JdkCiphers.tdesEcb(true, key, block);
    }
}
