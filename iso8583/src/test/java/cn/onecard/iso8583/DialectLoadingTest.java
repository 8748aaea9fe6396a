package cn.onecard.iso8583;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.SymmetricKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Dialects load from descriptors and specs alone, and a descriptor or spec that is wrong anywhere is refused, saying where. */
class DialectLoadingTest {

    @TempDir
    Path directory;

    @Test
    void builtInDialects_loadWithTheirFramingAndMacRules() {
        Dialects dialects = Dialects.builtIn();

        assertThat(dialects.all()).extracting(Dialect::name).containsExactly("agent-ascii87", "agent-bcd", "cup-pos", "cup-pos-sm4");
        assertThat(dialects.get("cup-pos").framing()).isEqualTo(new Framing(LengthHeader.BINARY_2, 5, 6, 1024));
        assertThat(dialects.get("agent-ascii87").framing().lengthHeader()).isEqualTo(LengthHeader.ASCII_4);
        assertThat(dialects.get("cup-pos").codes().codeFor(ResultCode.MAC_ERROR)).isEqualTo("A0");
        assertThat(dialects.get("agent-ascii87").codes().codeFor(ResultCode.MAC_ERROR)).isEqualTo("63");
        assertThat(dialects.get("agent-bcd").codes().meaningOf("ZZ")).isEqualTo(ResultCode.UNRECOGNISED);
        assertThat(dialects.get("agent-bcd").macRule().orElseThrow().macBytes()).isEqualTo(8);
    }

    @Test
    void unknownDialect_isRefusedNamingTheKnownOnes() {
        assertThatThrownBy(() -> Dialects.builtIn().get("no-such-bank"))
                .isInstanceOf(DialectException.class).hasMessageContaining("cup-pos").hasMessageContaining("agent-bcd");
    }

    @Test
    void operatorsDialect_fromADirectory_needsNoNewCode_andWorksBesideTheBuiltIns() {
        write("my-bank.dialect.properties", builtIn("agent-bcd.dialect.properties").replace("mac.algorithm = sm4-cmac",
                "mac.algorithm = pos-ecb-sm4").replace("spec = agent-bcd.xml", "spec = my-bank.xml"));
        write("my-bank.xml", builtIn("agent-bcd.xml"));
        write("agent-bcd-verification.xml", builtIn("agent-bcd-verification.xml"));

        Dialects dialects = Dialects.builtIn().with(Dialects.fromDirectory(directory));
        Dialect mine = dialects.get("my-bank");
        SymmetricKey key = SymmetricKey.fromHex(KeyAlgorithm.SM4, "0123456789ABCDEFFEDCBA9876543210");
        IsoMessage credit = mine.newMessage("credit").set(2, "6228480402564890018").set(4, "000000009000").set(11, "000001")
                .set(41, "TERM0001");
        IsoMessage read = mine.decode(mine.encode(credit, key));

        assertThat(mine.checkMac(read, MacKeys.single(key))).isEqualTo(MacCheck.VALID);
        assertThat(dialects.all()).hasSize(5);
    }

    @Test
    void sameNameTwice_isRefused() {
        write("cup-pos.dialect.properties", builtIn("cup-pos.dialect.properties"));
        for (String spec : new String[]{"cup-pos.xml", "cup-pos-settlement.xml", "cup-pos-batch.xml"}) {
            write(spec, builtIn(spec));
        }

        assertThatThrownBy(() -> Dialects.builtIn().with(Dialects.fromDirectory(directory)))
                .isInstanceOf(DialectException.class).hasMessageContaining("cup-pos is defined twice");
    }

    static Stream<Arguments> brokenDialects() {
        return Stream.of(
                broken("an unknown descriptor key", d -> d + "\nframe.length = 4\n", s -> s, "unknown key 'frame.length'"),
                broken("a missing spec", d -> d.replace("spec = agent-bcd.xml", "spec = missing.xml"), s -> s,
                        "spec missing.xml not found"),
                broken("a field class the codec does not support", d -> d, s -> s.replace("org.jpos.iso.IFB_LLHNUM\"/>\n  <isofield id=\"3\"",
                        "org.jpos.iso.IFB_AMOUNT\"/>\n  <isofield id=\"3\""), "field 2 uses org.jpos.iso.IFB_AMOUNT"),
                broken("a spec that is not valid XML", d -> d, s -> s.replace("</isopackager>", ""), "not a valid jPOS GenericPackager XML"),
                broken("a length its prefix cannot express", d -> d, s -> s.replace("length=\"19\" name=\"Primary account number\"",
                        "length=\"300\" name=\"Primary account number\""), "Length 300 too long for org.jpos.iso.IFB_LLHNUM"),
                broken("a field above 64 with a primary bitmap only", d -> d, s -> s.replace("<isofield id=\"1\" length=\"16\"",
                        "<isofield id=\"1\" length=\"8\""), "needs a secondary bitmap"),
                broken("sub-fields that do not fill a fixed parent", d -> d, s -> s.replace("<isofield id=\"3\" length=\"6\" name=\"Processing code\" pad=\"true\" class=\"org.jpos.iso.IFB_NUMERIC\"/>",
                        """
                                <isofieldpackager id="3" length="6" name="Processing code" pad="true" class="org.jpos.iso.IFB_NUMERIC" \
                                packager="org.jpos.iso.packager.GenericSubFieldPackager" emitBitmap="false">
                                <isofield id="1" length="2" name="transactionCode" class="org.jpos.iso.IFA_NUMERIC"/>
                                </isofieldpackager>"""), "must fill its 6 exactly"),
                broken("a sub-field name that is not an identifier", d -> d, s -> s.replace("name=\"originalTrace\"",
                        "name=\"original trace\""), "needs a name like 'batchNumber'"),
                broken("a match field the spec lacks", d -> d.replace("match.fields = 11 41", "match.fields = 11 44"), s -> s,
                        "match.fields names field 44"),
                broken("a MAC field of the wrong size", d -> d.replace("mac.bytes = 8", "mac.bytes = 4"), s -> s,
                        "must be a fixed binary field of 4 bytes"),
                broken("a MAC in field 64 that would not cover fields above 64", d -> d.replace("mac.field = 128", "mac.field = 64"),
                        s -> s.replace("<isofield id=\"64\"", "<isofield id=\"64\"").replace("  <isofield id=\"70\"",
                                "  <isofield id=\"64\" length=\"8\" name=\"MAC\" class=\"org.jpos.iso.IFB_BINARY\"/>\n  <isofield id=\"70\""),
                        "would not cover fields 65 to 128"),
                broken("an unknown MAC algorithm", d -> d.replace("mac.algorithm = sm4-cmac", "mac.algorithm = md5"), s -> s,
                        "unknown MAC algorithm 'md5'"),
                broken("no code for a format error", d -> d.replace("code.30 = FORMAT_ERROR\n", ""), s -> s,
                        "needs a code for FORMAT_ERROR"),
                broken("a MAC rule and no code to refuse a bad MAC", d -> d.replace("code.A0 = MAC_ERROR\n", ""), s -> s,
                        "needs a code for MAC_ERROR"),
                broken("sub-fields numbered with a gap of two", d -> d, s -> s.replace("<isofield id=\"3\" length=\"4\" name=\"originalDate\"",
                        "<isofield id=\"6\" length=\"4\" name=\"originalDate\"").replace("<isofield id=\"4\" length=\"6\" name=\"originalTime\"",
                        "<isofield id=\"7\" length=\"6\" name=\"originalTime\""), "numbered 1, 2, 3, ... without gaps"),
                broken("a mask that would show part of a PIN block", d -> d + "\nmask.pan = 52\n", s -> s, "always wholly hidden"),
                broken("a sub-field far out of sequence", d -> d, s -> s.replace("<isofield id=\"5\" length=\"10\" name=\"originalTransmissionDateTime\"",
                        "<isofield id=\"70\" length=\"10\" name=\"originalTransmissionDateTime\""), "numbered 1, 2, 3, ... without gaps"),
                broken("an unknown result code", d -> d.replace("code.51 = INSUFFICIENT_FUNDS", "code.51 = NO_MONEY"), s -> s,
                        "unknown result code 'NO_MONEY'"),
                broken("a message type the spec cannot write", d -> d.replace("message.credit = 0200 3=400000",
                        "message.credit = 0200 3=40000000"), s -> s, "message.credit: 3: 8 digits exceed the maximum of 6"),
                broken("an echo naming no message type", d -> d.replace("echo = echo", "echo = ping"), s -> s,
                        "echo names message type 'ping'"),
                broken("a charset that does not write ASCII as ASCII", d -> d.replace("charset = GBK", "charset = UTF-16"), s -> s,
                        "does not write ASCII as ASCII"),
                broken("a sign-on naming no message type", d -> d.replace("sign-on.message = sign-on", "sign-on.message = login"),
                        s -> s, "sign-on.message names message type 'login'"),
                broken("a working key in a field that holds no bytes", d -> d.replace("sign-on.mac-key = 62.1 62.2",
                        "sign-on.mac-key = 41 62.2"), s -> s, "sign-on.mac-key names 41, which does not hold bytes"),
                broken("a working key without its check value", d -> d.replace("sign-on.pin-key = 62.3 62.4",
                        "sign-on.pin-key = 62.3"), s -> s, "sign-on.pin-key names two sub-fields"),
                broken("working keys and no sign-on to carry them", d -> d.replace("sign-on.message = sign-on\n", ""), s -> s,
                        "sign-on.mac-key is set but sign-on.message is not"),
                broken("a frame limit above what the header can say", d -> d.replace("frame.bytes-max = 2048", "frame.bytes-max = 70000"),
                        s -> s, "frame bytes max must be"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenDialects")
    void brokenDialect_isRefused_sayingWhatIsWrongAndWhere(UnaryOperator<String> descriptor, UnaryOperator<String> spec,
                                                           String complaint) {
        write("broken.dialect.properties", descriptor.apply(builtIn("agent-bcd.dialect.properties")));
        write("agent-bcd.xml", spec.apply(builtIn("agent-bcd.xml")));
        write("agent-bcd-verification.xml", builtIn("agent-bcd-verification.xml"));

        assertThatThrownBy(() -> Dialects.fromDirectory(directory)).isInstanceOf(DialectException.class)
                .hasMessageContaining(complaint);
    }

    @Test
    void agentDialects_signOnForWorkingKeys_whereTheirAnswersCarryThem() {
        SignOn bcd = Dialects.builtIn().get("agent-bcd").signOn().orElseThrow();
        SignOn ascii = Dialects.builtIn().get("agent-ascii87").signOn().orElseThrow();

        assertThat(bcd.messageType()).isEqualTo("sign-on");
        assertThat(bcd.macKey()).isEqualTo(new SignOn.KeyField("62.1", "62.2"));
        assertThat(bcd.pinKey()).contains(new SignOn.KeyField("62.3", "62.4"));
        assertThat(ascii.macKey()).isEqualTo(new SignOn.KeyField("48.2", "48.3"));
        assertThat(ascii.pinKey()).isEmpty();
        assertThat(Dialects.builtIn().get("cup-pos").signOn()).as("the gateway is the terminals' host there").isEmpty();
    }

    @Test
    void describedMessage_saysWhenItsValuesAreMasked_andAMaskedOneIsNotEncoded() {
        Dialect cup = Dialects.builtIn().get("cup-pos");
        IsoMessage withCard = cup.newMessage("balance-inquiry").set(2, "6228480402564890018").set(11, "000001").set(41, "12345678");
        IsoMessage withoutCard = cup.newMessage("echo").set(11, "000001").set(41, "12345678");

        Map<String, Object> masked = cup.describe(withCard, false);

        assertThat(masked).containsEntry("masked", true);
        assertThat(cup.describe(withCard, true)).doesNotContainKey("masked");
        assertThat(cup.describe(withoutCard, false)).doesNotContainKey("masked");
        Dialect bank = Dialects.builtIn().get("agent-ascii87");
        assertThat(bank.describe(bank.newMessage("key-exchange").set(11, "000001"), false)).as("48.1 is not masked")
                .doesNotContainKey("masked");
        assertThatThrownBy(() -> cup.fromDescription(masked)).isInstanceOf(MessageEncodingException.class)
                .hasMessageStartingWith("masked:");
    }

    @Test
    void fieldWithSubFieldsSetAsOneValue_isHiddenWhenAnyOfItsSubFieldsIsMasked() {
        Dialect bank = Dialects.builtIn().get("agent-ascii87");
        IsoMessage verification = bank.newMessage("account-verification").set(11, "000001").set(48, "0111010519491231002X张三");

        Map<String, Object> described = bank.describe(verification, false);

        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) described.get("fields");
        assertThat((String) fields.get("48")).matches("\\*+");
        assertThat(bank.dump(verification)).doesNotContain("11010519491231002X").doesNotContain("张三");
    }

    @Test
    void sm4Twin_differsOnlyWhereItsOverrideSays_aSixteenBytePinBlock() {
        Dialect des = Dialects.builtIn().get("cup-pos");
        Dialect sm4 = Dialects.builtIn().get("cup-pos-sm4");
        IsoMessage inquiry = sm4.newMessage("balance-inquiry").set(11, "000001").set(41, "12345678").setBytes(52, new byte[16]);

        assertThat(sm4.decode(sm4.encode(inquiry)).getBytes(52)).hasSize(16);
        assertThatThrownBy(() -> des.encode(inquiry)).isInstanceOf(MessageEncodingException.class)
                .hasMessage("52: exactly 8 bytes, not 16");
        assertThat(sm4.macRule().orElseThrow().algorithm()).isNotEqualTo(des.macRule().orElseThrow().algorithm());
    }

    @Test
    void messageCarryingAMacField_isSignedWhenAKeyIsGiven_evenWhereItsMtiNeedsNoMac() {
        Dialect cup = Dialects.builtIn().get("cup-pos");
        SymmetricKey key = SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789ABCDEFFEDCBA9876543210");
        IsoMessage signOn = cup.newMessage("sign-on").set(11, "000001").set(41, "12345678").setBytes(64, new byte[8]);

        IsoMessage read = cup.decode(cup.encode(signOn, key));

        assertThat(cup.checkMac(read, MacKeys.single(key))).isEqualTo(MacCheck.VALID);
        assertThat(cup.decode(cup.encode(signOn.copy().unset(64), key)).has(64)).as("not required, not present: none added").isFalse();
    }

    private static Arguments broken(String name, UnaryOperator<String> descriptor, UnaryOperator<String> spec, String complaint) {
        return Arguments.of(Named.of(name, descriptor), spec, complaint);
    }

    private void write(String file, String content) {
        try {
            Files.writeString(directory.resolve(file), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String builtIn(String file) {
        try (InputStream in = Dialects.class.getResourceAsStream("/cn/onecard/iso8583/dialects/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
