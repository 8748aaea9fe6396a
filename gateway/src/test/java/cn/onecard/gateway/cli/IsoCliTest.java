package cn.onecard.gateway.cli;

import static cn.onecard.gateway.cli.CryptoCliTest.assertOneLineRefusal;
import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.Dialects;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.MacCheck;
import cn.onecard.iso8583.MacKeys;
import cn.onecard.iso8583.MacRule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

class IsoCliTest {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PAN = "6228480402564890018";
    private static final String TRACK_2 = PAN + "=4912120";
    private static final String PIN_BLOCK = "123456789ABCDEF0";
    private static final Dialect CUP_POS = Dialects.builtIn().get("cup-pos");

    @TempDir
    Path directory;

    private CliRunner cli;

    @BeforeEach
    void setUp() {
        cli = new CliRunner(directory);
    }

    // ------------------------------------------------------------------ decode

    @Test
    void decode_printsTheMessageAsJson_withCardNumberTrackAndPinBlockMasked() {
        IsoMessage message = cupPosBalanceInquiry();
        String frame = HEX.formatHex(CUP_POS.encode(message)).toLowerCase();
        String spaced = frame.substring(0, 10) + " " + frame.substring(10, 40) + "\n" + frame.substring(40) + "\n";

        CliRunner.Result result = cli.runWithInput(ascii(spaced), "iso8583", "decode", "--dialect", "cup-pos");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stderr()).isEmpty();
        Map<String, Object> json = parse(result.out());
        assertThat(json).isEqualTo(CUP_POS.describe(message, false));
        assertThat(json.keySet()).containsExactly("dialect", "masked", "tpdu", "header", "mti", "fields");
        assertThat(json.get("masked")).isEqualTo(true);
        Map<String, Object> fields = members(json, "fields");
        assertThat(fields.keySet()).containsExactly("2", "3", "11", "22", "25", "26", "35", "41", "42", "49", "52", "53", "60", "64");
        assertThat(fields.get("2")).isEqualTo("622848*********0018");
        assertThat(fields.get("35")).isEqualTo("*".repeat(TRACK_2.length()));
        assertThat(fields.get("52")).isEqualTo("*".repeat(16));
        assertThat(fields).containsEntry("3", "310000").containsEntry("41", "12345678").containsEntry("64", "0102030405060708");
        assertThat(members(fields, "60")).containsExactly(Map.entry("transactionType", "01"), Map.entry("batchNumber", "000001"),
                Map.entry("networkManagementCode", "000"));
        assertThat(result.out()).doesNotContain(PAN).doesNotContain(PIN_BLOCK)
                .startsWith("{\n  \"dialect\": \"cup-pos\",\n  \"masked\": true,\n  \"tpdu\": \"6000050000\",\n").endsWith("}\n");
    }

    @Test
    void decode_withReveal_printsClearValues_thatReadBackAsTheSameMessage() {
        IsoMessage message = cupPosBalanceInquiry();

        CliRunner.Result result = cli.runWithInput(ascii(HEX.formatHex(CUP_POS.encode(message))), "iso8583", "decode",
                "--dialect", "cup-pos", "--reveal");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        Map<String, Object> fields = members(parse(result.out()), "fields");
        assertThat(fields).containsEntry("2", PAN).containsEntry("35", TRACK_2).containsEntry("52", PIN_BLOCK);
        assertThat(CUP_POS.fromDescription(parse(result.out()))).isEqualTo(message);
    }

    @Test
    void decode_readsAFrameFromAFile_andWritesTheJsonToAFile() throws IOException {
        Files.writeString(directory.resolve("frame.hex"), HEX.formatHex(CUP_POS.encode(cupPosBalanceInquiry())) + "\n");

        CliRunner.Result result = cli.run("iso8583", "decode", "--dialect", "cup-pos", "--in", "frame.hex", "--out", "message.json");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).isEmpty();
        assertThat(parse(Files.readString(directory.resolve("message.json")))).isEqualTo(CUP_POS.describe(cupPosBalanceInquiry(), false));
    }

    static Stream<Arguments> garbledFrames() {
        String frame = HEX.formatHex(CUP_POS.encode(cupPosBalanceInquiry()));
        String track = "6228480402564890018D4912120";
        assertThat(frame).containsOnlyOnce(track).startsWith("0073");
        byte[] bytes = HEX.parseHex(frame);
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 4);
        truncated[1] = (byte) (truncated.length - 2);
        return Stream.of(
                Arguments.of(Named.of("a nibble that is not BCD in the track", frame.replace(track, "6228480402564890018D49121B0")),
                        "35: holds a nibble that is not a decimal digit"),
                Arguments.of(Named.of("a length header that disagrees with the bytes", "0074" + frame.substring(4)),
                        "frame: length header says 116 bytes, 115 follow"),
                Arguments.of(Named.of("a frame cut short, length header and all", HEX.formatHex(truncated)),
                        "64: needs 8 bytes, 4 left"),
                Arguments.of(Named.of("a frame cut in its length header", "00"), "frame: shorter than its length header"),
                Arguments.of(Named.of("a character that is not hex", frame.substring(0, 60) + "G" + frame.substring(61)),
                        "frame is not hex: line 1, column 61 is not a hex digit"),
                Arguments.of(Named.of("an odd number of digits", frame + "0"), "frame is not hex: it has an odd number of hex digits"),
                Arguments.of(Named.of("nothing", "\n"), "no frame in the input"),
                Arguments.of(Named.of("more than 1 MiB", frame + "0".repeat(1024 * 1024)), "input is larger than 1 MiB"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbledFrames")
    void decode_ofAGarbledFrame_isOneLineNamingWhere_andNeverTheCardNumber(String input, String reason) {
        CliRunner.Result result = cli.runWithInput(ascii(input), "iso8583", "decode", "--dialect", "cup-pos", "--reveal");

        assertOneLineRefusal(result, 2, "onecard iso8583 decode: " + reason);
        assertThat(result.stdout()).isEmpty();
        assertThat(result.stderr()).doesNotContain(PAN);
    }

    @Test
    void decode_withAnUnknownDialect_namesTheKnownOnes() {
        CliRunner.Result result = cli.runWithInput(ascii("0000"), "iso8583", "decode", "--dialect", "no-such-bank");

        assertOneLineRefusal(result, 2, "unknown dialect 'no-such-bank'; known: agent-ascii87, agent-bcd, cup-pos, cup-pos-sm4");
    }

    // ------------------------------------------------------------------ encode

    static Stream<Arguments> messages() {
        return Stream.of(
                message("cup-pos", "balance inquiry, PIN block and MAC", IsoCliTest::cupPosBalanceInquiry),
                message("cup-pos-sm4", "sign-on response with working keys", IsoCliTest::cupPosSm4SignOnResponse),
                message("agent-ascii87", "credit", IsoCliTest::agentAscii87Credit),
                message("agent-ascii87", "account verification, GBK holder name", IsoCliTest::agentAscii87Verification),
                message("agent-bcd", "account verification, GBK holder name", IsoCliTest::agentBcdVerification),
                message("agent-bcd", "reversal with original data", IsoCliTest::agentBcdReversal));
    }

    private static Arguments message(String dialect, String what, Supplier<IsoMessage> message) {
        return Arguments.of(Named.of(dialect + " " + what, dialect), message.get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void encode_ofWhatDecodeRevealed_givesBackTheSameFrame(String dialectName, IsoMessage message) {
        String frame = HEX.formatHex(Dialects.builtIn().get(dialectName).encode(message));

        CliRunner.Result decoded = cli.runWithInput(ascii(frame), "iso8583", "decode", "--dialect", dialectName, "--reveal");
        CliRunner.Result encoded = cli.runWithInput(decoded.stdout(), "iso8583", "encode", "--dialect", dialectName);

        assertThat(decoded.exitCode()).as(decoded.stderr()).isZero();
        assertThat(encoded.exitCode()).as(encoded.stderr()).isZero();
        assertThat(encoded.out()).isEqualTo(frame + "\n");
    }

    static Stream<Arguments> macKeys() {
        return Stream.of(
                Arguments.of(Named.of("cup-pos", cupPosBalanceInquiry()), "cup-pos", "0123456789abcdeffedcba9876543210"),
                Arguments.of(Named.of("cup-pos-sm4", cupPosBalanceInquiry().setBytes(52, HEX.parseHex(PIN_BLOCK + PIN_BLOCK))),
                        "cup-pos-sm4", "0123456789abcdeffedcba9876543210"),
                Arguments.of(Named.of("agent-ascii87", agentAscii87Credit()), "agent-ascii87", "0123456789abcdeffedcba9876543210"),
                Arguments.of(Named.of("agent-bcd", agentBcdVerification()), "agent-bcd", "00112233445566778899aabbccddeeff"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("macKeys")
    void encode_withAMacKeyFile_computesTheMac(IsoMessage message, String dialectName, String keyHex) throws IOException {
        Dialect dialect = Dialects.builtIn().get(dialectName);
        MacRule rule = dialect.macRule().orElseThrow();
        byte[] placeholder = new byte[rule.macBytes()];
        message.setBytes(rule.field(), placeholder);
        Files.writeString(directory.resolve("mak.hex"), keyHex + "\n");
        String json = JSON.writeValueAsString(dialect.describe(message, true));

        CliRunner.Result result = cli.runWithInput(ascii(json), "iso8583", "encode", "--dialect", dialectName, "--mac-key-file", "mak.hex");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        IsoMessage sent = dialect.decode(HEX.parseHex(result.out().strip()));
        SymmetricKey key = SymmetricKey.fromHex(rule.algorithm().keyAlgorithmFor(keyHex.length() / 2), keyHex);
        assertThat(sent.getBytes(rule.field())).isNotEqualTo(placeholder);
        assertThat(dialect.checkMac(sent, MacKeys.single(key))).isEqualTo(MacCheck.VALID);
        assertThat(sent.copy().unset(rule.field())).isEqualTo(message.copy().unset(rule.field()));
    }

    @Test
    void encode_withoutAMacKey_writesTheMacTheJsonHolds() {
        IsoMessage message = cupPosBalanceInquiry();
        String json = JSON.writeValueAsString(CUP_POS.describe(message, true));

        CliRunner.Result result = cli.runWithInput(ascii(json), "iso8583", "encode", "--dialect", "cup-pos");

        assertThat(result.out()).isEqualTo(HEX.formatHex(CUP_POS.encode(message)) + "\n");
        assertThat(CUP_POS.decode(HEX.parseHex(result.out().strip())).getBytes(64)).isEqualTo(HEX.parseHex("0102030405060708"));
    }

    @Test
    void encode_refusesBadJson_inOneLine_withoutEchoingValues() {
        assertOneLineRefusal(encode("{\"mti\": \"0200\", \"fields\": {\"2\": " + PAN + "x}}"), 2, "not valid JSON (line 1, column ");
        assertOneLineRefusal(encode("{\"mti\": \"0200\", \"mti\": \"0210\"}"), 2, "names a member twice");
        assertOneLineRefusal(encode("{\"mti\": \"0200\"} {}"), 2, "not valid JSON");
        assertOneLineRefusal(encode("[\"0200\"]"), 2, "the JSON is not an object");
        assertOneLineRefusal(encode(""), 2, "no message in the input");
        assertOneLineRefusal(encode("{\"mti\": \"0200\", \"fields\": {\"2\": " + PAN + "}}"), 2, "2: values are strings");
        for (String json : List.of("{\"mti\": \"0200\", \"fields\": {\"2\": " + PAN + "x}}", "{\"mti\": \"0200\", \"fields\": {\"2\": " + PAN + "}}")) {
            assertThat(encode(json).stderr()).doesNotContain(PAN);
        }
    }

    @Test
    void encode_refusesWhatTheDialectCannotWrite_namingTheField() {
        assertOneLineRefusal(encode("{\"mti\": \"0200\", \"fields\": {\"99\": \"1\"}}"), 2,
                "onecard iso8583 encode: 99: not defined by dialect cup-pos for MTI 0200");
        assertOneLineRefusal(encode("{\"mti\": \"0200\", \"fields\": {\"60\": {\"batch\": \"1\"}}}"), 2, "60.batch: no such sub-field");
        assertOneLineRefusal(encode("{\"mti\": \"0200\", \"extra\": \"1\"}"), 2, "extra: unknown member");
        assertOneLineRefusal(encode("{\"mti\": \"0200\", \"fields\": {\"2\": \"" + PAN + "1234\"}}"), 2,
                "2: 23 digits exceed the maximum of 19");
        assertThat(encode("{\"mti\": \"0200\", \"fields\": {\"2\": \"" + PAN + "1234\"}}").stderr()).doesNotContain(PAN);
    }

    @Test
    void encode_refusesMaskedValues_ratherThanWritingStars() {
        IsoMessage message = agentBcdVerification();
        Dialect agentBcd = Dialects.builtIn().get("agent-bcd");
        String masked = cli.runWithInput(ascii(HEX.formatHex(agentBcd.encode(message))), "iso8583", "decode", "--dialect", "agent-bcd").out();

        CliRunner.Result result = cli.runWithInput(ascii(masked), "iso8583", "encode", "--dialect", "agent-bcd");

        assertOneLineRefusal(result, 2, "masked: the description holds masked values");
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void encode_withABadMacKey_isRefused() {
        String json = JSON.writeValueAsString(CUP_POS.describe(cupPosBalanceInquiry(), true));

        assertOneLineRefusal(cli.runWithInput(ascii(json), "iso8583", "encode", "--dialect", "cup-pos", "--mac-key", "0123"), 2,
                "8, 16 or 24 bytes");
        assertOneLineRefusal(cli.runWithInput(ascii(json), "iso8583", "encode", "--dialect", "cup-pos", "--mac-key", "0123",
                "--mac-key-file", "mak.hex"), 2, "mutually exclusive");
        assertOneLineRefusal(cli.runWithInput(ascii(json), "iso8583", "encode", "--dialect", "cup-pos", "--mac-key-file", "none.hex"),
                2, "no such file");
    }

    @Test
    void encode_withAMacKey_forADialectWithoutMacs_isRefused() throws IOException {
        Path dialects = Files.createDirectory(directory.resolve("dialects"));
        copyAgentBcd(dialects, "plain-bank", line -> !line.startsWith("mac.") && !line.startsWith("sign-on."));
        Dialect plain = Dialects.fromDirectory(dialects).get("plain-bank");
        String json = JSON.writeValueAsString(plain.describe(agentBcdVerification().unset(128), true));

        CliRunner.Result withKey = cli.runWithInput(ascii(json), "iso8583", "encode", "--dialect", "plain-bank",
                "--dialect-dir", "dialects", "--mac-key", "00112233445566778899aabbccddeeff");
        CliRunner.Result withoutKey = cli.runWithInput(ascii(json), "iso8583", "encode", "--dialect", "plain-bank",
                "--dialect-dir", "dialects");

        assertOneLineRefusal(withKey, 2, "dialect plain-bank has no MAC rule");
        assertThat(withoutKey.exitCode()).as(withoutKey.stderr()).isZero();
        assertThat(withoutKey.out()).isEqualTo(HEX.formatHex(plain.encode(plain.fromDescription(parse(json)))) + "\n");
    }

    // ------------------------------------------------------------------ dialects

    @Test
    void dialects_listsTheBuiltInOnes_withTheirFraming() {
        CliRunner.Result result = cli.run("iso8583", "dialects");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).matches("NAME +LENGTH-HEADER +TPDU +HEADER +MAC +DESCRIPTION");
        assertThat(lines.get(1)).matches("agent-ascii87 +ascii-4 +0 +0 +x919 field 128 +Agent bank host, ISO 8583:1987 ASCII.*");
        assertThat(lines.get(2)).matches("agent-bcd +binary-2 +5 +0 +sm4-cmac field 128 +Agent bank host, binary .*");
        assertThat(lines.get(3)).matches("cup-pos +binary-2 +5 +6 +pos-ecb-des field 64 +UnionPay-style POS .*");
        assertThat(lines.get(4)).matches("cup-pos-sm4 +binary-2 +5 +6 +pos-ecb-sm4 field 64 +UnionPay-style POS .*");
        assertThat(lines.stream().map(line -> line.indexOf(line.split(" +")[4])).distinct()).as("the MAC column is aligned").hasSize(1);
    }

    @Test
    void dialects_withTypes_listsEachDialectsMessageTypesUnderIt() {
        CliRunner.Result result = cli.run("iso8583", "dialects", "--types");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        List<String> lines = result.out().lines().toList();
        int cupPos = indexOfMatch(lines, "cup-pos +binary-2 .*");
        int cupPosSm4 = indexOfMatch(lines, "cup-pos-sm4 +binary-2 .*");
        int balanceInquiry = indexOfMatch(lines.subList(cupPos, cupPosSm4), "  balance-inquiry +0200 +3=310000 25=00 60.1=01");
        assertThat(balanceInquiry).isPositive();
        assertThat(lines.subList(cupPos + 1, cupPosSm4)).hasSize(CUP_POS.messageTypes().size()).allMatch(line -> line.startsWith("  "));
        assertThat(lines).anyMatch(line -> line.matches("  sign-on +0800 +60.1=00 60.3=003"));
    }

    @Test
    void dialects_withADialectDirectory_listsTheOperatorsDialectsToo() throws IOException {
        Path dialects = Files.createDirectory(directory.resolve("banks"));
        copyAgentBcd(dialects, "my-bank", line -> true);

        CliRunner.Result listed = cli.run("iso8583", "dialects", "--types", "--dialect-dir", "banks");
        CliRunner.Result decoded = cli.runWithInput(ascii(HEX.formatHex(Dialects.builtIn().get("agent-bcd").encode(agentBcdVerification()))),
                "iso8583", "decode", "--dialect", "my-bank", "--dialect-dir", "banks");

        assertThat(listed.exitCode()).as(listed.stderr()).isZero();
        assertThat(listed.out().lines().filter(line -> !line.startsWith(" ")).map(line -> line.split(" +")[0]))
                .containsExactly("NAME", "agent-ascii87", "agent-bcd", "cup-pos", "cup-pos-sm4", "my-bank");
        assertThat(listed.out()).containsPattern("\nmy-bank +binary-2 +5 +0 +sm4-cmac field 128 +Agent bank host.*\n  account-verification +0100 +3=330000\n");
        assertThat(decoded.exitCode()).as(decoded.stderr()).isZero();
        assertThat(parse(decoded.out())).containsEntry("dialect", "my-bank");
    }

    @Test
    void aDialectDirectoryThatIsMissingEmptyOrRedefinesABuiltIn_isRefused() throws IOException {
        Path clash = Files.createDirectory(directory.resolve("clash"));
        copyAgentBcd(clash, "cup-pos", line -> true);
        Files.createDirectory(directory.resolve("empty"));

        assertOneLineRefusal(cli.run("iso8583", "dialects", "--dialect-dir", "nowhere"), 2, "does not exist");
        assertOneLineRefusal(cli.run("iso8583", "dialects", "--dialect-dir", "empty"), 2, "holds no NAME.dialect.properties");
        assertOneLineRefusal(cli.run("iso8583", "dialects", "--dialect-dir", "clash"), 2, "dialect cup-pos is defined twice");
    }

    @Test
    void iso8583_withoutASubcommand_printsItsUsage_andUnknownOnesAreRefused() {
        CliRunner.Result usage = cli.run("iso8583");

        assertThat(usage.exitCode()).isZero();
        assertThat(usage.out()).contains("decode", "encode", "dialects");
        assertOneLineRefusal(cli.run("iso8583", "frobnicate"), 2, "frobnicate");
        assertOneLineRefusal(cli.run("iso8583", "decode"), 2, "--dialect");
    }

    // ------------------------------------------------------------------ messages

    private static IsoMessage cupPosBalanceInquiry() {
        return CUP_POS.newMessage("balance-inquiry")
                .tpdu(HEX.parseHex("6000050000")).header(HEX.parseHex("603100000000"))
                .set(2, PAN).set(11, "000123").set(22, "021").set(26, "06").set(35, TRACK_2)
                .set(41, "12345678").set(42, "123456789012345").set(49, "156")
                .setBytes(52, HEX.parseHex(PIN_BLOCK)).set("53.1", "2").set("53.2", "6").set("53.3", "00000000000000")
                .set("60.2", "000001").set("60.3", "000")
                .setBytes(64, HEX.parseHex("0102030405060708"));
    }

    private static IsoMessage cupPosSm4SignOnResponse() {
        Dialect dialect = Dialects.builtIn().get("cup-pos-sm4");
        IsoMessage response = dialect.responseTo(dialect.newMessage("sign-on").set(11, "000007").set(41, "12345678")
                .set(42, "123456789012345").tpdu(HEX.parseHex("6000050000")));
        return response.set(39, "00").set("60.2", "000002")
                .setBytes("62.1", HEX.parseHex("00112233445566778899AABBCCDDEEFF")).setBytes("62.2", HEX.parseHex("01020304"))
                .setBytes("62.3", HEX.parseHex("FFEEDDCCBBAA99887766554433221100")).setBytes("62.4", HEX.parseHex("05060708"));
    }

    private static IsoMessage agentAscii87Credit() {
        return Dialects.builtIn().get("agent-ascii87").newMessage("credit")
                .set(2, PAN).set(4, "000000018000").set(7, "1123101530").set(11, "000042").set(32, "10000001")
                .set(41, "TERM0001").set(102, "6217000000000000001").set(103, PAN)
                .setBytes(128, HEX.parseHex("A1B2C3D4E5F60718"));
    }

    private static IsoMessage agentAscii87Verification() {
        return Dialects.builtIn().get("agent-ascii87").newMessage("account-verification")
                .set(2, PAN).set(7, "1123101530").set(11, "000043").set(32, "10000001").set(41, "TERM0001")
                .set("48.1", "01").set("48.2", "11010519491231002X").set("48.3", "张三")
                .setBytes(128, HEX.parseHex("0011223344556677"));
    }

    private static IsoMessage agentBcdVerification() {
        return Dialects.builtIn().get("agent-bcd").newMessage("account-verification")
                .tpdu(HEX.parseHex("6000010000")).set(2, PAN).set(11, "000045").set(41, "TERM0002")
                .set("48.1", "张三").set("48.2", "01").set("48.3", "11010519491231002X")
                .setBytes(128, HEX.parseHex("1122334455667788"));
    }

    private static IsoMessage agentBcdReversal() {
        return Dialects.builtIn().get("agent-bcd").newMessage("reversal")
                .tpdu(HEX.parseHex("6000010000")).set(2, PAN).set(4, "000000018000").set(7, "1123101530").set(11, "000046")
                .set(41, "TERM0002").set("61.1", "0200").set("61.2", "000045").set("61.3", "1123").set("61.4", "101530")
                .set("61.5", "1123101530").setBytes(128, HEX.parseHex("8877665544332211"));
    }

    // ------------------------------------------------------------------ helpers

    private CliRunner.Result encode(String json) {
        return cli.runWithInput(ascii(json), "iso8583", "encode", "--dialect", "cup-pos");
    }

    /** Writes agent-bcd's descriptor, with the lines {@code keep} accepts, and its specs into {@code target} as dialect {@code name}. */
    private static void copyAgentBcd(Path target, String name, java.util.function.Predicate<String> keep) throws IOException {
        String descriptor = new String(resource("agent-bcd.dialect.properties"), StandardCharsets.UTF_8);
        Files.writeString(target.resolve(name + ".dialect.properties"),
                descriptor.lines().filter(keep).collect(Collectors.joining("\n", "", "\n")));
        for (String spec : List.of("agent-bcd.xml", "agent-bcd-verification.xml")) {
            Files.write(target.resolve(spec), resource(spec));
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = Dialects.class.getResourceAsStream("/cn/onecard/iso8583/dialects/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static int indexOfMatch(List<String> lines, String regex) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches(regex)) {
                return i;
            }
        }
        return -1;
    }

    private static Map<String, Object> parse(String json) {
        return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> members(Map<String, Object> tree, String name) {
        return (Map<String, Object>) tree.get(name);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
