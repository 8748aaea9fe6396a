package cn.onecard.adapters.file;

import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.file.LayoutSpec.AmountUnit;
import cn.onecard.adapters.file.LayoutSpec.Padding;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a {@link Dispatch} as a bank's payment file, streaming one record at a time. Values are
 * checked as they are written: a value that its field cannot hold (too long, not digits, not
 * encodable, holding the separator or a control character) refuses the file, naming the item and
 * the field, never the value. Names marked {@code :cut} are cut at a character boundary instead.
 * Not thread-safe: one writer per file.
 */
final class PaymentFileWriter {

    private final LayoutSpec spec;
    private final String unitNumber;
    private final CharsetEncoder encoder;
    private final byte[] lineEnding;
    private byte[] line = new byte[512];
    private int length;

    /** @param unitNumber the gateway's unit number at the bank; null when the layout binds none */
    PaymentFileWriter(FileLayout layout, String unitNumber) {
        this.spec = layout.spec();
        this.unitNumber = unitNumber;
        this.encoder = spec.charset().newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        this.lineEnding = spec.lineEnding().bytes();
    }

    /** The payment file's name for this dispatch (before protection adds its suffix). */
    static String fileName(FileLayout layout, Dispatch dispatch) {
        return layout.spec().paymentFile().render(dispatch.dispatchId(),
                LayoutSpec.DATE_FORMAT.format(dispatch.businessDate()), 1);
    }

    /** Writes the whole file to {@code out} (not closed); {@code out} should be buffered. */
    void write(Dispatch dispatch, OutputStream out) throws IOException, PaymentFileException {
        List<PaymentInstruction> items = dispatch.instructions();
        long totalFen;
        try {
            totalFen = dispatch.totalFen();
        } catch (ArithmeticException e) {
            throw new PaymentFileException(0, Binding.TOTAL_AMOUNT.key(), "the total overflows");
        }
        if (totalFen > Amounts.AMOUNT_FEN_MAX) {
            throw new PaymentFileException(0, Binding.TOTAL_AMOUNT.key(), "the total exceeds " + Amounts.AMOUNT_FEN_MAX + " fen");
        }
        Summary summary = new Summary(dispatch.dispatchId(), LayoutSpec.DATE_FORMAT.format(dispatch.businessDate()),
                items.size(), totalFen);
        writeSummary(spec.paymentHeader(), summary, out);
        for (int i = 0; i < items.size(); i++) {
            writeDetail(items.get(i), i + 1, out);
        }
        if (spec.paymentTrailer() != null) {
            writeSummary(spec.paymentTrailer(), summary, out);
        }
    }

    private record Summary(String fileId, String date, long count, long totalFen) {
    }

    /** Why one instruction cannot be written: the field and the reason, never the value. */
    record Problem(String reference, String reason) {
    }

    /** Checks one instruction alone, as the {@code sequence}-th detail record; nothing is written anywhere. */
    java.util.Optional<Problem> check(PaymentInstruction instruction, int sequence) {
        try {
            writeDetail(instruction, sequence, java.io.OutputStream.nullOutputStream());
            return java.util.Optional.empty();
        } catch (PaymentFileException e) {
            return java.util.Optional.of(new Problem(instruction.bankReference(), "field " + e.field() + " " + e.reason()));
        } catch (IOException e) {
            throw new IllegalStateException("writing to nowhere cannot fail", e);
        }
    }

    private void writeSummary(RecordLayout record, Summary summary, OutputStream out) throws IOException, PaymentFileException {
        length = 0;
        List<FieldSpec> fields = record.fields();
        for (int f = 0; f < fields.size(); f++) {
            FieldSpec field = fields.get(f);
            separate(f);
            switch (field.binding()) {
                case FILE_ID -> text(0, field, summary.fileId());
                case DATE -> text(0, field, summary.date());
                case COUNT -> number(0, field, summary.count());
                case TOTAL_AMOUNT -> amount(0, field, summary.totalFen());
                case UNIT_NUMBER -> text(0, field, unitNumber);
                case CONSTANT -> text(0, field, field.constant());
                case FILLER -> text(0, field, "");
                default -> throw new IllegalStateException(field.name() + " in a payment summary");
            }
        }
        endLine(out);
    }

    private void writeDetail(PaymentInstruction item, int sequence, OutputStream out) throws IOException, PaymentFileException {
        length = 0;
        List<FieldSpec> fields = spec.paymentDetail().fields();
        for (int f = 0; f < fields.size(); f++) {
            FieldSpec field = fields.get(f);
            separate(f);
            switch (field.binding()) {
                case REFERENCE -> text(sequence, field, item.bankReference());
                case NAME -> text(sequence, field, item.holderName());
                case AMOUNT -> amount(sequence, field, item.amountFen());
                case CARD_NUMBER -> text(sequence, field, item.cardNumber());
                case ID_NUMBER -> text(sequence, field, item.idNumber());
                case PROGRAM_CODE -> text(sequence, field, item.programCode());
                case SEQUENCE -> number(sequence, field, sequence);
                case UNIT_NUMBER -> text(sequence, field, unitNumber);
                case CONSTANT -> text(sequence, field, field.constant());
                case FILLER -> text(sequence, field, "");
                default -> throw new IllegalStateException(field.name() + " in a payment detail");
            }
        }
        endLine(out);
    }

    private void separate(int fieldIndex) {
        if (fieldIndex > 0 && !spec.isFixed()) {
            ensure(1);
            line[length++] = (byte) spec.separator();
        }
    }

    private void endLine(OutputStream out) throws IOException {
        ensure(lineEnding.length);
        System.arraycopy(lineEnding, 0, line, length, lineEnding.length);
        out.write(line, 0, length + lineEnding.length);
    }

    private void number(int item, FieldSpec field, long value) throws PaymentFileException {
        digits(item, field, Long.toString(value));
    }

    private void amount(int item, FieldSpec field, long fen) throws PaymentFileException {
        if (fen > Amounts.AMOUNT_FEN_MAX) {
            throw new PaymentFileException(item, field.name(), "exceeds " + Amounts.AMOUNT_FEN_MAX + " fen");
        }
        digits(item, field, spec.amountUnit() == AmountUnit.FEN ? Long.toString(fen) : Amounts.yuan(fen));
    }

    /** Numbers and amounts: ASCII, right-aligned with numeric padding when fixed-width. */
    private void digits(int item, FieldSpec field, String text) throws PaymentFileException {
        int width = field.widthBytes();
        if (width > 0 && text.length() > width) {
            throw new PaymentFileException(item, field.name(), "needs " + text.length() + " bytes, the field has " + width);
        }
        if (spec.isFixed()) {
            pad(spec.numericPadding(), width - text.length(), true);
            ascii(text);
            pad(spec.numericPadding(), width - text.length(), false);
        } else {
            ascii(text);
        }
    }

    private void text(int item, FieldSpec field, String value) throws PaymentFileException {
        if (value == null) {
            throw new IllegalStateException(field.name() + " has no value: the adapter checks the configuration");
        }
        boolean ascii = true;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < ' ' || c == 127 || Character.isISOControl(c)) {
                throw new PaymentFileException(item, field.name(), "holds a control character");
            }
            if (c == spec.separator() && !spec.isFixed()) {
                throw new PaymentFileException(item, field.name(), "holds the separator '" + spec.separator() + "'");
            }
            if (field.numeric() && (c < '0' || c > '9')) {
                throw new PaymentFileException(item, field.name(), "must be digits");
            }
            ascii &= c < 128;
        }
        byte[] encoded = null;
        int bytes = value.length();
        if (!ascii) {
            encoded = encode(item, field, value);
            bytes = encoded.length;
        }
        int width = field.widthBytes();
        if (width > 0 && bytes > width) {
            if (!field.cut()) {
                throw new PaymentFileException(item, field.name(), "needs " + bytes + " bytes, the field has " + width);
            }
            encoded = cut(item, field, value, width);
            bytes = encoded.length;
        }
        Padding padding = field.numeric() ? spec.numericPadding() : spec.textPadding();
        int padBytes = spec.isFixed() ? width - bytes : 0;
        pad(padding, padBytes, true);
        if (encoded == null) {
            ascii(value);
        } else {
            ensure(encoded.length);
            System.arraycopy(encoded, 0, line, length, encoded.length);
            length += encoded.length;
        }
        pad(padding, padBytes, false);
    }

    /** Writes {@code count} pad bytes if this side is the padded one ({@code before}: left of the value). */
    private void pad(Padding padding, int count, boolean before) {
        if (count <= 0 || padding.rightAligned() != before) {
            return;
        }
        ensure(count);
        Arrays.fill(line, length, length + count, padding.pad());
        length += count;
    }

    private void ascii(String text) {
        int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            line[length + i] = (byte) text.charAt(i);
        }
        length += n;
    }

    private byte[] encode(int item, FieldSpec field, CharSequence value) throws PaymentFileException {
        try {
            ByteBuffer buffer = encoder.reset().encode(CharBuffer.wrap(value));
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new PaymentFileException(item, field.name(), "cannot be written in " + spec.charset().name());
        }
    }

    /** The longest prefix of whole characters (code points) that fits in {@code width} bytes. */
    private byte[] cut(int item, FieldSpec field, String value, int width) throws PaymentFileException {
        byte[] out = new byte[width];
        int used = 0;
        for (int i = 0; i < value.length(); ) {
            int next = i + Character.charCount(value.codePointAt(i));
            byte[] one = encode(item, field, value.subSequence(i, next));
            if (used + one.length > width) {
                break;
            }
            System.arraycopy(one, 0, out, used, one.length);
            used += one.length;
            i = next;
        }
        return Arrays.copyOf(out, used);
    }

    private void ensure(int more) {
        if (length + more > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + more));
        }
    }
}
