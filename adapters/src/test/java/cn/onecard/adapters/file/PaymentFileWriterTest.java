package cn.onecard.adapters.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.PaymentInstruction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PaymentFileWriterTest {

    private static final Charset GBK = Charset.forName("GBK");

    private static byte[] write(FileLayout layout, Dispatch dispatch) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PaymentFileWriter(layout, Fixtures.UNIT_NUMBER).write(dispatch, out);
        return out.toByteArray();
    }

    private static Dispatch withItem(String bankCode, PaymentInstruction item) {
        List<PaymentInstruction> items = new ArrayList<>(Fixtures.goldenItems());
        items.set(1, item);
        return new Dispatch("F1", bankCode, Fixtures.DAY, 1, items);
    }

    private static PaymentInstruction named(String name) {
        return new PaymentInstruction("L2611230000000000002", "6217000010001234563", name, "440524188001010014", 100, "P02");
    }

    /** Lines of a file split at LF, CR kept off; the bytes of each line. */
    private static List<byte[]> lines(byte[] file, boolean crlf) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < file.length; i++) {
            if (file[i] == '\n') {
                lines.add(Arrays.copyOfRange(file, start, crlf ? i - 1 : i));
                start = i + 1;
            }
        }
        assertThat(start).as("the last line ends with its line ending").isEqualTo(file.length);
        return lines;
    }

    private static String strictly(byte[] bytes, Charset charset) throws CharacterCodingException {
        return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
    }

    @Test
    void lyb_writesTheGoldenFileByteForByte() throws Exception {
        assertThat(write(Fixtures.lyb(), Fixtures.lybDispatch()))
                .isEqualTo(Fixtures.golden("LYBPAY_20261123_F20261123LYB0001.txt"));
        assertThat(PaymentFileWriter.fileName(Fixtures.lyb(), Fixtures.lybDispatch())).isEqualTo("LYBPAY_20261123_F20261123LYB0001.txt");
    }

    @Test
    void abc_writesTheGoldenFileByteForByte() throws Exception {
        assertThat(write(Fixtures.abc(), Fixtures.abcDispatch()))
                .isEqualTo(Fixtures.golden("ABC20261123F20261123ABC0001.dat"));
        assertThat(PaymentFileWriter.fileName(Fixtures.abc(), Fixtures.abcDispatch())).isEqualTo("ABC20261123F20261123ABC0001.dat");
    }

    @Test
    void abc_chineseNameTakesThreeBytesPerCharacterAndIsPaddedToSixtyBytes() throws Exception {
        List<byte[]> lines = lines(write(Fixtures.abc(), Fixtures.abcDispatch()), false);
        byte[] detail = lines.get(2);
        assertThat(detail).hasSize(141);
        byte[] name = Arrays.copyOfRange(detail, 48, 108);
        assertThat(strictly(name, StandardCharsets.UTF_8)).isEqualTo("欧阳娜娜" + " ".repeat(60 - 12));
    }

    @Test
    void abc_longNameIsCutAtACharacterBoundary() throws Exception {
        String twentyOne = "欧".repeat(21); // 63 bytes
        String mixed = "A" + "欧".repeat(20); // 61 bytes: cut to "A" and 19 characters, 58 bytes and 2 spaces
        for (String name : List.of(twentyOne, mixed)) {
            byte[] detail = lines(write(Fixtures.abc(), withItem("ABC", named(name))), false).get(2);
            assertThat(detail).hasSize(141);
            String field = strictly(Arrays.copyOfRange(detail, 48, 108), StandardCharsets.UTF_8);
            assertThat(field.strip()).isEqualTo(name.equals(twentyOne) ? "欧".repeat(20) : "A" + "欧".repeat(19));
            assertThat(field.getBytes(StandardCharsets.UTF_8)).hasSize(60);
        }
    }

    @Test
    void lyb_nameIsGbkAndCutToThirtyBytesAtACharacterBoundary() throws Exception {
        byte[] file = write(Fixtures.lyb(), withItem("LYB", named("欧".repeat(16) + "X"))); // 33 bytes in GBK
        byte[] detail = lines(file, true).get(2);
        String[] fields = strictly(detail, GBK).split("\\|", -1);
        assertThat(fields[1]).isEqualTo("欧".repeat(15));
        assertThat(fields[1].getBytes(GBK)).hasSize(30);

        byte[] odd = lines(write(Fixtures.lyb(), withItem("LYB", named("A" + "欧".repeat(15)))), true).get(2);
        assertThat(strictly(odd, GBK).split("\\|", -1)[1]).isEqualTo("A" + "欧".repeat(14)); // 29 bytes: the 15th would make 31
    }

    @Test
    void nameNotWritableInGbk_refusesTheFileNamingItemAndField() {
        String rare = "张\uD840\uDC00"; // U+20000 (CJK extension B) is not in GBK
        assertThatThrownBy(() -> write(Fixtures.lyb(), withItem("LYB", named(rare))))
                .isInstanceOfSatisfying(PaymentFileException.class, e -> {
                    assertThat(e.item()).isEqualTo(2);
                    assertThat(e.field()).isEqualTo("name");
                    assertThat(e.getMessage()).isEqualTo("item 2, field name: cannot be written in GBK").doesNotContain("张");
                });
    }

    @Test
    void nameNotWritableInGbk_isFineInUtf8() throws Exception {
        byte[] detail = lines(write(Fixtures.abc(), withItem("ABC", named("张\uD840\uDC00"))), false).get(2);
        assertThat(strictly(Arrays.copyOfRange(detail, 48, 108), StandardCharsets.UTF_8).strip()).isEqualTo("张\uD840\uDC00");
    }

    @Test
    void separatorInAName_isRefused() {
        assertThatThrownBy(() -> write(Fixtures.lyb(), withItem("LYB", named("张|三"))))
                .isInstanceOf(PaymentFileException.class).hasMessage("item 2, field name: holds the separator '|'");
    }

    @Test
    void controlCharacterInAName_isRefused() {
        assertThatThrownBy(() -> write(Fixtures.abc(), withItem("ABC", named("张\r\n三"))))
                .isInstanceOf(PaymentFileException.class).hasMessage("item 2, field name: holds a control character");
    }

    @Test
    void cardNumberThatIsNotDigits_isRefusedWithoutQuotingIt() {
        PaymentInstruction item = new PaymentInstruction("L2611230000000000002", "62170000100O1234563", "张三", "440524188001010014", 100, "P02");
        assertThatThrownBy(() -> write(Fixtures.lyb(), withItem("LYB", item)))
                .isInstanceOf(PaymentFileException.class).hasMessage("item 2, field cardNumber: must be digits");
    }

    @Test
    void valueLongerThanItsField_isRefusedNotCut() {
        PaymentInstruction item = new PaymentInstruction("L2611230000000000002", "62170000100012345639", "张三", "440524188001010014", 100, "P02");
        assertThatThrownBy(() -> write(Fixtures.abc(), withItem("ABC", item)))
                .isInstanceOf(PaymentFileException.class).hasMessage("item 2, field cardNumber: needs 20 bytes, the field has 19");
        PaymentInstruction longId = new PaymentInstruction("L2611230000000000002", "6217000010001234563", "张三", "4405241880010100149", 100, "P02");
        assertThatThrownBy(() -> write(Fixtures.lyb(), withItem("LYB", longId)))
                .isInstanceOf(PaymentFileException.class).hasMessage("item 2, field idNumber: needs 19 bytes, the field has 18");
    }

    @Test
    void amountOverTheFieldsLimit_isRefused() {
        PaymentInstruction huge = new PaymentInstruction("L2611230000000000002", "6217000010001234563", "张三", "440524188001010014",
                Amounts.AMOUNT_FEN_MAX + 1, "P02");
        assertThatThrownBy(() -> write(Fixtures.abc(), withItem("ABC", huge)))
                .isInstanceOf(PaymentFileException.class).hasMessageContaining("summary, field totalAmount: the total exceeds");
    }

    private static final class CountingSink extends OutputStream {
        long bytes;
        long lines;

        @Override
        public void write(int b) {
            bytes++;
            lines += b == '\n' ? 1 : 0;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
            for (int i = off; i < off + len; i++) {
                lines += b[i] == '\n' ? 1 : 0;
            }
        }
    }

    /** 50,000 items, the largest file a bank takes; prints the rate. Aim: more than 300,000 lines a second. */
    @Test
    void fiftyThousandItems_areWrittenQuickly() throws Exception {
        List<PaymentInstruction> items = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            items.add(new PaymentInstruction(String.format("L261123%013d", i), "6225768888888888", i % 2 == 0 ? "张三丰" : "欧阳娜娜",
                    Fixtures.idNumber(i), 9000 + i, "P29"));
        }
        for (FileLayout layout : List.of(Fixtures.lyb(), Fixtures.abc())) {
            Dispatch dispatch = new Dispatch("BIG1", layout.name().toUpperCase(), Fixtures.DAY, 1, items);
            PaymentFileWriter writer = new PaymentFileWriter(layout, Fixtures.UNIT_NUMBER);
            for (int warm = 0; warm < 3; warm++) {
                writer.write(dispatch, new CountingSink());
            }
            CountingSink sink = new CountingSink();
            long start = System.nanoTime();
            writer.write(dispatch, sink);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("[rate] %s payment file: %d lines, %d bytes in %.1f ms: %.0f lines/s%n", layout.name(), sink.lines,
                    sink.bytes, seconds * 1000, sink.lines / seconds);
            assertThat(sink.lines).isEqualTo(layout.spec().paymentTrailer() == null ? 50_001 : 50_002);
            // a floor far below the aim, so that a loaded build machine does not fail it
            assertThat(sink.lines / seconds).isGreaterThan(50_000);
        }
    }

    @Test
    void writingIsDeterministic_soAResendWritesTheSameFile() throws IOException, PaymentFileException {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        new PaymentFileWriter(Fixtures.abc(), null).write(Fixtures.abcDispatch(), first);
        Dispatch resend = new Dispatch("F20261123ABC0001", "ABC", Fixtures.DAY, 2, Fixtures.goldenItems());
        new PaymentFileWriter(Fixtures.abc(), null).write(resend, second);
        assertThat(second.toByteArray()).isEqualTo(first.toByteArray());
    }
}
