package cn.onecard.adapters.file;

import static cn.onecard.adapters.file.Fixtures.TEST_BANK_KEY;
import static cn.onecard.adapters.file.Fixtures.TEST_DATA_KEY;
import static cn.onecard.adapters.file.Fixtures.TEST_GATEWAY_KEY;
import static cn.onecard.adapters.file.Fixtures.TEST_OTHER_DATA_KEY;
import static cn.onecard.adapters.file.Fixtures.TEST_OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.adapters.file.LayoutSpec.Protection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class FileProtectorTest {

    private static final String LYB_NAME = "LYBRET_20261123_F20261123LYB0001.txt";
    private static final String ABC_NAME = "ABC20261123F20261123ABC0001.ret";

    private final FileProtector lyb = new FileProtector(Protection.SM4CBC_SM2SIG, TEST_GATEWAY_KEY.privateKey(),
            TEST_BANK_KEY.publicKey(), TEST_DATA_KEY);
    private final FileProtector abc = new FileProtector(Protection.ENVELOPE, TEST_GATEWAY_KEY.privateKey(),
            TEST_BANK_KEY.publicKey(), null);
    private final byte[] plain = Fixtures.golden("LYBRET_20261123_F20261123LYB0001.txt");

    private static List<byte[]> flipped(List<byte[]> files, int file, int at) {
        List<byte[]> copy = new ArrayList<>(files);
        byte[] bytes = copy.get(file).clone();
        bytes[at] ^= 0x01;
        copy.set(file, bytes);
        return copy;
    }

    @Test
    void lybSeal_isWhatTheBankVerifiesAndDecrypts() {
        assertThat(lyb.transportNames("F.txt")).containsExactly("F.txt.enc", "F.txt.sig");
        List<byte[]> files = lyb.seal(plain, "F.txt");
        assertThat(files.get(0).length % 16).isZero();
        assertThat(new String(files.get(1), StandardCharsets.US_ASCII)).matches("[A-Za-z0-9+/]+=*");
        assertThat(TestBank.lybOpen(files.get(0), files.get(1), TEST_GATEWAY_KEY.publicKey(), TEST_DATA_KEY)).isEqualTo(plain);
        assertThat(lyb.seal(plain, "F.txt").getFirst()).as("a fresh IV each time").isNotEqualTo(files.getFirst());
    }

    @Test
    void abcSeal_isAnEnvelopeForTheBankLabelledWithTheFileName() {
        assertThat(abc.transportNames("F.dat")).containsExactly("F.dat.ocev");
        byte[] sealed = abc.seal(plain, "F.dat").getFirst();
        assertThat(TestBank.abcOpen(sealed, "F.dat", TEST_BANK_KEY.privateKey(), TEST_GATEWAY_KEY.publicKey())).isEqualTo(plain);
    }

    @Test
    void lybOpen_returnsTheBanksContent() throws Exception {
        assertThat(lyb.open(LYB_NAME, TestBank.lybProtect(plain, TEST_BANK_KEY.privateKey(), TEST_DATA_KEY))).isEqualTo(plain);
    }

    @Test
    void lybOpen_takesASignatureLineWithItsLineEnding() throws Exception {
        List<byte[]> files = new ArrayList<>(TestBank.lybProtect(plain, TEST_BANK_KEY.privateKey(), TEST_DATA_KEY));
        files.set(1, (new String(files.get(1), StandardCharsets.US_ASCII) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(lyb.open(LYB_NAME, files)).isEqualTo(plain);
    }

    @Test
    void abcOpen_returnsTheBanksContent() throws Exception {
        byte[] sealed = TestBank.abcSeal(plain, TEST_GATEWAY_KEY.publicKey(), TEST_BANK_KEY.privateKey(), ABC_NAME);
        assertThat(abc.open(ABC_NAME, List.of(sealed))).isEqualTo(plain);
    }

    @Test
    void lyb_aFlippedByteInTheEncryptedFileIsRefused() {
        List<byte[]> files = TestBank.lybProtect(plain, TEST_BANK_KEY.privateKey(), TEST_DATA_KEY);
        for (int at : new int[]{0, 17, files.get(0).length - 1}) {
            assertThatThrownBy(() -> lyb.open(LYB_NAME, flipped(files, 0, at)))
                    .isInstanceOf(UnverifiedFileException.class).hasMessage("the .sig does not verify under the bank's key");
        }
    }

    @Test
    void lyb_aFlippedByteInTheSignatureIsRefused() {
        List<byte[]> files = TestBank.lybProtect(plain, TEST_BANK_KEY.privateKey(), TEST_DATA_KEY);
        assertThatThrownBy(() -> lyb.open(LYB_NAME, flipped(files, 1, 20))).isInstanceOf(UnverifiedFileException.class);
    }

    @Test
    void lyb_aSignatureByAnotherKeyIsRefused() {
        List<byte[]> files = TestBank.lybProtect(plain, TEST_OTHER_KEY.privateKey(), TEST_DATA_KEY);
        assertThatThrownBy(() -> lyb.open(LYB_NAME, files))
                .isInstanceOf(UnverifiedFileException.class).hasMessage("the .sig does not verify under the bank's key");
    }

    @Test
    void lyb_aMissingSignatureIsRefused() {
        List<byte[]> files = TestBank.lybProtect(plain, TEST_BANK_KEY.privateKey(), TEST_DATA_KEY);
        assertThatThrownBy(() -> lyb.open(LYB_NAME, List.of(files.getFirst())))
                .isInstanceOf(UnverifiedFileException.class).hasMessage("the .sig file is missing");
    }

    @Test
    void lyb_aSignatureThatIsNotBase64IsRefused() {
        List<byte[]> files = List.of(TestBank.lybProtect(plain, TEST_BANK_KEY.privateKey(), TEST_DATA_KEY).getFirst(),
                "not a signature!".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> lyb.open(LYB_NAME, files))
                .isInstanceOf(UnverifiedFileException.class).hasMessage("the .sig file is not one line of base64");
    }

    @Test
    void lyb_contentUnderAnotherDataKeyIsRefusedAfterItsSignatureVerifies() {
        // A fixed IV: under the wrong key this ciphertext's last block decrypts to bad padding (checked once, deterministic).
        byte[] iv = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
        List<byte[]> files = TestBank.lybProtect(plain, TEST_BANK_KEY.privateKey(), TEST_OTHER_DATA_KEY, iv);
        assertThatThrownBy(() -> lyb.open(LYB_NAME, files))
                .isInstanceOf(UnverifiedFileException.class).hasMessage("the .enc does not decrypt under the bank's data key");
    }

    @Test
    void abc_aFlippedByteAnywhereIsRefused() {
        byte[] sealed = TestBank.abcSeal(plain, TEST_GATEWAY_KEY.publicKey(), TEST_BANK_KEY.privateKey(), ABC_NAME);
        for (int at : new int[]{5, 60, sealed.length / 2, sealed.length - 1}) {
            assertThatThrownBy(() -> abc.open(ABC_NAME, flipped(List.of(sealed), 0, at))).isInstanceOf(UnverifiedFileException.class);
        }
    }

    @Test
    void abc_anEnvelopeSignedByAnotherKeyIsRefused() {
        byte[] sealed = TestBank.abcSeal(plain, TEST_GATEWAY_KEY.publicKey(), TEST_OTHER_KEY.privateKey(), ABC_NAME);
        assertThatThrownBy(() -> abc.open(ABC_NAME, List.of(sealed)))
                .isInstanceOf(UnverifiedFileException.class).hasMessageContaining("another sender");
    }

    @Test
    void abc_anEnvelopeForAnotherRecipientIsRefused() {
        byte[] sealed = TestBank.abcSeal(plain, TEST_OTHER_KEY.publicKey(), TEST_BANK_KEY.privateKey(), ABC_NAME);
        assertThatThrownBy(() -> abc.open(ABC_NAME, List.of(sealed)))
                .isInstanceOf(UnverifiedFileException.class).hasMessageContaining("another recipient");
    }

    @Test
    void abc_anEnvelopeLabelledForAnotherFileIsRefused() {
        byte[] sealed = TestBank.abcSeal(plain, TEST_GATEWAY_KEY.publicKey(), TEST_BANK_KEY.privateKey(), "ABC20261123F20261123ABC0009.ret");
        assertThatThrownBy(() -> abc.open(ABC_NAME, List.of(sealed)))
                .isInstanceOf(UnverifiedFileException.class).hasMessage("the envelope is labelled for another file name");
    }

    @Test
    void sm4cbc_withoutADataKeyIsRefusedAtConstruction() {
        assertThatThrownBy(() -> new FileProtector(Protection.SM4CBC_SM2SIG, TEST_GATEWAY_KEY.privateKey(), TEST_BANK_KEY.publicKey(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("data key");
    }
}
