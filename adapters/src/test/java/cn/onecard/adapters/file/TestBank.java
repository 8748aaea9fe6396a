package cn.onecard.adapters.file;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.crypto.EnvelopeSealer;
import cn.onecard.crypto.OpenedEnvelope;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.Sm4;
import cn.onecard.crypto.Sm4Mode;
import cn.onecard.crypto.Sm4Padding;
import cn.onecard.crypto.SymmetricKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The bank's side of the protection, written from docs/files/bank-*.md with the crypto module
 * directly (not the adapter's code), so that the tests check the adapter against an independent
 * reading of the docs.
 */
final class TestBank {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestBank() {
    }

    /** LYB: .enc = IV || SM4-CBC(PKCS#7); .sig = base64 DER SM2 over the .enc bytes. */
    static List<byte[]> lybProtect(byte[] plain, Sm2PrivateKey signer, SymmetricKey dataKey) {
        byte[] iv = new byte[16];
        RANDOM.nextBytes(iv);
        return lybProtect(plain, signer, dataKey, iv);
    }

    static List<byte[]> lybProtect(byte[] plain, Sm2PrivateKey signer, SymmetricKey dataKey, byte[] iv) {
        byte[] ciphertext = Sm4.encrypt(Sm4Mode.CBC, Sm4Padding.PKCS7, dataKey, iv, plain);
        byte[] enc = new byte[16 + ciphertext.length];
        System.arraycopy(iv, 0, enc, 0, 16);
        System.arraycopy(ciphertext, 0, enc, 16, ciphertext.length);
        return List.of(enc, Base64.getEncoder().encode(signer.sign(enc)));
    }

    /** What the bank does with an LYB payment pair: verify the gateway's signature, then decrypt. */
    static byte[] lybOpen(byte[] enc, byte[] sig, Sm2PublicKey gateway, SymmetricKey dataKey) {
        byte[] signature = Base64.getDecoder().decode(new String(sig, StandardCharsets.US_ASCII).strip());
        assertThat(gateway.verify(enc, signature)).as("the gateway's signature over the .enc verifies").isTrue();
        return Sm4.decrypt(Sm4Mode.CBC, Sm4Padding.PKCS7, dataKey, Arrays.copyOf(enc, 16), Arrays.copyOfRange(enc, 16, enc.length));
    }

    static byte[] abcSeal(byte[] plain, Sm2PublicKey recipient, Sm2PrivateKey sender, String label) {
        return new EnvelopeSealer().seal(plain, recipient, sender, label);
    }

    /** What the bank does with an ABC payment envelope: open it and check its label is the file name. */
    static byte[] abcOpen(byte[] sealed, String name, Sm2PrivateKey bank, Sm2PublicKey gateway) {
        OpenedEnvelope opened = new EnvelopeOpener().open(sealed, bank, gateway);
        assertThat(opened.info().label()).isEqualTo(name);
        return opened.content();
    }

    /** Publishes a result file in {@code root/out/} as the docs say: temporary name, rename; .enc before .sig. */
    static void dropLybResult(Path root, String name, byte[] plain) throws IOException {
        dropLybResult(root, name, plain, Fixtures.TEST_BANK_KEY.privateKey());
    }

    static void dropLybResult(Path root, String name, byte[] plain, Sm2PrivateKey signer) throws IOException {
        List<byte[]> files = lybProtect(plain, signer, Fixtures.TEST_DATA_KEY);
        publish(root.resolve("out"), name + ".enc", files.get(0));
        publish(root.resolve("out"), name + ".sig", files.get(1));
    }

    static void dropAbcResult(Path root, String name, byte[] plain) throws IOException {
        dropAbcResult(root, name, plain, Fixtures.TEST_BANK_KEY.privateKey());
    }

    static void dropAbcResult(Path root, String name, byte[] plain, Sm2PrivateKey signer) throws IOException {
        publish(root.resolve("out"), name + ".ocev", abcSeal(plain, Fixtures.TEST_GATEWAY_KEY.publicKey(), signer, name));
    }

    static void publish(Path folder, String name, byte[] content) throws IOException {
        Files.createDirectories(folder);
        Path part = folder.resolve("." + name + ".part");
        Files.write(part, content);
        Files.move(part, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }
}
