package cn.onecard.iso8583;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.MacAlgorithm;
import cn.onecard.crypto.SymmetricKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Frames written by hand from the spec tables decode to the values the tables say, and encode back byte for byte. */
class GoldenFrameTest {

    private static final Dialects DIALECTS = Dialects.builtIn();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cup-pos-sign-on", "cup-pos-sign-on-response", "cup-pos-balance-inquiry", "agent-ascii87-echo",
            "agent-ascii87-credit", "agent-bcd-credit", "agent-bcd-account-verification"})
    void goldenFrame_decodesToTheSpecValues_andEncodesBackExactly(String name) {
        GoldenFrame golden = GoldenFrame.load(name);
        Dialect dialect = DIALECTS.get(golden.dialect());

        IsoMessage message = dialect.decode(golden.bytes());

        assertThat(message.mti()).isEqualTo(golden.expectations().get("mti"));
        golden.expectations().forEach((path, expected) -> {
            if (!path.equals("mti")) {
                assertThat(text(message, path)).as("field " + path).isEqualTo(expected);
            }
        });
        int[] fieldsListed = golden.expectations().keySet().stream().filter(path -> !path.equals("mti"))
                .mapToInt(path -> Integer.parseInt(path.contains(".") ? path.substring(0, path.indexOf('.')) : path))
                .distinct().sorted().toArray();
        assertThat(message.fields()).as("the fields present are those the frame file lists").isEqualTo(fieldsListed);
        assertThat(dialect.encode(message)).isEqualTo(golden.bytes());
    }

    @Test
    void posEcbMac_coversTheBytesFromTheMtiToTheMacField() {
        GoldenFrame golden = GoldenFrame.load("cup-pos-balance-inquiry");
        Dialect dialect = DIALECTS.get("cup-pos");
        SymmetricKey key = SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789ABCDEFFEDCBA9876543210");
        byte[] frame = golden.bytes();
        int mtiAt = 2 + 5 + 6; // length header, TPDU, header
        byte[] macData = Arrays.copyOfRange(frame, mtiAt, frame.length - 8);

        byte[] signed = dialect.encode(dialect.decode(frame), key);

        assertThat(Arrays.copyOfRange(signed, signed.length - 8, signed.length))
                .isEqualTo(MacAlgorithm.POS_ECB_DES.compute(key, macData));
        assertThat(Arrays.copyOf(signed, signed.length - 8)).isEqualTo(Arrays.copyOf(frame, frame.length - 8));
        assertThat(dialect.checkMac(dialect.decode(signed), MacKeys.single(key))).isEqualTo(MacCheck.VALID);
        assertThat(dialect.checkMac(dialect.decode(frame), MacKeys.single(key))).isEqualTo(MacCheck.INVALID);
        assertThat(dialect.checkMac(dialect.decode(signed).set(3, "000000"), MacKeys.single(key)))
                .as("a message changed after it was read is checked as it now is").isEqualTo(MacCheck.INVALID);
    }

    @Test
    void x919MacOfSelectedFields_isOverTheirValuesJoinedBySpaces() {
        GoldenFrame golden = GoldenFrame.load("agent-ascii87-credit");
        Dialect dialect = DIALECTS.get("agent-ascii87");
        SymmetricKey key = SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789ABCDEFFEDCBA9876543210");
        // fields 0 2 3 4 7 11 32 39 41 90 102 103 of the frame; 39 and 90 are absent
        String macData = "0200 6228480402564890018 210000 000000009000 1123103015 000043 48021000 TERM0001 62010001000000001 "
                + "6228480402564890018";

        IsoMessage signed = dialect.decode(dialect.encode(dialect.decode(golden.bytes()), key));

        assertThat(signed.getBytes(128)).isEqualTo(MacAlgorithm.X9_19.compute(key, macData.getBytes(StandardCharsets.US_ASCII)));
        assertThat(dialect.checkMac(signed, MacKeys.single(key))).isEqualTo(MacCheck.VALID);
        assertThat(dialect.checkMac(signed.copy().set(4, "000000009001"), MacKeys.single(key))).isEqualTo(MacCheck.INVALID);
    }

    @Test
    void shortValueOfAFixedField_isMacedPadded_asItGoesOnTheWire() {
        Dialect dialect = DIALECTS.get("agent-ascii87");
        SymmetricKey key = SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789ABCDEFFEDCBA9876543210");
        IsoMessage shortValues = dialect.decode(GoldenFrame.load("agent-ascii87-credit").bytes()).set(11, "43").set(41, "T1");

        IsoMessage read = dialect.decode(dialect.encode(shortValues, key));

        assertThat(read.get(11)).isEqualTo("000043");
        assertThat(read.get(41)).isEqualTo("T1      ");
        assertThat(dialect.checkMac(read, MacKeys.single(key))).isEqualTo(MacCheck.VALID);
    }

    @Test
    void truncatedSm4Cmac_isTheLeftmostEightBytesOverTheMessage() {
        GoldenFrame golden = GoldenFrame.load("agent-bcd-credit");
        Dialect dialect = DIALECTS.get("agent-bcd");
        SymmetricKey key = SymmetricKey.fromHex(KeyAlgorithm.SM4, "0123456789ABCDEFFEDCBA9876543210");
        byte[] frame = golden.bytes();
        byte[] macData = Arrays.copyOfRange(frame, 2 + 5, frame.length - 8);

        byte[] signed = dialect.encode(dialect.decode(frame), key);

        assertThat(Arrays.copyOfRange(signed, signed.length - 8, signed.length))
                .isEqualTo(Arrays.copyOf(MacAlgorithm.SM4_CMAC.compute(key, macData), 8));
    }

    private static String text(IsoMessage message, String path) {
        try {
            return message.get(path);
        } catch (IllegalStateException binary) {
            return HexFormat.of().withUpperCase().formatHex(message.getBytes(path));
        }
    }
}
