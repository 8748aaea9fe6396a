package cn.onecard.iso8583;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.KeyTransport;
import cn.onecard.crypto.KeyUsage;
import cn.onecard.crypto.MasterKey;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.crypto.VerificationFailedException;
import java.util.Arrays;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sign-on with key download end to end through a dialect and the key hierarchy: the acquirer sends
 * fresh working keys under the terminal master key in field 62 of the 0810; the terminal recovers
 * them with their check values; a request MACed with the downloaded MAK then checks out against the
 * acquirer's key ring.
 */
class SignOnKeyDownloadTest {

    /** Test-only master key of the acquirer's key hierarchy. */
    private static final MasterKey TEST_MASTER_KEY = MasterKey.fromEnvironment(
            Map.of(MasterKey.ENV_KEY_HEX, "00112233445566778899aabbccddeeff"));

    @ParameterizedTest(name = "{0}")
    @CsvSource({"cup-pos, TDES", "cup-pos-sm4, SM4"})
    void keysDownloadedAtSignOn_areRecoveredByTheTerminal_andItsMacsCheckOut(String dialectName, KeyAlgorithm algorithm) {
        Dialect dialect = Dialects.builtIn().get(dialectName);
        SymmetricKey terminalMasterKey = SymmetricKey.generate(algorithm);
        SymmetricKey pinKey = SymmetricKey.generate(algorithm);
        SymmetricKey macKey = SymmetricKey.generate(algorithm);
        IsoMessage signOn = dialect.newMessage("sign-on").set(11, "000001").set(41, "12345678").set(42, "123456789012345")
                .set("60.2", "000001").set("63.1", "001");

        // the acquirer: keys under the TMK, each with its check value
        IsoMessage answer = dialect.responseTo(dialect.decode(dialect.encode(signOn))).set(39, "00")
                .setBytes("62.1", KeyTransport.encryptUnder(terminalMasterKey, pinKey)).setBytes("62.2", pinKey.checkValue())
                .setBytes("62.3", KeyTransport.encryptUnder(terminalMasterKey, macKey)).setBytes("62.4", macKey.checkValue());
        MacKeyRing acquirerKeys = new MacKeyRing(TEST_MASTER_KEY, "41");
        acquirerKeys.install("12345678", TEST_MASTER_KEY.wrap(macKey, KeyUsage.MAC, "terminal-12345678-mak"));

        // the terminal: reads the answer and recovers the MAK, checked against its check value
        IsoMessage received = dialect.decode(dialect.encode(answer));
        SymmetricKey downloadedMak = KeyTransport.decryptUnder(terminalMasterKey, received.getBytes("62.3"), algorithm,
                received.getBytes("62.4"), KeyUsage.MAC);
        IsoMessage inquiry = dialect.newMessage("balance-inquiry").set(2, "6228480402564890018").set(11, "000002")
                .set(41, "12345678").set(42, "123456789012345").set(49, "156").set("60.2", "000001");

        IsoMessage signed = dialect.decode(dialect.encode(inquiry, downloadedMak));

        assertThat(received.get(39)).isEqualTo("00");
        assertThat(dialect.checkMac(signed, acquirerKeys)).isEqualTo(MacCheck.VALID);
        byte[] tampered = received.getBytes("62.3");
        tampered[0] ^= 1;
        Assertions.assertThatThrownBy(() -> KeyTransport.decryptUnder(terminalMasterKey, tampered, algorithm,
                received.getBytes("62.4"), KeyUsage.MAC)).isInstanceOf(VerificationFailedException.class);
        assertThat(Arrays.equals(received.getBytes("62.1"), received.getBytes("62.3"))).isFalse();
    }
}
