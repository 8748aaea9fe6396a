package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class Sm4Test {

    private static final HexFormat HEX = HexFormat.of();
    private static final SymmetricKey STANDARD_KEY = SymmetricKey.fromHex(KeyAlgorithm.SM4, "0123456789abcdeffedcba9876543210");

    @Test
    void ecb_standardBlock_matchesVector() {
        byte[] block = HEX.parseHex("0123456789abcdeffedcba9876543210");
        assertThat(HEX.formatHex(Sm4.encrypt(Sm4Mode.ECB, STANDARD_KEY, null, block)))
                .isEqualTo("681edf34d206965e86b3e94f536e4246");
    }

    @Test
    void ecb_standardBlockEncryptedAMillionTimes_matchesVector() {
        SM4Engine engine = new SM4Engine();
        engine.init(true, new KeyParameter(HEX.parseHex("0123456789abcdeffedcba9876543210")));
        byte[] block = HEX.parseHex("0123456789abcdeffedcba9876543210");
        for (int i = 0; i < 1_000_000; i++) {
            engine.processBlock(block, 0, block, 0);
        }
        assertThat(HEX.formatHex(block)).isEqualTo("595298c7c6fd271f0402f804c33d3f66");

        // and through this module's API, which must agree with the engine it wraps
        byte[] viaApi = HEX.parseHex("0123456789abcdeffedcba9876543210");
        for (int i = 0; i < 1_000_000; i++) {
            viaApi = Sm4.encrypt(Sm4Mode.ECB, STANDARD_KEY, null, viaApi);
        }
        assertThat(viaApi).isEqualTo(block);
    }

    @Test
    void gcm_rfc8998Vector_encryptsAndDecrypts() {
        byte[] nonce = HEX.parseHex("00001234567800000000abcd");
        byte[] aad = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] plaintext = HEX.parseHex("aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd"
                + "eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa");
        String expected = "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735"
                + "d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d"
                + "83de3541e4c2b58177e065a9bf7b62ec";

        byte[] sealed = Sm4.encryptGcm(STANDARD_KEY, nonce, aad, plaintext);

        assertThat(HEX.formatHex(sealed)).isEqualTo(expected);
        assertThat(Sm4.decryptGcm(STANDARD_KEY, nonce, aad, sealed)).isEqualTo(plaintext);
    }

    static Stream<Arguments> modeCases() {
        return SeededCases.cases("sm4 round trips", 60)
                .flatMap(seed -> Arrays.stream(Sm4Mode.values()).map(mode -> Arguments.of(mode, seed)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modeCases")
    void encryptThenDecrypt_returnsTheData_inMemoryAndStreaming(Sm4Mode mode, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        SymmetricKey key = SymmetricKey.of(KeyAlgorithm.SM4, SeededCases.bytes(random, 16));
        byte[] iv = mode.ivBytes() == 0 ? null : SeededCases.bytes(random, mode.ivBytes());
        int length = random.nextInt(0, 3 * 65536 + 40);
        if (mode == Sm4Mode.ECB) {
            length -= length % 16;
        }
        byte[] data = SeededCases.bytes(random, length);

        byte[] encrypted = Sm4.encrypt(mode, key, iv, data);
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        Sm4.encrypt(mode, mode.defaultPadding(), key, iv, new ByteArrayInputStream(data), streamed);
        ByteArrayOutputStream restored = new ByteArrayOutputStream();
        Sm4.decrypt(mode, mode.defaultPadding(), key, iv, new ByteArrayInputStream(encrypted), restored);

        assertThat(streamed.toByteArray()).isEqualTo(encrypted);
        assertThat(Sm4.decrypt(mode, key, iv, encrypted)).isEqualTo(data);
        assertThat(restored.toByteArray()).isEqualTo(data);
        if (data.length > 0) {
            assertThat(encrypted).isNotEqualTo(data);
        }
    }

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("sm4-gcm tamper", 100);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void gcm_anyFlippedBit_isRefusedAndReleasesNothing(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        SymmetricKey key = SymmetricKey.of(KeyAlgorithm.SM4, SeededCases.bytes(random, 16));
        byte[] nonce = SeededCases.bytes(random, 12);
        byte[] sealed = Sm4.encryptGcm(key, nonce, null, SeededCases.bytes(random, random.nextInt(0, 5000)));
        sealed[random.nextInt(sealed.length)] ^= (byte) (1 << random.nextInt(8));

        ByteArrayOutputStream released = new ByteArrayOutputStream();
        assertThatThrownBy(() -> Sm4.decrypt(Sm4Mode.GCM, Sm4Padding.NONE, key, nonce, new ByteArrayInputStream(sealed), released))
                .isInstanceOf(VerificationFailedException.class)
                .extracting(e -> ((VerificationFailedException) e).reason())
                .isEqualTo(VerificationFailedException.Reason.TAG_MISMATCH);
        assertThat(released.size()).isZero();
        assertThatThrownBy(() -> Sm4.decryptGcm(key, nonce, null, sealed)).isInstanceOf(VerificationFailedException.class);
    }

    @Test
    void gcmToAFile_appearsOnlyWhenTheTagVerifies(@org.junit.jupiter.api.io.TempDir java.nio.file.Path directory) throws IOException {
        byte[] nonce = new byte[12];
        byte[] aad = {7};
        byte[] content = new byte[300_000];
        new SplittableRandom(4).nextBytes(content);
        byte[] sealed = Sm4.encryptGcm(STANDARD_KEY, nonce, aad, content);
        java.nio.file.Path good = directory.resolve("good.bin");
        java.nio.file.Path bad = directory.resolve("bad.bin");

        Sm4.decryptGcm(STANDARD_KEY, nonce, aad, new ByteArrayInputStream(sealed), good);
        sealed[sealed.length - 1] ^= 1;

        assertThat(java.nio.file.Files.readAllBytes(good)).isEqualTo(content);
        assertThatThrownBy(() -> Sm4.decryptGcm(STANDARD_KEY, nonce, aad, new ByteArrayInputStream(sealed), bad))
                .isInstanceOf(VerificationFailedException.class);
        assertThat(directory.toFile().list()).containsExactly("good.bin");
    }

    @Test
    void gcm_wrongAssociatedData_isRefused() {
        byte[] nonce = new byte[12];
        byte[] sealed = Sm4.encryptGcm(STANDARD_KEY, nonce, new byte[]{1}, new byte[]{42});
        assertThatThrownBy(() -> Sm4.decryptGcm(STANDARD_KEY, nonce, new byte[]{2}, sealed))
                .isInstanceOf(VerificationFailedException.class);
    }

    @ParameterizedTest
    @EnumSource(value = Sm4Mode.class, names = {"CBC", "CTR", "GCM"})
    void modesWithAnIv_refuseAMissingOrWrongLengthIv(Sm4Mode mode) {
        assertThatThrownBy(() -> Sm4.encrypt(mode, STANDARD_KEY, null, new byte[16]))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("needs a " + mode.ivBytes() + "-byte");
        assertThatThrownBy(() -> Sm4.encrypt(mode, STANDARD_KEY, new byte[5], new byte[16]))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("got 5");
    }

    @Test
    void ecb_refusesAnIvAndPartialBlocks() {
        assertThatThrownBy(() -> Sm4.encrypt(Sm4Mode.ECB, STANDARD_KEY, new byte[16], new byte[16]))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("takes no IV");
        assertThatThrownBy(() -> Sm4.encrypt(Sm4Mode.ECB, STANDARD_KEY, null, new byte[17]))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("whole 16-byte blocks");
    }

    @Test
    void ecbWithPkcs7_padsAndUnpads() {
        byte[] data = {1, 2, 3};
        byte[] encrypted = Sm4.encrypt(Sm4Mode.ECB, Sm4Padding.PKCS7, STANDARD_KEY, null, data);
        assertThat(encrypted).hasSize(16);
        assertThat(Sm4.decrypt(Sm4Mode.ECB, Sm4Padding.PKCS7, STANDARD_KEY, null, encrypted)).isEqualTo(data);
    }

    @Test
    void cbc_wholeBlockPlaintext_getsAFullPaddingBlock() {
        assertThat(Sm4.encrypt(Sm4Mode.CBC, STANDARD_KEY, new byte[16], new byte[32])).hasSize(48);
    }

    @Test
    void cbc_badPaddingOrLength_isAClearRefusal() {
        byte[] iv = new byte[16];
        byte[] encrypted = Sm4.encrypt(Sm4Mode.CBC, STANDARD_KEY, iv, "payroll".getBytes());
        SymmetricKey otherKey = SymmetricKey.fromHex(KeyAlgorithm.SM4, "00112233445566778899aabbccddeeff");

        assertThatThrownBy(() -> Sm4.decrypt(Sm4Mode.CBC, otherKey, iv, encrypted))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("padding");
        assertThatThrownBy(() -> Sm4.decrypt(Sm4Mode.CBC, STANDARD_KEY, iv, Arrays.copyOf(encrypted, 15)))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("16-byte blocks");
        assertThatThrownBy(() -> Sm4.decrypt(Sm4Mode.CBC, STANDARD_KEY, iv, new byte[0]))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("at least one");
    }

    @Test
    void paddingIsRefusedForStreamModes() {
        assertThatThrownBy(() -> Sm4.encrypt(Sm4Mode.CTR, Sm4Padding.PKCS7, STANDARD_KEY, new byte[16], new byte[3]))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("not padded");
    }

    @Test
    void aDesKey_isRefusedForSm4() {
        SymmetricKey des = SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789abcdeffedcba9876543210");
        assertThatThrownBy(() -> Sm4.encrypt(Sm4Mode.ECB, des, null, new byte[16]))
                .isInstanceOf(KeyUsageException.class).hasMessageContaining("SM4");
    }
}
