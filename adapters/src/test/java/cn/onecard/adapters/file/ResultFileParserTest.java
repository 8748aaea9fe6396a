package cn.onecard.adapters.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResultFileParserTest {

    private static final Charset GBK = Charset.forName("GBK");

    static ResultFile parse(FileLayout layout, byte[] file) throws Exception {
        return new ResultFileParser(layout, Fixtures.UNIT_NUMBER).parse(new ByteArrayInputStream(file));
    }

    private static final String[] LYB_GOLDEN = {
            "4103000001|20261123|3|1324.61|F20261123LYB0001|0|0000",
            "L2611230000000000001|6225768888888888|90.00|0|0000|交易成功",
            "L2611230000000000002|6217000010001234563|1234.56|1|E001|户名不符",
            "L2611230000000000003|6228480000000000005|0.05|1|E008|记录重复"};

    /** The golden LYB result with line {@code index} (0 = summary) replaced. */
    private static byte[] lyb(int index, String line) {
        String[] lines = LYB_GOLDEN.clone();
        lines[index] = line;
        return lyb(lines);
    }

    private static byte[] lyb(String... lines) {
        return (String.join("\r\n", lines) + "\r\n").getBytes(GBK);
    }

    private static List<byte[]> abcGoldenLines() {
        byte[] file = Fixtures.golden("ABC20261123F20261123ABC0001.ret");
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < file.length; i++) {
            if (file[i] == '\n') {
                lines.add(Arrays.copyOfRange(file, start, i));
                start = i + 1;
            }
        }
        return lines;
    }

    private static byte[] abc(List<byte[]> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            out.writeBytes(line);
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** The golden ABC result with bytes {@code from} (1-based, as in the docs' tables) of line {@code index} replaced. */
    private static byte[] abcAt(int index, int from, String replacement) {
        return abcAt(index, from, replacement.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] abcAt(int index, int from, byte[] bytes) {
        List<byte[]> lines = abcGoldenLines();
        byte[] line = lines.get(index).clone();
        System.arraycopy(bytes, 0, line, from - 1, bytes.length);
        lines.set(index, line);
        return abc(lines);
    }

    private static byte[] abcEdited(UnaryOperator<List<byte[]>> edit) {
        return abc(edit.apply(new ArrayList<>(abcGoldenLines())));
    }

    @Test
    void lybGolden_readsAsTheTableSays() throws Exception {
        ResultFile result = parse(Fixtures.lyb(), Fixtures.golden("LYBRET_20261123_F20261123LYB0001.txt"));
        assertThat(result.fileId()).isEqualTo("F20261123LYB0001");
        assertThat(result.date()).isEqualTo(LocalDate.of(2026, 11, 23));
        assertThat(result.refused()).isFalse();
        assertThat(result.fileReason()).isEqualTo("0000");
        assertThat(result.records()).containsExactly(
                new ResultFile.Record(2, "L2611230000000000001", 9000, true, "0000"),
                new ResultFile.Record(3, "L2611230000000000002", 123456, false, "E001"),
                new ResultFile.Record(4, "L2611230000000000003", 5, false, "E008"));
    }

    @Test
    void abcGolden_readsAsTheTableSays() throws Exception {
        ResultFile result = parse(Fixtures.abc(), Fixtures.golden("ABC20261123F20261123ABC0001.ret"));
        assertThat(result.fileId()).isEqualTo("F20261123ABC0001");
        assertThat(result.date()).isEqualTo(LocalDate.of(2026, 11, 23));
        assertThat(result.refused()).isFalse();
        assertThat(result.records()).containsExactly(
                new ResultFile.Record(2, "L2611230000000000001", 9000, true, "0000"),
                new ResultFile.Record(3, "L2611230000000000002", 123456, false, "3001"),
                new ResultFile.Record(4, "L2611230000000000003", 5, false, "3007"));
    }

    @Test
    void wholeFileRefusal_isRecognisedInBothLayouts() throws Exception {
        ResultFile lyb = parse(Fixtures.lyb(), Fixtures.golden("LYBRET_20261123_F20261123LYB0002.txt"));
        assertThat(lyb.refused()).isTrue();
        assertThat(lyb.fileReason()).isEqualTo("F001");
        assertThat(lyb.records()).isEmpty();
        ResultFile abc = parse(Fixtures.abc(), Fixtures.golden("ABC20261123F20261123ABC0002.ret"));
        assertThat(abc.refused()).isTrue();
        assertThat(abc.fileReason()).isEqualTo("9001");
        assertThat(abc.fileId()).isEqualTo("F20261123ABC0002");
    }

    @Test
    void nameThatIsNotValidInTheEncoding_isRefusedAtTheNameField() {
        Properties descriptor = new Properties();
        try (InputStream in = FileLayouts.class.getResourceAsStream("/cn/onecard/adapters/file/layouts/lyb.layout.properties")) {
            descriptor.putAll(FileLayouts.properties(in, "lyb"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        descriptor.setProperty("result.detail", "reference:A20 name:A30 amount recordStatus:A1 reasonCode:A4");
        FileLayout withNames = LayoutLoader.load("lyb-names", "lyb-names.layout.properties", descriptor);
        byte[] file = withBytes(lyb("4103000001|20261123|1|90.00|F1|0|0000", "L2611230000000000001|张三|90.00|0|0000"),
                "三", new byte[]{(byte) 0xFF, (byte) 0xFF});
        assertThatThrownBy(() -> parse(withNames, file)).isInstanceOfSatisfying(ResultFileException.class, e -> {
            assertThat(e.lineNumber()).isEqualTo(2);
            assertThat(e.field()).isEqualTo("name");
            assertThat(e.getMessage()).isEqualTo("line 2, field name: not valid GBK").doesNotContain("张");
        });
    }

    @Test
    void codeTheTableDoesNotKnow_isReadEitherWay() throws Exception {
        byte[] file = lyb(3, "L2611230000000000003|6228480000000000005|0.05|1|E555|新代码");
        assertThat(parse(Fixtures.lyb(), file).records().get(2).reasonCode()).isEqualTo("E555");
    }

    @Test
    void lastLineWithoutItsEnding_isAccepted() throws Exception {
        byte[] golden = Fixtures.golden("LYBRET_20261123_F20261123LYB0001.txt");
        assertThat(parse(Fixtures.lyb(), Arrays.copyOf(golden, golden.length - 2)).records()).hasSize(3);
    }

    @Test
    void thousandsOfRecords_streamThrough() throws Exception {
        StringBuilder file = new StringBuilder();
        long total = 0;
        List<String> details = new ArrayList<>();
        for (int i = 1; i <= 20_000; i++) {
            details.add(String.format("L261123%013d|6225768888888888|%s|0|0000|交易成功", i, Amounts.yuan(i)));
            total += i;
        }
        file.append("4103000001|20261123|20000|").append(Amounts.yuan(total)).append("|BIG1|0|0000\r\n");
        details.forEach(line -> file.append(line).append("\r\n"));
        ResultFile result = parse(Fixtures.lyb(), file.toString().getBytes(GBK));
        assertThat(result.records()).hasSize(20_000);
        assertThat(result.records().getLast().amountFen()).isEqualTo(20_000);
    }

    private static byte[] withBytes(byte[] file, String marker, byte[] replacement) {
        byte[] target = marker.getBytes(GBK);
        for (int i = 0; i + target.length <= file.length; i++) {
            if (Arrays.equals(file, i, i + target.length, target, 0, target.length)) {
                byte[] out = new byte[file.length - target.length + replacement.length];
                System.arraycopy(file, 0, out, 0, i);
                System.arraycopy(replacement, 0, out, i, replacement.length);
                System.arraycopy(file, i + target.length, out, i + replacement.length, file.length - i - target.length);
                return out;
            }
        }
        throw new IllegalArgumentException("marker not found");
    }

    /** name, layout, file, line, field, a value that must not appear in the message. */
    static Stream<Arguments> refusals() {
        return Stream.of(
                refusal("lyb: too few fields", "lyb", lyb(1, "L2611230000000000001|6225768888888888|90.00|0|0000"), 2, "line", "6225768888888888"),
                refusal("lyb: too many fields", "lyb", lyb(1, LYB_GOLDEN[1] + "|extra"), 2, "line", "6225768888888888"),
                refusal("lyb: amount with one decimal", "lyb", lyb(1, "L2611230000000000001|6225768888888888|90.1|0|0000|交易成功"), 2, "amount", "90.1"),
                refusal("lyb: amount with three decimals", "lyb", lyb(1, "L2611230000000000001|6225768888888888|90.001|0|0000|交易成功"), 2, "amount", "90.001"),
                refusal("lyb: negative amount", "lyb", lyb(1, "L2611230000000000001|6225768888888888|-1.00|0|0000|交易成功"), 2, "amount", "-1.00"),
                refusal("lyb: amount with a plus sign", "lyb", lyb(1, "L2611230000000000001|6225768888888888|+1.00|0|0000|交易成功"), 2, "amount", "+1.00"),
                refusal("lyb: amount that overflows", "lyb", lyb(1, "L2611230000000000001|6225768888888888|92233720368547758.07|0|0000|交易成功"), 2, "amount", "9223372036854775807"),
                refusal("lyb: zero amount", "lyb", lyb(1, "L2611230000000000001|6225768888888888|0.00|0|0000|交易成功"), 2, "amount", null),
                refusal("lyb: count disagrees with the records", "lyb", lyb(0, "4103000001|20261123|4|1324.61|F20261123LYB0001|0|0000"), 1, "count", null),
                refusal("lyb: total disagrees with the records", "lyb", lyb(0, "4103000001|20261123|3|1324.60|F20261123LYB0001|0|0000"), 1, "totalAmount", "1324.60"),
                refusal("lyb: count that is not digits", "lyb", lyb(0, "4103000001|20261123|3a|1324.61|F20261123LYB0001|0|0000"), 1, "count", "3a"),
                refusal("lyb: reason text that is not GBK", "lyb", withBytes(lyb(LYB_GOLDEN), "户名不符", new byte[]{'x', (byte) 0x81, ' ', 'y'}), 3, "reasonText", null),
                refusal("lyb: bare LF line ending", "lyb", (LYB_GOLDEN[0] + "\r\n" + LYB_GOLDEN[1] + "\n" + LYB_GOLDEN[2] + "\r\n" + LYB_GOLDEN[3] + "\r\n").getBytes(GBK), 2, "line", null),
                refusal("lyb: unknown record status", "lyb", lyb(1, "L2611230000000000001|6225768888888888|90.00|2|0000|交易成功"), 2, "recordStatus", null),
                refusal("lyb: paid status with a failure code", "lyb", lyb(2, "L2611230000000000002|6217000010001234563|1234.56|0|E001|户名不符"), 3, "reasonCode", null),
                refusal("lyb: not-paid status with the paid code", "lyb", lyb(1, "L2611230000000000001|6225768888888888|90.00|1|0000|交易成功"), 2, "reasonCode", null),
                refusal("lyb: empty reason code", "lyb", lyb(2, "L2611230000000000002|6217000010001234563|1234.56|1||户名不符"), 3, "reasonCode", null),
                refusal("lyb: the same reference twice", "lyb", lyb(2, "L2611230000000000001|6217000010001234563|1234.56|1|E001|户名不符"), 3, "reference", "L2611230000000000001"),
                refusal("lyb: reference of the wrong shape", "lyb", lyb(1, "l2611230000000000001|6225768888888888|90.00|0|0000|交易成功"), 2, "reference", "l2611230000000000001"),
                refusal("lyb: another unit number", "lyb", lyb(0, "4103000002|20261123|3|1324.61|F20261123LYB0001|0|0000"), 1, "unitNumber", "4103000002"),
                refusal("lyb: date that does not exist", "lyb", lyb(0, "4103000001|20261131|3|1324.61|F20261123LYB0001|0|0000"), 1, "date", "20261131"),
                refusal("lyb: account that is not digits", "lyb", lyb(1, "L2611230000000000001|62257688888888X8|90.00|0|0000|交易成功"), 2, "account", "62257688888888X8"),
                refusal("lyb: account longer than its field", "lyb", lyb(1, "L2611230000000000001|62257688888888880000|90.00|0|0000|交易成功"), 2, "account", "62257688888888880000"),
                refusal("lyb: control character in a text", "lyb", lyb(1, "L2611230000000000001|6225768888888888|90.00|0|0000|交易\t成功"), 2, "reasonText", null),
                refusal("lyb: unknown file status", "lyb", lyb(0, "4103000001|20261123|3|1324.61|F20261123LYB0001|9|0000"), 1, "fileStatus", null),
                refusal("lyb: processed file with a refusal reason", "lyb", lyb(0, "4103000001|20261123|3|1324.61|F20261123LYB0001|0|F001"), 1, "fileReason", null),
                refusal("lyb: refused file with the processed reason", "lyb", lyb("4103000001|20261123|0|0.00|F20261123LYB0002|1|0000"), 1, "fileReason", null),
                refusal("lyb: refused file with records", "lyb", lyb("4103000001|20261123|1|90.00|F20261123LYB0002|1|F001",
                        "L2611230000000000001|6225768888888888|90.00|1|E099|其他错误"), 2, "line", null),
                refusal("lyb: file id of the wrong shape", "lyb", lyb(0, "4103000001|20261123|3|1324.61|F-20261123|0|0000"), 1, "fileId", "F-20261123"),
                refusal("lyb: empty file", "lyb", new byte[0], 1, "line", null),
                refusal("lyb: empty line at the end", "lyb", (String.join("\r\n", LYB_GOLDEN) + "\r\n\r\n").getBytes(GBK), 5, "line", null),
                refusal("lyb: a line too long", "lyb", lyb(1, LYB_GOLDEN[1] + "x".repeat(5000)), 2, "line", null),

                refusal("abc: detail one byte short", "abc", abcEdited(lines -> {
                    lines.set(2, Arrays.copyOf(lines.get(2), 127));
                    return lines;
                }), 3, "line", null),
                refusal("abc: trailer count differs from the header's", "abc", abcAt(4, 2, "00000002"), 5, "count", null),
                refusal("abc: trailer total differs from the header's", "abc", abcAt(4, 10, "000000000132460"), 5, "totalAmount", null),
                refusal("abc: header total disagrees with the records", "abc", abcAt(0, 50, "000000000132460"), 1, "totalAmount", null),
                refusal("abc: paid count wrong", "abc", abcAt(4, 25, "00000002"), 5, "paidCount", null),
                refusal("abc: paid total wrong", "abc", abcAt(4, 33, "000000000009001"), 5, "paidTotal", null),
                refusal("abc: trailer missing", "abc", abcEdited(lines -> List.of(lines.getFirst())), 2, "line", null),
                refusal("abc: detail where the trailer belongs", "abc", abcEdited(lines -> lines.subList(0, 4)), 4, "line", null),
                refusal("abc: wrong record type", "abc", abcAt(1, 1, "X"), 2, "recordType", null),
                refusal("abc: space inside an amount", "abc", abcAt(1, 49, "000000 00009000"), 2, "amount", null),
                refusal("abc: reason text cut inside a character", "abc", abcAt(1, 127, new byte[]{(byte) 0xE6, (byte) 0x88}), 2, "reasonText", null),
                refusal("abc: CR LF in an LF file", "abc", abcEdited(lines -> {
                    byte[] withCr = Arrays.copyOf(lines.get(1), lines.get(1).length + 1);
                    withCr[withCr.length - 1] = '\r';
                    lines.set(1, withCr);
                    return lines;
                }), 2, "line", null),
                refusal("abc: unknown file status", "abc", abcAt(0, 65, "X"), 1, "fileStatus", null),
                refusal("abc: sequence not digits", "abc", abcAt(2, 2, "0000000A"), 3, "sequence", null),
                refusal("abc: reference with a space in it", "abc", abcAt(3, 10, "L26112300000000003 "), 4, "reference", null));
    }

    private static Arguments refusal(String name, String layout, byte[] file, int line, String field, String secret) {
        return Arguments.of(name, layout, file, line, field, secret);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void parse_refusesNamingLineAndFieldNeverTheValue(String name, String layout, byte[] file, int line, String field,
                                                       String secret) {
        assertThatThrownBy(() -> parse(FileLayouts.builtIn().get(layout), file))
                .isInstanceOfSatisfying(ResultFileException.class, e -> {
                    assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
                    assertThat(e.lineNumber()).as(e.getMessage()).isEqualTo(line);
                    assertThat(e.getMessage()).startsWith("line " + line + ", ");
                    if (secret != null) {
                        assertThat(e.getMessage()).doesNotContain(secret);
                    }
                });
    }
}
