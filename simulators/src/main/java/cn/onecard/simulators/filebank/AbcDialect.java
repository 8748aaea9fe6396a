package cn.onecard.simulators.filebank;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import cn.onecard.crypto.CryptoException;
import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.crypto.EnvelopeSealer;
import cn.onecard.crypto.OpenedEnvelope;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;

/**
 * The ABC layout (docs/files/bank-abc.md): fixed-width UTF-8 records ending LF, widths in bytes,
 * amounts in fen, every file a OneCard envelope named {@code NAME.ocev} whose label is {@code NAME}.
 */
final class AbcDialect implements BankDialect {

    static final String OCEV = ".ocev";
    static final int HEADER_BYTES = 64;
    static final int DETAIL_BYTES = 141;
    static final int TRAILER_BYTES = 24;
    static final int NAME_BYTES = 60;
    static final int REASON_TEXT_BYTES = 60;
    private static final Pattern PAYMENT_NAME = Pattern.compile("ABC(\\d{8})([0-9A-Za-z]{1,32})\\.dat");
    private static final Pattern FILE_ID = Pattern.compile("[0-9A-Za-z]{1,32}");
    private static final Pattern REFERENCE = Pattern.compile("[0-9A-Za-z]{1,20}");
    private static final Pattern CARD_NUMBER = Pattern.compile("\\d{16}|\\d{19}");
    private static final Pattern ID_NUMBER = Pattern.compile("\\d{17}[0-9X]");

    private final Sm2PublicKey gatewayKey;
    private final Sm2PrivateKey bankKey;
    private final EnvelopeOpener opener = new EnvelopeOpener();
    private final EnvelopeSealer sealer = new EnvelopeSealer();

    AbcDialect(Sm2PublicKey gatewayKey, Sm2PrivateKey bankKey) {
        this.gatewayKey = gatewayKey;
        this.bankKey = bankKey;
    }

    @Override
    public FileBankKind kind() {
        return FileBankKind.ABC;
    }

    @Override
    public Inbox classify(Collection<String> names) {
        List<InboundFile> complete = new ArrayList<>();
        List<String> unrecognised = new ArrayList<>();
        for (String name : names) {
            if (!name.endsWith(OCEV)) {
                unrecognised.add(name);
                continue;
            }
            String plain = name.substring(0, name.length() - OCEV.length());
            Matcher matcher = PAYMENT_NAME.matcher(plain);
            LocalDate date = matcher.matches() ? Dates.parseCompact(matcher.group(1)) : null;
            if (date == null) {
                unrecognised.add(name);
            } else {
                complete.add(new InboundFile(plain, date, matcher.group(2), List.of(name)));
            }
        }
        return new Inbox(complete, unrecognised);
    }

    @Override
    public byte[] unprotect(InboundFile file, Path inDir) throws FileRefusedException, IOException {
        Path path = inDir.resolve(file.plainName() + OCEV);
        if (Files.size(path) > PAYMENT_FILE_BYTES_MAX) {
            throw new FileRefusedException(FileRefusal.UNREADABLE, "payment file over " + PAYMENT_FILE_BYTES_MAX + " bytes");
        }
        OpenedEnvelope opened;
        try {
            opened = opener.open(Files.readAllBytes(path), bankKey, gatewayKey);
        } catch (CryptoException e) {
            throw new FileRefusedException(FileRefusal.PROTECTION_FAILED, "envelope refused: " + e.getMessage());
        }
        if (!opened.info().label().equals(file.plainName())) {
            throw new FileRefusedException(FileRefusal.PROTECTION_FAILED, "envelope label is not the file's name");
        }
        return opened.content();
    }

    @Override
    public PaymentFile parse(byte[] plain, InboundFile file, LocalDate processingDay) throws FileRefusedException {
        List<byte[]> lines = lines(plain);
        if (lines.size() < 2) {
            throw unreadable("a file has a header and a trailer at least");
        }
        if (lines.size() - 2 > RECORDS_MAX) {
            throw unreadable("more than " + RECORDS_MAX + " detail records");
        }
        Record header = Record.of(lines.getFirst(), 1, 'H', HEADER_BYTES);
        String fileId = header.alpha(2, 32, "file id");
        if (!FILE_ID.matcher(fileId).matches() || !fileId.equals(file.fileId())) {
            throw unreadable("record 1 file id: malformed or not the one in the file name");
        }
        LocalDate date = Dates.parseCompact(header.digits(34, 8, "date"));
        if (date == null || !date.equals(file.nameDate())) {
            throw unreadable("record 1 date: not a date, or not the one in the file name");
        }
        long headerCount = header.number(42, 8, "count");
        long headerTotalFen = header.number(50, 15, "total");

        List<PaymentRecord> records = new ArrayList<>(lines.size() - 2);
        long sumFen = 0;
        for (int i = 1; i < lines.size() - 1; i++) {
            Record detail = Record.of(lines.get(i), i + 1, 'D', DETAIL_BYTES);
            long sequence = detail.number(2, 8, "sequence");
            if (sequence != i) {
                throw unreadable("record " + (i + 1) + " sequence: not " + i);
            }
            String reference = detail.alpha(10, 20, "reference");
            if (!REFERENCE.matcher(reference).matches()) {
                throw unreadable("record " + (i + 1) + " reference: not 1 to 20 of [0-9A-Za-z]");
            }
            String card = detail.alpha(30, 19, "card number");
            if (!CARD_NUMBER.matcher(card).matches()) {
                throw unreadable("record " + (i + 1) + " card number: not 16 or 19 digits");
            }
            String name = detail.utf8(49, NAME_BYTES, "holder name");
            String idNumber = detail.alpha(109, 18, "ID number");
            if (!ID_NUMBER.matcher(idNumber).matches()) {
                throw unreadable("record " + (i + 1) + " ID number: not 18 characters");
            }
            long amountFen = detail.number(127, 15, "amount");
            // A sum past Long.MAX_VALUE is past any 15-digit total too.
            sumFen = sumFen > Long.MAX_VALUE - amountFen ? Long.MAX_VALUE : sumFen + amountFen;
            records.add(new PaymentRecord(i, reference, name, amountFen, card, idNumber));
        }
        Record trailer = Record.of(lines.getLast(), lines.size(), 'T', TRAILER_BYTES);
        long trailerCount = trailer.number(2, 8, "count");
        long trailerTotalFen = trailer.number(10, 15, "total");
        if (headerCount != records.size() || trailerCount != records.size()) {
            throw new FileRefusedException(FileRefusal.COUNT_OR_TOTAL_MISMATCH, "header count " + headerCount
                    + ", trailer count " + trailerCount + ", detail records " + records.size());
        }
        if (headerTotalFen != sumFen || trailerTotalFen != sumFen) {
            throw new FileRefusedException(FileRefusal.COUNT_OR_TOTAL_MISMATCH, "header total " + headerTotalFen
                    + " fen, trailer total " + trailerTotalFen + " fen, details sum to " + sumFen + " fen");
        }
        return new PaymentFile(fileId, date, records);
    }

    /** Splits on LF; the content must end with one, and no line may be empty. */
    private static List<byte[]> lines(byte[] plain) throws FileRefusedException {
        if (plain.length == 0 || plain[plain.length - 1] != '\n') {
            throw unreadable("the last record does not end with LF");
        }
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < plain.length; i++) {
            if (plain[i] == '\n') {
                lines.add(Arrays.copyOfRange(plain, start, i));
                start = i + 1;
                if (lines.size() > RECORDS_MAX + 2) {
                    throw unreadable("more than " + RECORDS_MAX + " detail records");
                }
            }
        }
        return lines;
    }

    /** One fixed-width record; field positions are 1-based as in the doc's tables. */
    private static final class Record {
        private final byte[] bytes;
        private final int number;

        private Record(byte[] bytes, int number) {
            this.bytes = bytes;
            this.number = number;
        }

        static Record of(byte[] bytes, int number, char type, int width) throws FileRefusedException {
            if (bytes.length != width) {
                throw unreadable("record " + number + ": " + bytes.length + " bytes, a '" + type + "' record has " + width);
            }
            if (bytes[0] != type) {
                throw unreadable("record " + number + ": expected a '" + type + "' record");
            }
            return new Record(bytes, number);
        }

        String digits(int from, int length, String field) throws FileRefusedException {
            for (int i = from - 1; i < from - 1 + length; i++) {
                if (bytes[i] < '0' || bytes[i] > '9') {
                    throw unreadable("record " + number + " " + field + ": not " + length + " digits");
                }
            }
            return new String(bytes, from - 1, length, StandardCharsets.US_ASCII);
        }

        long number(int from, int length, String field) throws FileRefusedException {
            return Long.parseLong(digits(from, length, field));
        }

        /** An A field of printable ASCII, left-aligned and space-padded; never empty. */
        String alpha(int from, int length, String field) throws FileRefusedException {
            for (int i = from - 1; i < from - 1 + length; i++) {
                if (bytes[i] < 0x20 || bytes[i] > 0x7e) {
                    throw unreadable("record " + number + " " + field + ": not printable ASCII");
                }
            }
            return unpad(new String(bytes, from - 1, length, StandardCharsets.US_ASCII), field);
        }

        /** An A field of UTF-8 text, cut only at a character boundary. */
        String utf8(int from, int length, String field) throws FileRefusedException {
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, from - 1, length))
                        .toString();
            } catch (CharacterCodingException e) {
                throw unreadable("record " + number + " " + field + ": not UTF-8 cut at a character boundary");
            }
            if (text.chars().anyMatch(Character::isISOControl)) {
                throw unreadable("record " + number + " " + field + ": holds a control character");
            }
            return unpad(text, field);
        }

        private String unpad(String text, String field) throws FileRefusedException {
            String value = stripSpacePadding(text);
            if (value.isEmpty() || value.charAt(0) == ' ') {
                throw unreadable("record " + number + " " + field + ": empty or not left-aligned");
            }
            return value;
        }
    }

    /** Removes the ASCII spaces that pad an A field on the right, and nothing else. */
    static String stripSpacePadding(String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == ' ') {
            end--;
        }
        return text.substring(0, end);
    }

    private static FileRefusedException unreadable(String message) {
        return new FileRefusedException(FileRefusal.UNREADABLE, message);
    }

    @Override
    public boolean nameMatches(String nameInFile, String accountName) {
        // The file holds at most 60 bytes of the name, cut at a character boundary.
        return nameInFile.equals(stripSpacePadding(cutUtf8(accountName, NAME_BYTES)));
    }

    @Override
    public String resultName(LocalDate nameDate, String fileId, int part) {
        return "ABC" + Dates.formatCompact(nameDate) + fileId + (part == 1 ? "" : "_P" + part) + ".ret";
    }

    @Override
    public byte[] encodeResult(ResultPart part) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + part.records().size() * 130);
        boolean refused = part.refusal() != null;
        write(out, "H", alpha(part.fileId(), 32), digits(Dates.formatCompact(part.processingDay()), 8),
                number(part.records().size(), 8), number(part.totalFen(), 15), refused ? "R" : "S",
                alpha(refused ? fileReasonCode(part.refusal()) : "0000", 4));
        for (RecordResult record : part.records()) {
            write(out, "D", number(record.sequence(), 8), alpha(record.reference(), 20), alpha(record.cardNumber(), 19),
                    number(record.amountFen(), 15), record.outcome().paid() ? "S" : "F",
                    alpha(reasonCode(record.outcome()), 4), alphaUtf8(reasonText(record.outcome()), REASON_TEXT_BYTES));
        }
        write(out, "T", number(part.records().size(), 8), number(part.totalFen(), 15), number(part.paidCount(), 8),
                number(part.paidTotalFen(), 15));
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String... fields) {
        for (String field : fields) {
            out.writeBytes(field.getBytes(StandardCharsets.UTF_8));
        }
        out.write('\n');
    }

    private static String alpha(String value, int width) {
        if (value.length() > width) {
            throw new IllegalArgumentException("value longer than its field of " + width);
        }
        return value + " ".repeat(width - value.length());
    }

    private static String alphaUtf8(String value, int widthBytes) {
        String cut = cutUtf8(value, widthBytes);
        return cut + " ".repeat(widthBytes - cut.getBytes(StandardCharsets.UTF_8).length);
    }

    private static String digits(String value, int width) {
        if (value.length() != width) {
            throw new IllegalArgumentException("value is not " + width + " digits");
        }
        return value;
    }

    private static String number(long value, int width) {
        String digits = Long.toString(value);
        if (value < 0 || digits.length() > width) {
            throw new IllegalArgumentException("value does not fit " + width + " digits");
        }
        return "0".repeat(width - digits.length()) + digits;
    }

    /** The longest prefix of {@code text} whose UTF-8 form fits {@code bytes}. */
    static String cutUtf8(String text, int bytes) {
        int used = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int length = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (used + length > bytes) {
                break;
            }
            used += length;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end);
    }

    @Override
    public List<PublishedFile> protect(String plainName, byte[] plain) {
        return List.of(new PublishedFile(plainName + OCEV, sealer.seal(plain, gatewayKey, bankKey, plainName)));
    }

    static String fileReasonCode(FileRefusal refusal) {
        return switch (refusal) {
            case COUNT_OR_TOTAL_MISMATCH -> "9001";
            // ABC checks no processing day; kept total so that a new refusal must be placed here.
            case NOT_PROCESSING_DAY, UNREADABLE -> "9002";
            case PROTECTION_FAILED -> "9003";
        };
    }

    static String reasonCode(RecordOutcome outcome) {
        return switch (outcome) {
            case PAID -> "0000";
            case NAME_MISMATCH -> "3001";
            case ACCOUNT_CLOSED -> "3002";
            case ACCOUNT_FROZEN -> "3003";
            case CARD_LOST_OR_REPLACED -> "3004";
            case ACCOUNT_NOT_ACTIVATED -> "3005";
            case ACCOUNT_NOT_FOUND -> "3006";
            case DUPLICATE_RECORD -> "3007";
            // ABC's table has no codes for these.
            case CREDIT_RESTRICTED, NON_SETTLEMENT_ACCOUNT, OTHER -> "3999";
        };
    }

    static String reasonText(RecordOutcome outcome) {
        return switch (outcome) {
            case PAID -> "交易成功";
            case NAME_MISMATCH -> "户名不符";
            case ACCOUNT_CLOSED -> "账户已销户";
            case ACCOUNT_FROZEN -> "账户已冻结";
            case CARD_LOST_OR_REPLACED -> "卡片已挂失或已换卡";
            case ACCOUNT_NOT_ACTIVATED -> "账户未激活(封存)";
            case ACCOUNT_NOT_FOUND -> "账户不存在";
            case DUPLICATE_RECORD -> "流水号已处理";
            case CREDIT_RESTRICTED -> "账户只出不进";
            case NON_SETTLEMENT_ACCOUNT -> "非结算账户";
            case OTHER -> "其他错误";
        };
    }
}
