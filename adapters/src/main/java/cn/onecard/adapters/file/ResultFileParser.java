package cn.onecard.adapters.file;

import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.file.LayoutSpec.AmountUnit;
import cn.onecard.adapters.file.LayoutSpec.LineEnding;
import cn.onecard.adapters.file.LayoutSpec.Padding;
import cn.onecard.iso8583.CodeTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a bank's result file (the plain content, after protection is removed) and checks it
 * strictly: line endings, field counts, widths, digits, exact amounts, record types, strict
 * decoding of every text field, unique references, status and code agreeing, and the summaries'
 * counts and totals (header and trailer alike, paid count and paid total) equal to the records.
 * Every refusal is a {@link ResultFileException} naming the line and the field, never the value.
 * Not thread-safe: one parser per file.
 */
final class ResultFileParser {

    /** Records in one result file, at most. */
    static final int RECORDS_MAX = 1_000_000;

    private static final Pattern FILE_ID = Pattern.compile("[0-9A-Za-z]{1," + Dispatch.DISPATCH_ID_CHARS_MAX + "}");

    private final LayoutSpec spec;
    private final String unitNumber;
    private final CharsetDecoder decoder;
    private final CodeTable<BankOutcome> codes;

    /** @param unitNumber the gateway's unit number, which result records must repeat; null when the layout binds none */
    ResultFileParser(FileLayout layout, String unitNumber) {
        this.spec = layout.spec();
        this.unitNumber = unitNumber;
        this.codes = spec.codes();
        this.decoder = spec.charset().newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** The values of one record, by binding. */
    private static final class Values {
        final int lineNumber;
        final Object[] byBinding = new Object[Binding.values().length];

        Values(int lineNumber) {
            this.lineNumber = lineNumber;
        }

        String text(Binding binding) {
            return (String) byBinding[binding.ordinal()];
        }

        Long number(Binding binding) {
            return (Long) byBinding[binding.ordinal()];
        }

        boolean has(Binding binding) {
            return byBinding[binding.ordinal()] != null;
        }
    }

    ResultFile parse(InputStream in) throws IOException, ResultFileException {
        LineReader lines = new LineReader(in, spec.lineEnding() == LineEnding.CRLF, LayoutLoader.LINE_BYTES_MAX);
        byte[] first = lines.next();
        if (first == null) {
            throw new ResultFileException(1, ResultFileException.WHOLE_LINE, "the file is empty");
        }
        Values header = record(spec.resultHeader(), first, 1);
        boolean hasTrailer = spec.resultTrailer() != null;
        List<ResultFile.Record> records = new ArrayList<>();
        Set<String> references = new HashSet<>();
        long totalFen = 0;
        long paidCount = 0;
        long paidFen = 0;
        byte[] pending = null;
        int pendingNumber = 0;
        for (byte[] line; (line = lines.next()) != null; ) {
            byte[] detail = line;
            int detailNumber = lines.lineNumber();
            if (hasTrailer) {
                detail = pending;
                detailNumber = pendingNumber;
                pending = line;
                pendingNumber = lines.lineNumber();
                if (detail == null) {
                    continue;
                }
            }
            if (records.size() == RECORDS_MAX) {
                throw new ResultFileException(detailNumber, ResultFileException.WHOLE_LINE,
                        "more than " + RECORDS_MAX + " records");
            }
            ResultFile.Record record = detail(detail, detailNumber, references);
            records.add(record);
            try {
                totalFen = Math.addExact(totalFen, record.amountFen());
                if (record.paid()) {
                    paidCount++;
                    paidFen = Math.addExact(paidFen, record.amountFen());
                }
            } catch (ArithmeticException e) {
                throw new ResultFileException(detailNumber, Binding.AMOUNT.key(), "the sum of the amounts overflows");
            }
        }
        Values trailer = null;
        if (hasTrailer) {
            if (pending == null) {
                throw new ResultFileException(lines.lineNumber() + 1, ResultFileException.WHOLE_LINE, "the trailer record is missing");
            }
            trailer = record(spec.resultTrailer(), pending, pendingNumber);
        }
        return summary(header, trailer, records, totalFen, paidCount, paidFen);
    }

    private ResultFile summary(Values header, Values trailer, List<ResultFile.Record> records, long totalFen,
                               long paidCount, long paidFen) throws ResultFileException {
        Values[] summaries = trailer == null ? new Values[]{header} : new Values[]{header, trailer};
        String fileId = null;
        LocalDate date = null;
        String status = null;
        String reason = null;
        for (Values summary : summaries) {
            int at = summary.lineNumber;
            fileId = agree(at, Binding.FILE_ID, fileId, summary.text(Binding.FILE_ID));
            status = agree(at, Binding.FILE_STATUS, status, summary.text(Binding.FILE_STATUS));
            reason = agree(at, Binding.FILE_REASON, reason, summary.text(Binding.FILE_REASON));
            LocalDate its = (LocalDate) summary.byBinding[Binding.DATE.ordinal()];
            if (its != null && date != null && !its.equals(date)) {
                throw new ResultFileException(at, Binding.DATE.key(), "differs from the header's");
            }
            date = date == null ? its : date;
            expect(summary, Binding.COUNT, records.size(), "does not equal the number of records");
            expect(summary, Binding.TOTAL_AMOUNT, totalFen, "does not equal the sum of the records' amounts");
            expect(summary, Binding.PAID_COUNT, paidCount, "does not equal the number of paid records");
            expect(summary, Binding.PAID_TOTAL, paidFen, "does not equal the sum of the paid records' amounts");
        }
        if (!FILE_ID.matcher(fileId).matches()) {
            throw new ResultFileException(lineOf(header, trailer, Binding.FILE_ID), Binding.FILE_ID.key(),
                    "a file id is 1 to " + Dispatch.DISPATCH_ID_CHARS_MAX + " of [0-9A-Za-z]");
        }
        boolean refused;
        if (status.equals(spec.fileStatusProcessed())) {
            refused = false;
        } else if (status.equals(spec.fileStatusRefused())) {
            refused = true;
        } else {
            throw new ResultFileException(lineOf(header, trailer, Binding.FILE_STATUS), Binding.FILE_STATUS.key(),
                    "neither the processed nor the refused value of this layout");
        }
        if (reason != null) {
            int reasonLine = lineOf(header, trailer, Binding.FILE_REASON);
            if (!refused && !reason.equals(spec.fileReasonProcessed())) {
                throw new ResultFileException(reasonLine, Binding.FILE_REASON.key(), "a processed file must carry the processed reason code");
            }
            if (refused && reason.equals(spec.fileReasonProcessed())) {
                throw new ResultFileException(reasonLine, Binding.FILE_REASON.key(), "a refused file carries the processed reason code");
            }
        }
        if (refused && !records.isEmpty()) {
            throw new ResultFileException(records.getFirst().lineNumber(), ResultFileException.WHOLE_LINE,
                    "a file refused whole has no records");
        }
        return new ResultFile(fileId, date, refused, reason, records);
    }

    private static int lineOf(Values header, Values trailer, Binding binding) {
        return header.has(binding) || trailer == null ? header.lineNumber : trailer.lineNumber;
    }

    private static String agree(int line, Binding binding, String sofar, String its) throws ResultFileException {
        if (its == null) {
            return sofar;
        }
        if (sofar != null && !sofar.equals(its)) {
            throw new ResultFileException(line, binding.key(), "differs from the header's");
        }
        return its;
    }

    private static void expect(Values summary, Binding binding, long actual, String reason) throws ResultFileException {
        Long declared = summary.number(binding);
        if (declared != null && declared != actual) {
            throw new ResultFileException(summary.lineNumber, binding.key(), reason);
        }
    }

    private ResultFile.Record detail(byte[] line, int lineNumber, Set<String> references) throws ResultFileException {
        Values values = record(spec.resultDetail(), line, lineNumber);
        String reference = values.text(Binding.REFERENCE);
        if (reference.length() != PaymentInstruction.BANK_REFERENCE_CHARS
                || !reference.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
            throw new ResultFileException(lineNumber, Binding.REFERENCE.key(), "a reference is 20 of [0-9A-Z]");
        }
        if (!references.add(reference)) {
            throw new ResultFileException(lineNumber, Binding.REFERENCE.key(), "the same reference is on an earlier line");
        }
        long amountFen = values.number(Binding.AMOUNT);
        if (amountFen == 0) {
            throw new ResultFileException(lineNumber, Binding.AMOUNT.key(), "an item's amount is positive");
        }
        String status = values.text(Binding.RECORD_STATUS);
        boolean paid;
        if (status.equals(spec.recordStatusPaid())) {
            paid = true;
        } else if (status.equals(spec.recordStatusFailed())) {
            paid = false;
        } else {
            throw new ResultFileException(lineNumber, Binding.RECORD_STATUS.key(), "neither the paid nor the not-paid value of this layout");
        }
        String reasonCode = values.text(Binding.REASON_CODE);
        if (reasonCode.isEmpty()) {
            throw new ResultFileException(lineNumber, Binding.REASON_CODE.key(), "empty");
        }
        if (codes.lists(reasonCode) && (codes.meaningOf(reasonCode) == BankOutcome.PAID) != paid) {
            throw new ResultFileException(lineNumber, Binding.REASON_CODE.key(), paid
                    ? "the status says paid but the code does not mean paid"
                    : "the code means paid but the status says not paid");
        }
        return new ResultFile.Record(lineNumber, reference, amountFen, paid, reasonCode);
    }

    private Values record(RecordLayout layout, byte[] line, int lineNumber) throws ResultFileException {
        Values values = new Values(lineNumber);
        List<FieldSpec> fields = layout.fields();
        if (spec.isFixed()) {
            if (line.length != layout.widthBytes()) {
                throw new ResultFileException(lineNumber, ResultFileException.WHOLE_LINE,
                        "is " + line.length + " bytes, a " + layout.key() + " record is " + layout.widthBytes());
            }
            int at = 0;
            for (FieldSpec field : fields) {
                int width = field.widthBytes();
                String raw = decode(line, at, width, lineNumber, field);
                at += width;
                store(values, field, stripPadding(raw, field), lineNumber, true);
            }
        } else {
            String text = decodeDelimited(line, lineNumber, fields);
            char separator = spec.separator();
            int start = 0;
            for (int f = 0; f < fields.size(); f++) {
                int end = text.indexOf(separator, start);
                boolean last = f == fields.size() - 1;
                if (last != (end < 0)) {
                    int count = 1;
                    for (int i = 0; i < text.length(); i++) {
                        count += text.charAt(i) == separator ? 1 : 0;
                    }
                    throw new ResultFileException(lineNumber, ResultFileException.WHOLE_LINE,
                            "has " + count + " fields, a " + layout.key() + " record has " + fields.size());
                }
                String value = last ? text.substring(start) : text.substring(start, end);
                FieldSpec field = fields.get(f);
                if (field.widthBytes() > 0 && byteLength(value) > field.widthBytes()) {
                    throw new ResultFileException(lineNumber, field.name(), "longer than " + field.widthBytes() + " bytes");
                }
                store(values, field, value, lineNumber, false);
                start = end + 1;
            }
        }
        return values;
    }

    private void store(Values values, FieldSpec field, String value, int lineNumber, boolean padded)
            throws ResultFileException {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new ResultFileException(lineNumber, field.name(), "holds a control character");
            }
        }
        Binding binding = field.binding();
        boolean zeroPadded = padded && spec.numericPadding().pad() == '0';
        try {
            Object parsed = switch (binding.kind()) {
                case TEXT -> {
                    if (binding == Binding.CONSTANT) {
                        if (!value.equals(field.constant())) {
                            throw new ResultFileException(lineNumber, field.name(), "is not the layout's constant");
                        }
                    } else if (field.numeric() && binding != Binding.FILLER && !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                        throw new ResultFileException(lineNumber, field.name(), "must be digits");
                    }
                    if (binding == Binding.UNIT_NUMBER && !value.equals(unitNumber)) {
                        throw new ResultFileException(lineNumber, field.name(), "is not the gateway's unit number at this bank");
                    }
                    yield value;
                }
                case NUMBER -> Amounts.parseNumber(value, zeroPadded, "a number");
                case AMOUNT -> spec.amountUnit() == AmountUnit.FEN ? Amounts.parseFen(value, zeroPadded)
                        : Amounts.parseYuan(value, zeroPadded);
                case DATE -> {
                    if (value.length() != LayoutSpec.DATE_CHARS || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                        throw new ResultFileException(lineNumber, field.name(), "not a date yyyyMMdd");
                    }
                    try {
                        yield LocalDate.parse(value, LayoutSpec.DATE_FORMAT);
                    } catch (DateTimeParseException e) {
                        throw new ResultFileException(lineNumber, field.name(), "not a date yyyyMMdd");
                    }
                }
            };
            if (binding != Binding.CONSTANT && binding != Binding.FILLER) {
                values.byBinding[binding.ordinal()] = parsed;
            }
        } catch (IllegalArgumentException e) {
            throw new ResultFileException(lineNumber, field.name(), e.getMessage());
        }
    }

    /** A fixed-width field without its padding: spaces (or the pad) stripped on the padded side. */
    private String stripPadding(String raw, FieldSpec field) {
        Padding padding = field.numeric() ? spec.numericPadding() : spec.textPadding();
        if (field.numeric() && padding.pad() == '0') {
            return raw; // zeros are digits: the number reader skips them
        }
        char pad = (char) padding.pad();
        int from = 0;
        int to = raw.length();
        if (padding.rightAligned()) {
            while (from < to && raw.charAt(from) == pad) {
                from++;
            }
        } else {
            while (to > from && raw.charAt(to - 1) == pad) {
                to--;
            }
        }
        return raw.substring(from, to);
    }

    private int byteLength(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 128) {
                return value.getBytes(spec.charset()).length;
            }
        }
        return value.length();
    }

    private String decode(byte[] bytes, int offset, int length, int lineNumber, FieldSpec field) throws ResultFileException {
        if (isAscii(bytes, offset, length)) {
            return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
        }
        try {
            return decoder.reset().decode(ByteBuffer.wrap(bytes, offset, length)).toString();
        } catch (CharacterCodingException e) {
            throw new ResultFileException(lineNumber, field.name(), "not valid " + spec.charset().name()
                    + " (or a character cut at the field's edge)");
        }
    }

    /** Decodes a delimited line whole; on a bad byte sequence, names the field it falls in. */
    private String decodeDelimited(byte[] line, int lineNumber, List<FieldSpec> fields) throws ResultFileException {
        if (isAscii(line, 0, line.length)) {
            return new String(line, StandardCharsets.ISO_8859_1);
        }
        CharBuffer out = CharBuffer.allocate(line.length + 1);
        decoder.reset();
        CoderResult result = decoder.decode(ByteBuffer.wrap(line), out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            out.flip();
            int index = 0;
            while (out.hasRemaining()) {
                index += out.get() == spec.separator() ? 1 : 0;
            }
            String field = index < fields.size() ? fields.get(index).name() : ResultFileException.WHOLE_LINE;
            throw new ResultFileException(lineNumber, field, "not valid " + spec.charset().name());
        }
        out.flip();
        return out.toString();
    }

    private static boolean isAscii(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }
}
