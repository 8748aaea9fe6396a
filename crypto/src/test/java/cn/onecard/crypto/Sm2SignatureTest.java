package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.util.test.FixedSecureRandom;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Sm2SignatureTest {

    private static final HexFormat HEX = HexFormat.of();

    // GB/T 32918 Annex A (2016, on sm2p256v1); see shared/reference/crypto-sm.md
    static final String ANNEX_D = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8";
    static final String ANNEX_PUBLIC = "04"
            + "09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
            + "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13";
    static final String ANNEX_K = "59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21";
    static final String ANNEX_R = "f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3";
    static final String ANNEX_S = "b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa";
    private static final byte[] MESSAGE_DIGEST = "message digest".getBytes(StandardCharsets.US_ASCII);

    /** Test-only: hands SM2 the standard's fixed k. */
    private static FixedSecureRandom annexKForTestsOnly() {
        return new FixedSecureRandom(HEX.parseHex(ANNEX_K));
    }

    @Test
    void privateKeyFromHex_derivesTheStandardPublicKey() {
        assertThat(Sm2PrivateKey.fromHex(ANNEX_D).publicKey().toHex()).isEqualTo(ANNEX_PUBLIC);
    }

    @Test
    void sign_annexAWithFixedK_givesTheStandardRAndS() {
        Sm2PrivateKey key = Sm2PrivateKey.fromHex(ANNEX_D);
        Sm2SignatureFormat raw = Sm2SignatureFormat.DEFAULT.withEncoding(Sm2SignatureEncoding.RAW);

        byte[] signature = key.sign(MESSAGE_DIGEST, raw, annexKForTestsOnly());

        assertThat(HEX.formatHex(signature)).isEqualTo(ANNEX_R + ANNEX_S);
    }

    @Test
    void sign_annexAInDer_encodesTheSameRAndS() throws Exception {
        byte[] der = Sm2PrivateKey.fromHex(ANNEX_D).sign(MESSAGE_DIGEST, Sm2SignatureFormat.DEFAULT, annexKForTestsOnly());
        byte[] expected = new DERSequence(new ASN1Encodable[]{
                new ASN1Integer(new BigInteger(ANNEX_R, 16)), new ASN1Integer(new BigInteger(ANNEX_S, 16))}).getEncoded();
        assertThat(der).isEqualTo(expected);
    }

    @Test
    void verify_standardSignature_withThePublicKeyFromHex() {
        Sm2PublicKey publicKey = Sm2PublicKey.fromHex(ANNEX_PUBLIC);
        Sm2SignatureFormat raw = Sm2SignatureFormat.DEFAULT.withEncoding(Sm2SignatureEncoding.RAW);
        byte[] signature = HEX.parseHex(ANNEX_R + ANNEX_S);

        assertThat(publicKey.verify(MESSAGE_DIGEST, signature, raw)).isTrue();
        assertThat(publicKey.verify("message digesT".getBytes(StandardCharsets.US_ASCII), signature, raw)).isFalse();
        assertThat(publicKey.verify(MESSAGE_DIGEST, signature, Sm2SignatureFormat.of("another id", Sm2SignatureEncoding.RAW)))
                .as("the ID is part of what is signed").isFalse();
    }

    @Test
    void publicKeyFromHex_acceptsAllThreeEncodingsOfTheSamePoint() {
        Sm2PublicKey uncompressed = Sm2PublicKey.fromHex(ANNEX_PUBLIC);
        String xy = ANNEX_PUBLIC.substring(2);
        BigInteger y = new BigInteger(ANNEX_PUBLIC.substring(66), 16);
        String compressed = (y.testBit(0) ? "03" : "02") + ANNEX_PUBLIC.substring(2, 66);

        assertThat(Sm2PublicKey.fromHex(xy)).isEqualTo(uncompressed);
        assertThat(Sm2PublicKey.fromHex(compressed)).isEqualTo(uncompressed);
    }

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("sm2 sign/verify", 40);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void signThenVerify_holdsForAnyMessageIdAndEncoding_andFailsForAnyChange(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Sm2KeyPair pair = Sm2.generateKeyPair(SeededCases.secureRandomForTestsOnly(seed));
        Sm2KeyPair other = Sm2.generateKeyPair(SeededCases.secureRandomForTestsOnly(~seed));
        byte[] message = SeededCases.bytes(random, random.nextInt(0, 3000));
        String id = random.nextBoolean() ? Sm2SignatureFormat.DEFAULT_ID : "id-" + random.nextInt(1_000_000);
        Sm2SignatureFormat format = Sm2SignatureFormat.of(id,
                random.nextBoolean() ? Sm2SignatureEncoding.DER : Sm2SignatureEncoding.RAW);

        byte[] signature = pair.privateKey().sign(message, format);

        assertThat(pair.publicKey().verify(message, signature, format)).isTrue();
        assertThat(other.publicKey().verify(message, signature, format)).as("another key").isFalse();
        byte[] altered = message.length == 0 ? new byte[]{0} : message.clone();
        if (message.length > 0) {
            altered[random.nextInt(altered.length)] ^= (byte) (1 << random.nextInt(8));
        }
        assertThat(pair.publicKey().verify(altered, signature, format)).as("altered message").isFalse();
    }

    @Test
    void sign_isRandomised_yetEverySignatureVerifies() {
        Sm2KeyPair pair = Sm2.generateKeyPair();
        byte[] first = pair.privateKey().sign(MESSAGE_DIGEST);
        byte[] second = pair.privateKey().sign(MESSAGE_DIGEST);
        assertThat(first).isNotEqualTo(second);
        assertThat(pair.publicKey().verify(MESSAGE_DIGEST, first)).isTrue();
        assertThat(pair.publicKey().verify(MESSAGE_DIGEST, second)).isTrue();
    }

    @Test
    void pooledSigners_onManyThreads_neverMixMessages() throws Exception {
        Sm2KeyPair pair = Sm2.generateKeyPair();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                byte[] message = ("instruction " + i).getBytes(StandardCharsets.US_ASCII);
                results.add(pool.submit(() -> pair.publicKey().verify(message, pair.privateKey().sign(message))));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void streamSigner_overPieces_equalsOneShotVerification() {
        Sm2KeyPair pair = Sm2.generateKeyPair();
        byte[] message = new byte[10_000];
        new SplittableRandom(7).nextBytes(message);
        byte[] signature;
        try (Sm2StreamSigner signer = pair.privateKey().newSigner(Sm2SignatureFormat.DEFAULT)) {
            for (int offset = 0; offset < message.length; offset += 999) {
                signer.update(message, offset, Math.min(999, message.length - offset));
            }
            signature = signer.sign();
        }
        assertThat(pair.publicKey().verify(message, signature)).isTrue();
    }

    @Test
    void abandonedStreamSigner_doesNotPoisonTheNextSignature() {
        Sm2KeyPair pair = Sm2.generateKeyPair();
        try (Sm2StreamSigner abandoned = pair.privateKey().newSigner(Sm2SignatureFormat.DEFAULT)) {
            abandoned.update(new byte[]{1, 2, 3});
        }
        byte[] signature = pair.privateKey().sign(MESSAGE_DIGEST);
        assertThat(pair.publicKey().verify(MESSAGE_DIGEST, signature)).isTrue();
    }

    static Stream<Arguments> malformedSignatures() {
        BigInteger n = Sm2Curve.order();
        byte[] good = Sm2PrivateKey.fromHex(ANNEX_D).sign(MESSAGE_DIGEST, Sm2SignatureFormat.DEFAULT, annexKForTestsOnly());
        byte[] small = der(BigInteger.ONE, BigInteger.TWO); // in range, so only its encoding can be wrong
        return Stream.of(
                Arguments.of("empty", new byte[0], "strict DER"),
                Arguments.of("truncated DER", Arrays.copyOf(good, good.length - 5), "strict DER"),
                Arguments.of("trailing byte", Arrays.copyOf(small, small.length + 1), "strict DER"),
                Arguments.of("not a sequence", new byte[]{0x02, 0x01, 0x01}, "strict DER"),
                Arguments.of("three integers", der(BigInteger.ONE, BigInteger.ONE, BigInteger.ONE), "strict DER"),
                Arguments.of("r = 0", der(BigInteger.ZERO, BigInteger.ONE), "r is outside [1, n-1]"),
                Arguments.of("r = n", der(n, BigInteger.ONE), "r is outside [1, n-1]"),
                Arguments.of("s = n + 1", der(BigInteger.ONE, n.add(BigInteger.ONE)), "s is outside [1, n-1]"),
                Arguments.of("negative r", der(BigInteger.ONE.negate(), BigInteger.ONE), "r is outside [1, n-1]"),
                Arguments.of("non-minimal length", nonMinimalLength(small), "strict DER"),
                Arguments.of("far too long", new byte[200], "at most 72"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedSignatures")
    void verify_malformedDerSignature_isRefusedWithAClearReason(String name, byte[] signature, String reason) {
        Sm2PublicKey key = Sm2PublicKey.fromHex(ANNEX_PUBLIC);
        assertThatThrownBy(() -> key.verify(MESSAGE_DIGEST, signature))
                .isInstanceOf(MalformedInputException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void verify_rawSignatureOfWrongLengthOrRange_isRefused() {
        Sm2PublicKey key = Sm2PublicKey.fromHex(ANNEX_PUBLIC);
        Sm2SignatureFormat raw = Sm2SignatureFormat.DEFAULT.withEncoding(Sm2SignatureEncoding.RAW);
        assertThatThrownBy(() -> key.verify(MESSAGE_DIGEST, new byte[63], raw))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("64 bytes");
        byte[] zeros = new byte[64];
        assertThatThrownBy(() -> key.verify(MESSAGE_DIGEST, zeros, raw))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("outside [1, n-1]");
    }

    private static byte[] der(BigInteger... values) {
        ASN1Encodable[] integers = Arrays.stream(values).map(ASN1Integer::new).toArray(ASN1Encodable[]::new);
        try {
            return new DERSequence(integers).getEncoded();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The same SEQUENCE with its length in the long form (0x81 nn): valid BER, not DER. */
    private static byte[] nonMinimalLength(byte[] der) {
        byte[] out = new byte[der.length + 1];
        out[0] = 0x30;
        out[1] = (byte) 0x81;
        out[2] = der[1];
        System.arraycopy(der, 2, out, 3, der.length - 2);
        return out;
    }
}
