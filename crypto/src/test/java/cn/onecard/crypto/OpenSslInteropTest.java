package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interoperability with OpenSSL 3, an independent implementation: keys, signatures, SM2 ciphertexts,
 * SM4 modes, SM3, HMAC-SM3 and SM4-CMAC, each way. Skipped, visibly, where openssl lacks SM.
 */
class OpenSslInteropTest {

    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path directory;

    @BeforeAll
    static void requireOpenSslWithSm() {
        if (!OpenSsl.supportsSm()) {
            System.out.println("[interop] SKIPPED: no openssl with SM2/SM3/SM4 on this machine");
        }
        assumeTrue(OpenSsl.supportsSm(), "openssl with SM2, SM3 and SM4 is not available here");
    }

    @Test
    void openSslRewritesOurKeysByteForByte() throws IOException {
        Sm2KeyPair pair = Sm2.generateKeyPair();
        Path privatePem = Files.writeString(directory.resolve("ours.pem"), pair.privateKey().toPem());

        OpenSsl.Result privateOut = OpenSsl.run(directory, "pkey", "-in", privatePem.toString());
        OpenSsl.Result publicOut = OpenSsl.run(directory, "pkey", "-in", privatePem.toString(), "-pubout");

        assertThat(privateOut.exitCode()).as(privateOut.stderr()).isZero();
        assertThat(privateOut.text()).isEqualTo(pair.privateKey().toPem());
        assertThat(publicOut.text()).isEqualTo(pair.publicKey().toPem());
    }

    @Test
    void weReadOpenSslsKeys() throws IOException {
        Path keyFile = directory.resolve("theirs.pem");
        assertThat(OpenSsl.run(directory, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2",
                "-out", keyFile.toString()).exitCode()).isZero();
        OpenSsl.Result publicOut = OpenSsl.run(directory, "pkey", "-in", keyFile.toString(), "-pubout");

        Sm2PrivateKey theirs = Sm2PrivateKey.fromPem(Files.readString(keyFile));

        assertThat(theirs.publicKey()).isEqualTo(Sm2PublicKey.fromPem(publicOut.text()));
        assertThat(theirs.toPem()).isEqualTo(Files.readString(keyFile));
    }

    @ParameterizedTest
    @ValueSource(strings = {Sm2SignatureFormat.DEFAULT_ID, "OneCard-Treasury-0001"})
    void openSslVerifiesOurSignatures(String id) throws IOException {
        Sm2KeyPair pair = Sm2.generateKeyPair();
        byte[] message = "{\"batchId\":\"B-202611-0001\",\"itemCount\":2}".getBytes(StandardCharsets.UTF_8);
        Path publicPem = Files.writeString(directory.resolve("pub.pem"), pair.publicKey().toPem());
        Path messageFile = Files.write(directory.resolve("msg"), message);
        Path signatureFile = Files.write(directory.resolve("sig"),
                pair.privateKey().sign(message, Sm2SignatureFormat.of(id, Sm2SignatureEncoding.DER)));

        OpenSsl.Result verified = OpenSsl.run(directory, "pkeyutl", "-verify", "-pubin", "-inkey", publicPem.toString(),
                "-rawin", "-digest", "sm3", "-pkeyopt", "distid:" + id, "-in", messageFile.toString(),
                "-sigfile", signatureFile.toString());

        assertThat(verified.exitCode()).as(verified.stderr()).isZero();
        assertThat(verified.text()).contains("Signature Verified Successfully");
    }

    @Test
    void weVerifyOpenSslsSignatures() throws IOException {
        Path keyFile = directory.resolve("theirs.pem");
        OpenSsl.run(directory, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", keyFile.toString());
        byte[] message = new byte[5000];
        new SplittableRandom(1).nextBytes(message);
        Path messageFile = Files.write(directory.resolve("msg"), message);
        Path signatureFile = directory.resolve("sig");

        OpenSsl.Result signed = OpenSsl.run(directory, "dgst", "-sm3", "-sign", keyFile.toString(),
                "-sigopt", "distid:" + Sm2SignatureFormat.DEFAULT_ID, "-out", signatureFile.toString(), messageFile.toString());
        assertThat(signed.exitCode()).as(signed.stderr()).isZero();

        Sm2PublicKey theirs = Sm2PrivateKey.fromPem(Files.readString(keyFile)).publicKey();
        byte[] signature = Files.readAllBytes(signatureFile);
        assertThat(theirs.verify(message, signature)).isTrue();
        message[0] ^= 1;
        assertThat(theirs.verify(message, signature)).isFalse();
    }

    @Test
    void sm2Ciphertexts_crossBothWaysInTheDerLayout() throws IOException {
        Sm2KeyPair pair = Sm2.generateKeyPair();
        Path privatePem = Files.writeString(directory.resolve("k.pem"), pair.privateKey().toPem());
        Path publicPem = Files.writeString(directory.resolve("p.pem"), pair.publicKey().toPem());
        byte[] secret = "a 16-byte key!!!".getBytes(StandardCharsets.US_ASCII);

        Path ours = Files.write(directory.resolve("ours.der"), pair.publicKey().encrypt(secret, Sm2CiphertextLayout.DER));
        OpenSsl.Result decrypted = OpenSsl.run(directory, "pkeyutl", "-decrypt", "-inkey", privatePem.toString(), "-in", ours.toString());
        assertThat(decrypted.exitCode()).as(decrypted.stderr()).isZero();
        assertThat(decrypted.stdout()).isEqualTo(secret);

        Path plain = Files.write(directory.resolve("plain"), secret);
        OpenSsl.Result encrypted = OpenSsl.run(directory, "pkeyutl", "-encrypt", "-pubin", "-inkey", publicPem.toString(),
                "-in", plain.toString());
        assertThat(encrypted.exitCode()).as(encrypted.stderr()).isZero();
        assertThat(pair.privateKey().decrypt(encrypted.stdout(), Sm2CiphertextLayout.DER)).isEqualTo(secret);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cbc", "ctr", "ecb"})
    void sm4Ciphertexts_decryptBothWays(String mode) throws IOException {
        SplittableRandom random = new SplittableRandom(mode.hashCode());
        byte[] keyBytes = SeededCases.bytes(random, 16);
        byte[] iv = SeededCases.bytes(random, 16);
        byte[] data = SeededCases.bytes(random, mode.equals("ecb") ? 4096 : 5000);
        Sm4Mode sm4Mode = Sm4Mode.valueOf(mode.toUpperCase());
        byte[] ivOrNull = sm4Mode == Sm4Mode.ECB ? null : iv;
        SymmetricKey key = SymmetricKey.of(KeyAlgorithm.SM4, keyBytes);
        String[] ivArgs = sm4Mode == Sm4Mode.ECB ? new String[]{"-nopad"} : new String[]{"-iv", HEX.formatHex(iv)};

        Path ourCiphertext = Files.write(directory.resolve("ours"), Sm4.encrypt(sm4Mode, key, ivOrNull, data));
        OpenSsl.Result theirPlain = OpenSsl.run(directory, concat(new String[]{"enc", "-d", "-sm4-" + mode,
                "-K", HEX.formatHex(keyBytes), "-in", ourCiphertext.toString()}, ivArgs));
        Path plainFile = Files.write(directory.resolve("plain"), data);
        OpenSsl.Result theirCiphertext = OpenSsl.run(directory, concat(new String[]{"enc", "-sm4-" + mode,
                "-K", HEX.formatHex(keyBytes), "-in", plainFile.toString()}, ivArgs));

        assertThat(theirPlain.exitCode()).as(theirPlain.stderr()).isZero();
        assertThat(theirPlain.stdout()).isEqualTo(data);
        assertThat(Sm4.decrypt(sm4Mode, key, ivOrNull, theirCiphertext.stdout())).isEqualTo(data);
    }

    @Test
    void sm3HmacSm3AndSm4Cmac_equalOpenSsls() throws IOException {
        byte[] data = new byte[3000];
        new SplittableRandom(3).nextBytes(data);
        byte[] key = HEX.parseHex("0123456789abcdeffedcba9876543210");
        Path file = Files.write(directory.resolve("data"), data);

        OpenSsl.Result sm3 = OpenSsl.run(directory, "dgst", "-sm3", "-binary", file.toString());
        OpenSsl.Result hmac = OpenSsl.run(directory, "mac", "-digest", "SM3", "-macopt", "hexkey:" + HEX.formatHex(key),
                "-binary", "-in", file.toString(), "HMAC");
        OpenSsl.Result cmac = OpenSsl.run(directory, "mac", "-cipher", "SM4-CBC", "-macopt", "hexkey:" + HEX.formatHex(key),
                "-binary", "-in", file.toString(), "CMAC");

        assertThat(Sm3.digest(data)).isEqualTo(sm3.stdout());
        assertThat(Sm3.hmac(key, data)).as(hmac.stderr()).isEqualTo(hmac.stdout());
        assertThat(MacAlgorithm.SM4_CMAC.compute(SymmetricKey.of(KeyAlgorithm.SM4, key), data)).as(cmac.stderr())
                .isEqualTo(cmac.stdout());
    }

    private static String[] concat(String[] first, String[] second) {
        String[] all = new String[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
