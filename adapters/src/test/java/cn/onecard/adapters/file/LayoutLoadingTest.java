package cn.onecard.adapters.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.adapters.BankOutcome;
import cn.onecard.iso8583.Disposition;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LayoutLoadingTest {

    private static Properties descriptor(String name) {
        try (InputStream in = FileLayouts.class.getResourceAsStream("/cn/onecard/adapters/file/layouts/" + name + ".layout.properties")) {
            Properties editable = new Properties();
            editable.putAll(FileLayouts.properties(in, name));
            return editable;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FileLayout load(String base, Consumer<Properties> change) {
        Properties properties = descriptor(base);
        change.accept(properties);
        return LayoutLoader.load("bank-x", "bank-x.layout.properties", properties);
    }

    @Test
    void builtIn_holdsLybAndAbcAsTheDocsDescribeThem() {
        assertThat(FileLayouts.builtIn().names()).containsExactly("abc", "lyb");
        LayoutSpec lyb = Fixtures.lyb().spec();
        assertThat(lyb.charset().name()).isEqualTo("GBK");
        assertThat(lyb.format()).isEqualTo(LayoutSpec.Format.DELIMITED);
        assertThat(lyb.separator()).isEqualTo('|');
        assertThat(lyb.amountUnit()).isEqualTo(LayoutSpec.AmountUnit.YUAN);
        assertThat(lyb.protection()).isEqualTo(LayoutSpec.Protection.SM4CBC_SM2SIG);
        assertThat(lyb.paymentDetail().fields()).hasSize(8);
        assertThat(lyb.resultHeader().fields()).hasSize(7);
        assertThat(lyb.resultDetail().fields()).hasSize(6);
        assertThat(lyb.codes().meaningOf("E008")).isEqualTo(BankOutcome.BANK_DUPLICATE_RECORD);
        assertThat(lyb.codes().meaningOf("E008").disposition()).isEqualTo(Disposition.UNKNOWN);
        assertThat(lyb.codes().textOf("E008")).isEqualTo("记录重复");
        assertThat(lyb.fileReasons().meaningOf("F002")).isEqualTo(BankOutcome.BANK_FILE_DATE_INVALID);
        assertThat(lyb.fileReasons().meaningOf("F004").disposition()).as("an unverified file does not take its id")
                .isEqualTo(Disposition.NOT_PROCESSED);

        LayoutSpec abc = Fixtures.abc().spec();
        assertThat(abc.charset()).isEqualTo(StandardCharsets.UTF_8);
        assertThat(abc.format()).isEqualTo(LayoutSpec.Format.FIXED);
        assertThat(abc.paymentHeader().widthBytes()).isEqualTo(64);
        assertThat(abc.paymentDetail().widthBytes()).isEqualTo(141);
        assertThat(abc.paymentTrailer().widthBytes()).isEqualTo(24);
        assertThat(abc.resultHeader().widthBytes()).isEqualTo(69);
        assertThat(abc.resultDetail().widthBytes()).isEqualTo(128);
        assertThat(abc.resultTrailer().widthBytes()).isEqualTo(47);
        assertThat(abc.codes().meaningOf("3005")).isEqualTo(BankOutcome.BANK_ACCOUNT_NOT_ACTIVATED);
        assertThat(abc.fileReasons().meaningOf("9001")).isEqualTo(BankOutcome.BANK_FILE_TOTALS_MISMATCH);
    }

    @Test
    void codeTable_unknownCodesAreUnknownAndUnmapped() {
        assertThat(Fixtures.lyb().spec().codes().meaningOf("E123")).isEqualTo(BankOutcome.BANK_CODE_UNMAPPED);
        assertThat(BankOutcome.BANK_CODE_UNMAPPED.disposition()).isEqualTo(Disposition.UNKNOWN);
        assertThat(Fixtures.lyb().spec().fileReasons().meaningOf("F123")).isEqualTo(BankOutcome.BANK_FILE_REASON_UNMAPPED);
        assertThat(BankOutcome.BANK_FILE_REASON_UNMAPPED.disposition()).isEqualTo(Disposition.UNKNOWN);
        assertThat(Fixtures.abc().spec().fileReasons().textOf("9003")).isEqualTo("envelope does not open or verify");
    }

    @Test
    void nameFromFileNames_recognisesPartsAndOnlyThem() {
        NamePattern lyb = Fixtures.lyb().spec().resultFile();
        assertThat(lyb.render("F1", "20261123", 1)).isEqualTo("LYBRET_20261123_F1.txt");
        assertThat(lyb.render("F1", "20261123", 2)).isEqualTo("LYBRET_20261123_F1_P2.txt");
        assertThat(lyb.parse("LYBRET_20261123_F1_P2.txt")).contains(new NamePattern.Parsed("F1", "20261123", 2));
        assertThat(lyb.parse("LYBRET_20261123_F1.txt")).contains(new NamePattern.Parsed("F1", "20261123", 1));
        assertThat(lyb.parse("LYBRET_20261123_F1_P1.txt")).isEmpty();
        assertThat(lyb.parse("LYBRET_20261123_F1_P0.txt")).isEmpty();
        assertThat(lyb.parse("LYBPAY_20261123_F1.txt")).isEmpty();
        assertThat(lyb.parse("LYBRET_20261123_F1.txt.part")).isEmpty();
        NamePattern abc = Fixtures.abc().spec().resultFile();
        assertThat(abc.parse("ABC20261123F20261123ABC0001_P3.ret")).contains(new NamePattern.Parsed("F20261123ABC0001", "20261123", 3));
        assertThat(Fixtures.abc().spec().paymentFile().render("F9", "20261123", 1)).isEqualTo("ABC20261123F9.dat");
    }

    @Test
    void fromDirectory_loadsAThirdBankByConfigurationAlone(@TempDir Path directory) throws IOException {
        String descriptor = """
                description = a third bank: comma-separated UTF-8, fen, envelope
                encoding = UTF-8
                line-ending = LF
                format = delimited
                separator = ,
                amount-unit = fen
                protection = envelope
                payment.file = XB_{fileId}_{date}.csv
                payment.header = kind=HDR fileId count totalAmount date
                payment.detail = kind=DTL sequence reference cardNumber:N19 name:A40:cut idNumber amount programCode
                payment.trailer = kind=END count
                result.file = XB_{fileId}_{date}{part}.res
                result.part = -{n}
                result.header = kind=HDR fileId count totalAmount fileStatus
                result.detail = kind=DTL reference amount recordStatus reasonCode filler
                result.file-status.processed = OK
                result.file-status.refused = NO
                result.record-status.paid = Y
                result.record-status.failed = N
                code.00 = PAID
                code.51 = BANK_ACCOUNT_FROZEN
                """;
        Files.writeString(directory.resolve("bank-x.layout.properties"), descriptor);
        FileLayouts layouts = FileLayouts.builtIn().with(FileLayouts.fromDirectory(directory));
        assertThat(layouts.names()).containsExactly("abc", "bank-x", "lyb");
        FileLayout layout = layouts.get("bank-x");
        assertThat(layout.spec().resultFile().parse("XB_F1_20261123-2.res")).contains(new NamePattern.Parsed("F1", "20261123", 2));
        assertThat(layout.spec().resultTrailer()).isNull();
        assertThatThrownBy(() -> layouts.with(FileLayouts.fromDirectory(directory)))
                .isInstanceOf(FileLayoutException.class).hasMessageContaining("bank-x is defined twice");
    }

    @Test
    void fromDirectory_refusesAnEmptyOrMissingDirectory(@TempDir Path directory) {
        assertThatThrownBy(() -> FileLayouts.fromDirectory(directory)).hasMessageContaining("holds no *.layout.properties");
        assertThatThrownBy(() -> FileLayouts.fromDirectory(directory.resolve("nope"))).hasMessageContaining("does not exist");
    }

    @Test
    void get_namesTheKnownLayoutsWhenTheNameIsUnknown() {
        assertThatThrownBy(() -> FileLayouts.builtIn().get("icbc"))
                .isInstanceOf(FileLayoutException.class).hasMessage("no layout named 'icbc'; known: abc, lyb");
    }

    @Test
    void properties_refuseAKeyGivenTwice() {
        byte[] text = "encoding = GBK\nencoding = UTF-8\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> FileLayouts.properties(new ByteArrayInputStream(text), "twice.layout.properties"))
                .hasMessage("twice.layout.properties: encoding: given twice");
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                refusal("unknown key", "lyb", p -> p.setProperty("result.detial", "x"), "result.detial: unknown key"),
                refusal("missing encoding", "lyb", p -> p.remove("encoding"), "encoding: required"),
                refusal("unknown charset", "lyb", p -> p.setProperty("encoding", "KLINGON"), "encoding: 'KLINGON' is not a charset"),
                refusal("charset that is not ASCII-compatible", "lyb", p -> p.setProperty("encoding", "UTF-16"),
                        "encoding: UTF-16 does not write ASCII as ASCII"),
                refusal("unknown line ending", "lyb", p -> p.setProperty("line-ending", "CR"), "line-ending: 'CR' is not one of crlf, lf"),
                refusal("unknown format", "lyb", p -> p.setProperty("format", "xml"), "format: 'xml' is not one of delimited, fixed"),
                refusal("delimited without separator", "lyb", p -> p.remove("separator"), "separator: required for a delimited layout"),
                refusal("separator that is a letter", "lyb", p -> p.setProperty("separator", "x"), "separator: one printable ASCII character"),
                refusal("fixed width with a separator", "abc", p -> p.setProperty("separator", "|"), "separator: a fixed-width layout has no separator"),
                refusal("unknown amount unit", "lyb", p -> p.setProperty("amount-unit", "jiao"), "amount-unit: 'jiao' is not one of fen, yuan"),
                refusal("unknown protection", "lyb", p -> p.setProperty("protection", "none"), "protection: 'none' is not one of envelope, sm4cbc-sm2sig"),
                refusal("padding in a delimited layout", "lyb", p -> p.setProperty("fixed.text", "left space"),
                        "fixed.text: padding belongs to fixed-width layouts"),
                refusal("bad padding", "abc", p -> p.setProperty("fixed.text", "centre space"), "fixed.text: expected 'left' or 'right'"),
                refusal("field syntax", "lyb", p -> p.setProperty("payment.detail", "reference:X20 amount cardNumber"),
                        "payment.detail: 'reference:X20' is not a field"),
                refusal("unknown bound value", "lyb", p -> p.setProperty("payment.detail", "reference amount cardNumber salary"),
                        "payment.detail: 'salary' is not a bound value"),
                refusal("binding in the wrong record", "lyb", p -> p.setProperty("payment.detail", "reference amount cardNumber fileStatus"),
                        "payment.detail: fileStatus does not belong in payment.detail"),
                refusal("binding twice", "lyb", p -> p.setProperty("payment.detail", "reference amount cardNumber amount"),
                        "payment.detail: amount is bound twice"),
                refusal("constant named like a binding", "lyb", p -> p.setProperty("payment.detail", "reference amount cardNumber name=X"),
                        "payment.detail: name is a bound value, not a constant's name"),
                refusal("fixed-width field without width", "abc", p -> p.setProperty("payment.detail", "reference:A amount:N15 cardNumber:A19"),
                        "payment.detail: field reference needs a width in bytes"),
                refusal("amount typed as text", "lyb", p -> p.setProperty("payment.detail", "reference amount:A12 cardNumber"),
                        "payment.detail: field amount is a number, amount or date: type N"),
                refusal("date of the wrong width", "abc", p -> p.setProperty("payment.header", "fileId:A32 date:N6 count:N8 totalAmount:N15"),
                        "payment.header: field date: dates are yyyyMMdd, 8 bytes"),
                refusal("cut on a number", "lyb", p -> p.setProperty("payment.detail", "reference amount cardNumber:N19:cut"),
                        "payment.detail: field cardNumber: only text fields with a width (A) may be cut"),
                refusal("cut in a result file", "lyb", p -> p.setProperty("result.detail",
                        "reference:A20 account:N19 amount recordStatus:A1 reasonCode:A4 reasonText:A60:cut"),
                        "result.detail: field reasonText: ':cut' is for payment files"),
                refusal("constant wider than its field", "abc", p -> p.setProperty("payment.trailer", "recordType=TT:A1 count:N8 totalAmount:N15"),
                        "payment.trailer: constant recordType is wider than its 1 bytes"),
                refusal("payment detail without card number", "lyb", p -> p.setProperty("payment.detail", "reference amount"),
                        "payment.detail: must bind cardNumber"),
                refusal("result summary without count", "abc", p -> {
                    p.setProperty("result.header", "recordType=H:A1 fileId:A32 date:N8 totalAmount:N15 fileStatus:A1 fileReason:A4");
                    p.setProperty("result.trailer", "recordType=T:A1 totalAmount:N15");
                },
                        "result.header: must bind count (here or in result.trailer)"),
                refusal("result detail without reason code", "lyb", p -> p.setProperty("result.detail",
                        "reference:A20 account:N19 amount recordStatus:A1 reasonText"), "result.detail: must bind reasonCode"),
                refusal("equal status values", "abc", p -> p.setProperty("result.record-status.failed", "S"),
                        "result.record-status.failed: must differ from result.record-status.paid"),
                refusal("status value wider than its field", "abc", p -> p.setProperty("result.record-status.failed", "FAIL"),
                        "result.record-status.failed: 'FAIL' is wider than result.detail's recordStatus (1 bytes)"),
                refusal("status value holding the separator", "lyb", p -> p.setProperty("result.record-status.failed", "1|"),
                        "result.record-status.failed: printable ASCII without spaces or '|'"),
                refusal("missing processed file reason", "lyb", p -> p.remove("result.file-reason.processed"),
                        "result.file-reason.processed: required"),
                refusal("payment name without file id", "lyb", p -> p.setProperty("payment.file", "LYBPAY_{date}.txt"),
                        "payment.file: the name must hold {fileId}"),
                refusal("payment name with a part", "lyb", p -> p.setProperty("payment.file", "LYBPAY_{fileId}{part}.txt"),
                        "payment.file: {part} belongs in result file names only"),
                refusal("result name without part", "lyb", p -> p.setProperty("result.file", "LYBRET_{date}_{fileId}.txt"),
                        "result.file: a result file name must hold {part}"),
                refusal("unknown placeholder", "lyb", p -> p.setProperty("result.file", "LYBRET_{day}_{fileId}{part}.txt"),
                        "result.file: unknown placeholder {day}"),
                refusal("unsafe characters in a name", "lyb", p -> p.setProperty("payment.file", "../LYBPAY_{fileId}.txt"),
                        "payment.file: file names may hold only [A-Za-z0-9._-] besides placeholders"),
                refusal("a name like a temporary file", "lyb", p -> p.setProperty("payment.file", ".LYBPAY_{fileId}.txt"),
                        "payment.file: a name may not start with '.'"),
                refusal("ambiguous name", "abc", p -> p.setProperty("result.part", "P{n}"),
                        "result.file: what follows {fileId} must start with a character other than a letter or digit"),
                refusal("part without {n}", "lyb", p -> p.setProperty("result.part", "_P"), "result.file: the part pattern must hold {n} once"),
                refusal("bank code with spaces", "lyb", p -> p.setProperty("code.E 1", "BANK_REJECTED_OTHER"),
                        "code.E 1: a bank code is 1 to 8 of [0-9A-Za-z]"),
                refusal("an outcome that does not exist", "lyb", p -> p.setProperty("code.E100", "BANK_REJECTED"),
                        "code.E100: 'BANK_REJECTED' is not a bank outcome of docs/codes.md"),
                refusal("the old form with a disposition first", "lyb", p -> p.setProperty("code.E100", "FAILED BANK_REJECTED_OTHER"),
                        "code.E100: 'FAILED' is not a bank outcome"),
                refusal("a lower-case outcome", "lyb", p -> p.setProperty("code.E100", "bank_rejected_other"),
                        "code.E100: 'bank_rejected_other' is not a bank outcome"),
                refusal("a second code meaning paid", "lyb", p -> p.setProperty("code.E100", "PAID"),
                        "code.*: the code table needs exactly one code that means paid (code.XXXX = PAID), not 2"),
                refusal("the unmapped code in the table", "lyb", p -> p.setProperty("code.E100", "BANK_CODE_UNMAPPED"),
                        "code.E100: BANK_CODE_UNMAPPED is decided by the gateway itself"),
                refusal("a gateway outcome in the table", "lyb", p -> p.setProperty("code.E100", "BANK_RESULT_MISSING"),
                        "code.E100: BANK_RESULT_MISSING is decided by the gateway itself"),
                refusal("a 'send again later' outcome for a record", "lyb", p -> p.setProperty("code.E100", "BANK_BUSY"),
                        "code.E100: BANK_BUSY means 'send again later', which a file bank's record cannot mean"),
                refusal("a whole-file outcome for a record", "lyb", p -> p.setProperty("code.E100", "BANK_FILE_DATE_INVALID"),
                        "code.E100: BANK_FILE_DATE_INVALID describes a whole file, not a record"),
                refusal("a record outcome for a whole file", "lyb", p -> p.setProperty("file-reason.F009", "BANK_ACCOUNT_CLOSED x"),
                        "file-reason.F009: BANK_ACCOUNT_CLOSED describes a record, not a whole file"),
                refusal("no paid code", "lyb", p -> p.remove("code.0000"), "code.*: the code table needs exactly one code that means paid"),
                refusal("empty file reason", "lyb", p -> p.setProperty("file-reason.F009", ""),
                        "file-reason.F009: '' is not a bank outcome"),
                refusal("the processed reason as a refusal", "lyb", p -> p.setProperty("file-reason.0000", "BANK_FILE_UNREADABLE x"),
                        "file-reason.0000: this is the reason of a processed file"));
    }

    private static Arguments refusal(String name, String base, Consumer<Properties> change, String message) {
        return Arguments.of(name, base, change, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void load_refusesWhatItDoesNotUnderstand_namingKeyAndReason(String name, String base, Consumer<Properties> change,
                                                                String message) {
        assertThatThrownBy(() -> load(base, change))
                .isInstanceOf(FileLayoutException.class)
                .hasMessageStartingWith("bank-x.layout.properties: ")
                .hasMessageContaining(message);
    }

    @Test
    void load_refusesABadLayoutName() {
        assertThatThrownBy(() -> LayoutLoader.load("Bank X", "x", descriptor("lyb")))
                .isInstanceOf(FileLayoutException.class).hasMessageContaining("a layout name is 1 to 64 of [a-z0-9-]");
    }
}
