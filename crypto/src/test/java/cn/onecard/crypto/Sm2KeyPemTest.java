package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Sm2KeyPemTest {

    private static final Sm2KeyPair PAIR = Sm2.generateKeyPair();

    @Test
    void privateKeyPem_roundTrips_andIsPkcs8WithTheSm2Curve() {
        String pem = PAIR.privateKey().toPem();

        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(PAIR.privateKey().encoded());
        assertThat(info.getPrivateKeyAlgorithm().getParameters()).isEqualTo(GMObjectIdentifiers.sm2p256v1);
        Sm2PrivateKey reread = Sm2PrivateKey.fromPem(pem);
        assertThat(reread.publicKey()).isEqualTo(PAIR.publicKey());
        assertThat(reread.toHex()).isEqualTo(PAIR.privateKey().toHex());
    }

    @Test
    void publicKeyPem_roundTrips() {
        String pem = PAIR.publicKey().toPem();
        assertThat(pem).startsWith("-----BEGIN PUBLIC KEY-----\n");
        assertThat(Sm2PublicKey.fromPem(pem)).isEqualTo(PAIR.publicKey());
        assertThat(Sm2PublicKey.fromEncoded(PAIR.publicKey().encoded())).isEqualTo(PAIR.publicKey());
    }

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("sm2 key encodings", 50);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void everyKeyEncoding_roundTrips(long seed) {
        Sm2KeyPair pair = Sm2.generateKeyPair(SeededCases.secureRandomForTestsOnly(seed));
        Sm2PrivateKey privateKey = pair.privateKey();
        Sm2PublicKey publicKey = pair.publicKey();

        for (Sm2PrivateKey reread : List.of(Sm2PrivateKey.fromPem(privateKey.toPem()),
                Sm2PrivateKey.fromEncoded(privateKey.encoded()), Sm2PrivateKey.fromHex(privateKey.toHex()))) {
            assertThat(reread.toHex()).isEqualTo(privateKey.toHex());
            assertThat(reread.publicKey()).isEqualTo(publicKey);
        }
        assertThat(Sm2PublicKey.fromPem(publicKey.toPem())).isEqualTo(publicKey);
        assertThat(Sm2PublicKey.fromEncoded(publicKey.encoded())).isEqualTo(publicKey);
        assertThat(Sm2PublicKey.fromHex(publicKey.toHex())).isEqualTo(publicKey);
        assertThat(publicKey.fingerprint()).isEqualTo(Sm3.digest(publicKey.encoded()));
    }

    @Test
    void privateKeyHex_roundTrips() {
        assertThat(Sm2PrivateKey.fromHex(PAIR.privateKey().toHex()).publicKey()).isEqualTo(PAIR.publicKey());
    }

    @Test
    void sec1EcPrivateKeyPem_isReadToo() throws Exception {
        ECPrivateKey sec1 = new ECPrivateKey(256, new BigInteger(PAIR.privateKey().toHex(), 16), GMObjectIdentifiers.sm2p256v1);
        String pem = pem("EC PRIVATE KEY", sec1.getEncoded());
        assertThat(Sm2PrivateKey.fromPem(pem).publicKey()).isEqualTo(PAIR.publicKey());
    }

    @Test
    void keysNeverShowTheirSecretInToString() {
        assertThat(PAIR.privateKey().toString()).doesNotContain(PAIR.privateKey().toHex()).startsWith("Sm2PrivateKey[");
    }

    static Stream<Arguments> malformedPrivateKeys() throws Exception {
        String good = PAIR.privateKey().toPem();
        byte[] der = PAIR.privateKey().encoded();
        return Stream.of(
                Arguments.of("empty", "", "empty"),
                Arguments.of("no PEM block", "just some text", "no -----BEGIN"),
                Arguments.of("bad base64", "-----BEGIN PRIVATE KEY-----\n@@@@\n-----END PRIVATE KEY-----\n", "malformed"),
                Arguments.of("truncated DER", pem("PRIVATE KEY", Arrays.copyOf(der, der.length - 10)), "not a DER PKCS#8"),
                Arguments.of("wrong block type", good.replace("PRIVATE KEY", "CERTIFICATE"), "found CERTIFICATE"),
                Arguments.of("public key given", PAIR.publicKey().toPem(), "found PUBLIC KEY"),
                Arguments.of("encrypted", pem("ENCRYPTED PRIVATE KEY", der), "encrypted private keys"),
                Arguments.of("other curve", pem("PRIVATE KEY", p256PrivateKey()), "1.2.840.10045.3.1.7, not sm2p256v1"),
                Arguments.of("scalar zero", pem("PRIVATE KEY", pkcs8(BigInteger.ZERO, null)), "outside [1, n-2]"),
                Arguments.of("scalar n - 1", pem("PRIVATE KEY", pkcs8(Sm2Curve.order().subtract(BigInteger.ONE), null)), "outside [1, n-2]"),
                Arguments.of("foreign public key inside", pem("PRIVATE KEY", pkcs8(BigInteger.TWO,
                        Sm2.generateKeyPair().publicKey().toHex())), "does not belong to it"),
                Arguments.of("inner public key with pad bits", pem("PRIVATE KEY", new PrivateKeyInfo(Sm2Pem.ALGORITHM,
                        new ECPrivateKey(256, BigInteger.TWO, new DERBitString(new byte[65], 1), null)).getEncoded()), "whole number of bytes"),
                Arguments.of("huge file", "A".repeat(100_000), "far smaller"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedPrivateKeys")
    void malformedPrivateKey_isRefusedWithAClearReason(String name, String pem, String reason) {
        assertThatThrownBy(() -> Sm2PrivateKey.fromPem(pem))
                .isInstanceOf(MalformedInputException.class)
                .hasMessageContaining(reason);
    }

    static Stream<Arguments> malformedPublicKeys() throws Exception {
        byte[] der = PAIR.publicKey().encoded();
        byte[] offCurve = der.clone();
        offCurve[offCurve.length - 1] ^= 1;
        return Stream.of(
                Arguments.of("truncated DER", pem("PUBLIC KEY", Arrays.copyOf(der, der.length - 3)), "not a DER SubjectPublicKeyInfo"),
                Arguments.of("point off the curve", pem("PUBLIC KEY", offCurve), "not a point of sm2p256v1"),
                Arguments.of("point with pad bits (found by HostileInputTest)", pem("PUBLIC KEY",
                        new SubjectPublicKeyInfo(Sm2Pem.ALGORITHM, new DERBitString(HexFormat.of().parseHex(PAIR.publicKey().toHex()), 3))
                                .getEncoded()), "whole number of bytes"),
                Arguments.of("private key given", PAIR.privateKey().toPem(), "found PRIVATE KEY"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedPublicKeys")
    void malformedPublicKey_isRefusedWithAClearReason(String name, String pem, String reason) {
        assertThatThrownBy(() -> Sm2PublicKey.fromPem(pem))
                .isInstanceOf(MalformedInputException.class)
                .hasMessageContaining(reason);
    }

    /** docs/crypto.md, SM2, "Algorithm identifiers read": each row, for public and private keys alike. */
    static Stream<Arguments> algorithmIdentifiers() {
        ASN1ObjectIdentifier ecPublicKey = X9ObjectIdentifiers.id_ecPublicKey;
        ASN1ObjectIdentifier sm2 = GMObjectIdentifiers.sm2p256v1;
        ASN1ObjectIdentifier p256 = SECObjectIdentifiers.secp256r1;
        return Stream.of(
                Arguments.of("id-ecPublicKey, sm2p256v1 (OpenSSL 3)", new AlgorithmIdentifier(ecPublicKey, sm2), true),
                Arguments.of("SM2 OID, parameters absent", new AlgorithmIdentifier(sm2), true),
                Arguments.of("SM2 OID, NULL", new AlgorithmIdentifier(sm2, DERNull.INSTANCE), true),
                Arguments.of("SM2 OID, sm2p256v1", new AlgorithmIdentifier(sm2, sm2), true),
                Arguments.of("id-ecPublicKey, parameters absent", new AlgorithmIdentifier(ecPublicKey), false),
                Arguments.of("id-ecPublicKey, NULL", new AlgorithmIdentifier(ecPublicKey, DERNull.INSTANCE), false),
                Arguments.of("id-ecPublicKey, secp256r1", new AlgorithmIdentifier(ecPublicKey, p256), false),
                Arguments.of("SM2 OID, secp256r1", new AlgorithmIdentifier(sm2, p256), false),
                Arguments.of("rsaEncryption", new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("algorithmIdentifiers")
    void keysUnderEachAlgorithmIdentifier_areReadAsDocumented_andIdentifiedByTheReEncodedKey(
            String name, AlgorithmIdentifier algorithm, boolean read) throws Exception {
        byte[] point = HexFormat.of().parseHex(PAIR.publicKey().toHex());
        byte[] spki = new SubjectPublicKeyInfo(algorithm, point).getEncoded();
        byte[] pkcs8 = new PrivateKeyInfo(algorithm, new ECPrivateKey(256, new BigInteger(PAIR.privateKey().toHex(), 16),
                new DERBitString(point), null)).getEncoded();

        if (read) {
            Sm2PublicKey publicKey = Sm2PublicKey.fromEncoded(spki);
            assertThat(publicKey.encoded()).isEqualTo(PAIR.publicKey().encoded());
            assertThat(publicKey.fingerprint()).isEqualTo(PAIR.publicKey().fingerprint());
            assertThat(Sm2PrivateKey.fromEncoded(pkcs8).publicKey()).isEqualTo(PAIR.publicKey());
        } else {
            assertThatThrownBy(() -> Sm2PublicKey.fromEncoded(spki)).isInstanceOf(MalformedInputException.class);
            assertThatThrownBy(() -> Sm2PrivateKey.fromEncoded(pkcs8)).isInstanceOf(MalformedInputException.class);
        }
    }

    @Test
    void keysFromHexOfWrongLength_areRefused() {
        assertThatThrownBy(() -> Sm2PrivateKey.fromHex("abcd"))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> Sm2PublicKey.fromHex("04abcd"))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("33, 64 or 65 bytes");
        assertThatThrownBy(() -> Sm2PublicKey.fromHex("zz"))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("non-hex");
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] p256PrivateKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair().getPrivate().getEncoded();
    }

    private static byte[] pkcs8(BigInteger d, String publicHex) throws Exception {
        DERBitString publicKey = publicHex == null ? null : new DERBitString(HexFormat.of().parseHex(publicHex));
        return new PrivateKeyInfo(Sm2Pem.ALGORITHM, new ECPrivateKey(256, d, publicKey, null)).getEncoded();
    }
}
