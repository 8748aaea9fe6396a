package cn.onecard.simulators.filebank;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import cn.onecard.crypto.CryptoException;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.Sm4;
import cn.onecard.crypto.Sm4Mode;
import cn.onecard.crypto.SymmetricKey;

/**
 * The LYB layout (docs/files/bank-lyb.md): {@code |}-delimited GBK lines ending CRLF, amounts in
 * yuan, {@code NAME.enc} = IV || SM4-CBC(PKCS#7) and {@code NAME.sig} = base64 of the SM2 signature
 * over {@code NAME.enc}, published {@code .enc} first.
 */
final class LybDialect implements BankDialect {

    static final Charset GBK = Charset.forName("GBK");
    static final String ENC = ".enc";
    static final String SIG = ".sig";
    static final int NAME_BYTES_MAX = 30;
    private static final String CRLF = "\r\n";
    private static final int SIGNATURE_FILE_BYTES_MAX = 1024;
    private static final Pattern PAYMENT_NAME = Pattern.compile("LYBPAY_(\\d{8})_([0-9A-Za-z]{1,32})\\.txt");
    private static final Pattern FILE_ID = Pattern.compile("[0-9A-Za-z]{1,32}");
    private static final Pattern COUNT = Pattern.compile("0|[1-9]\\d{0,8}");
    private static final Pattern SEQUENCE = Pattern.compile("[1-9]\\d{0,8}");
    private static final Pattern REFERENCE = Pattern.compile("[0-9A-Z]{20}");
    private static final Pattern ACCOUNT = Pattern.compile("\\d{16}|\\d{19}");
    private static final Pattern ID_NUMBER = Pattern.compile("\\d{17}[0-9X]");
    private static final String ID_TYPE_RESIDENT = "01";

    private final String unitNumber;
    private final SymmetricKey dataKey;
    private final Sm2PublicKey gatewayKey;
    private final Sm2PrivateKey bankKey;
    private final SecureRandom ivRandom = new SecureRandom();

    LybDialect(String unitNumber, SymmetricKey dataKey, Sm2PublicKey gatewayKey, Sm2PrivateKey bankKey) {
        this.unitNumber = unitNumber;
        this.dataKey = dataKey;
        this.gatewayKey = gatewayKey;
        this.bankKey = bankKey;
    }

    @Override
    public FileBankKind kind() {
        return FileBankKind.LYB;
    }

    @Override
    public Inbox classify(Collection<String> names) {
        Set<String> present = new HashSet<>(names);
        List<InboundFile> complete = new ArrayList<>();
        List<String> unrecognised = new ArrayList<>();
        for (String name : names) {
            if (name.endsWith(ENC)) {
                String plain = name.substring(0, name.length() - ENC.length());
                if (!present.contains(plain + SIG)) {
                    continue; // the signature is published second: wait for it
                }
                Matcher matcher = PAYMENT_NAME.matcher(plain);
                LocalDate date = matcher.matches() ? Dates.parseCompact(matcher.group(1)) : null;
                if (date == null) {
                    unrecognised.add(name);
                    unrecognised.add(plain + SIG);
                } else {
                    complete.add(new InboundFile(plain, date, matcher.group(2), List.of(name, plain + SIG)));
                }
            } else if (!name.endsWith(SIG)) {
                unrecognised.add(name);
            }
        }
        return new Inbox(complete, unrecognised);
    }

    @Override
    public byte[] unprotect(InboundFile file, Path inDir) throws FileRefusedException, IOException {
        Path encPath = inDir.resolve(file.plainName() + ENC);
        Path sigPath = inDir.resolve(file.plainName() + SIG);
        if (Files.size(encPath) > PAYMENT_FILE_BYTES_MAX) {
            throw new FileRefusedException(FileRefusal.UNREADABLE, "payment file over " + PAYMENT_FILE_BYTES_MAX + " bytes");
        }
        if (Files.size(sigPath) > SIGNATURE_FILE_BYTES_MAX) {
            throw new FileRefusedException(FileRefusal.PROTECTION_FAILED, "signature file is too long to be one");
        }
        byte[] enc = Files.readAllBytes(encPath);
        byte[] signature = decodeSignatureFile(Files.readAllBytes(sigPath));
        boolean verified;
        try {
            verified = gatewayKey.verify(enc, signature);
        } catch (CryptoException e) {
            throw new FileRefusedException(FileRefusal.PROTECTION_FAILED, "signature is malformed: " + e.getMessage());
        }
        if (!verified) {
            throw new FileRefusedException(FileRefusal.PROTECTION_FAILED, "signature does not verify under the gateway's key");
        }
        // Signed by the gateway, yet not decryptable: the gateway used another data key or layout.
        if (enc.length < 2 * Sm4.BLOCK_BYTES || enc.length % Sm4.BLOCK_BYTES != 0) {
            throw new FileRefusedException(FileRefusal.UNREADABLE, "encrypted file is not an IV and whole SM4 blocks");
        }
        try {
            return Sm4.decrypt(Sm4Mode.CBC, dataKey, Arrays.copyOf(enc, Sm4.BLOCK_BYTES),
                    Arrays.copyOfRange(enc, Sm4.BLOCK_BYTES, enc.length));
        } catch (CryptoException e) {
            throw new FileRefusedException(FileRefusal.UNREADABLE, "does not decrypt under the data key: " + e.getMessage());
        }
    }

    /** One line of base64, with or without its line ending. */
    private static byte[] decodeSignatureFile(byte[] file) throws FileRefusedException {
        String text = new String(file, StandardCharsets.US_ASCII);
        if (text.endsWith(CRLF)) {
            text = text.substring(0, text.length() - 2);
        } else if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new FileRefusedException(FileRefusal.PROTECTION_FAILED, "signature file is not one line of base64");
        }
    }

    @Override
    public PaymentFile parse(byte[] plain, InboundFile file, LocalDate processingDay) throws FileRefusedException {
        String text = decodeGbk(plain);
        if (!text.endsWith(CRLF)) {
            throw unreadable("the last line does not end with CRLF");
        }
        String[] lines = text.substring(0, text.length() - 2).split(CRLF, -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].indexOf('\r') >= 0 || lines[i].indexOf('\n') >= 0) {
                throw unreadable("line " + (i + 1) + " holds a bare CR or LF");
            }
        }
        if (lines.length - 1 > RECORDS_MAX) {
            throw unreadable("more than " + RECORDS_MAX + " detail lines");
        }

        String[] summary = fields(lines[0], 5, 1);
        if (!summary[0].equals(unitNumber)) {
            throw unreadable("line 1 field 1: not this bank's payer unit number");
        }
        LocalDate date = Dates.parseCompact(summary[1]);
        if (date == null) {
            throw unreadable("line 1 field 2: not a date yyyyMMdd");
        }
        if (!COUNT.matcher(summary[2]).matches()) {
            throw unreadable("line 1 field 3: not a count");
        }
        int count = Integer.parseInt(summary[2]);
        long totalFen = Yuan.parseFen(summary[3]);
        if (totalFen < 0) {
            throw unreadable("line 1 field 4: not yuan with two decimals");
        }
        if (!FILE_ID.matcher(summary[4]).matches() || !summary[4].equals(file.fileId())) {
            throw unreadable("line 1 field 5: file id is malformed or not the one in the file name");
        }
        if (!date.equals(file.nameDate())) {
            throw unreadable("line 1 field 2: date is not the one in the file name");
        }
        if (!date.equals(processingDay)) {
            throw new FileRefusedException(FileRefusal.NOT_PROCESSING_DAY,
                    "file date " + date + " is not the processing day " + processingDay);
        }

        List<PaymentRecord> records = new ArrayList<>(lines.length - 1);
        long sumFen = 0;
        for (int i = 1; i < lines.length; i++) {
            int lineNumber = i + 1;
            String[] f = fields(lines[i], 8, lineNumber);
            String where = "line " + lineNumber;
            if (!REFERENCE.matcher(f[0]).matches()) {
                throw unreadable(where + " field 1: payee number is not 20 of [0-9A-Z]");
            }
            int nameBytes = f[1].getBytes(GBK).length;
            if (f[1].isEmpty() || nameBytes > NAME_BYTES_MAX) {
                throw unreadable(where + " field 2: name is empty or over " + NAME_BYTES_MAX + " GBK bytes");
            }
            long amountFen = Yuan.parseFen(f[2]);
            if (amountFen <= 0) {
                throw unreadable(where + " field 3: amount is not positive yuan with two decimals");
            }
            if (!ACCOUNT.matcher(f[3]).matches()) {
                throw unreadable(where + " field 4: account is not 16 or 19 digits");
            }
            if (!f[4].equals(summary[0])) {
                throw unreadable(where + " field 5: unit number differs from the summary's");
            }
            if (!f[5].equals(ID_TYPE_RESIDENT)) {
                throw unreadable(where + " field 6: ID type is not 01");
            }
            if (!ID_NUMBER.matcher(f[6]).matches()) {
                throw unreadable(where + " field 7: ID number is not 18 characters");
            }
            if (!SEQUENCE.matcher(f[7]).matches() || Integer.parseInt(f[7]) != i) {
                throw unreadable(where + " field 8: sequence is not " + i);
            }
            // A sum past Long.MAX_VALUE is past any summary total (at most 10^15 fen) too.
            sumFen = sumFen > Long.MAX_VALUE - amountFen ? Long.MAX_VALUE : sumFen + amountFen;
            records.add(new PaymentRecord(i, f[0], f[1], amountFen, f[3], f[6]));
        }
        if (count != records.size()) {
            throw new FileRefusedException(FileRefusal.COUNT_OR_TOTAL_MISMATCH,
                    "summary count " + count + ", detail lines " + records.size());
        }
        if (totalFen != sumFen) {
            throw new FileRefusedException(FileRefusal.COUNT_OR_TOTAL_MISMATCH,
                    "summary total " + totalFen + " fen, details sum to " + sumFen + " fen");
        }
        return new PaymentFile(file.fileId(), date, records);
    }

    private static String decodeGbk(byte[] plain) throws FileRefusedException {
        try {
            return GBK.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(plain))
                    .toString();
        } catch (CharacterCodingException e) {
            throw unreadable("content is not GBK text");
        }
    }

    private static String[] fields(String line, int expected, int lineNumber) throws FileRefusedException {
        String[] fields = line.split("\\|", -1);
        if (fields.length != expected) {
            throw unreadable("line " + lineNumber + ": " + fields.length + " fields, expected " + expected);
        }
        return fields;
    }

    private static FileRefusedException unreadable(String message) {
        return new FileRefusedException(FileRefusal.UNREADABLE, message);
    }

    @Override
    public boolean nameMatches(String nameInFile, String accountName) {
        return nameInFile.equals(accountName);
    }

    @Override
    public String resultName(LocalDate nameDate, String fileId, int part) {
        return "LYBRET_" + Dates.formatCompact(nameDate) + "_" + fileId + (part == 1 ? "" : "_P" + part) + ".txt";
    }

    @Override
    public byte[] encodeResult(ResultPart part) {
        StringBuilder text = new StringBuilder(64 + part.records().size() * 64);
        boolean refused = part.refusal() != null;
        text.append(unitNumber).append('|')
                .append(Dates.formatCompact(part.processingDay())).append('|')
                .append(part.records().size()).append('|')
                .append(Yuan.format(part.totalFen())).append('|')
                .append(part.fileId()).append('|')
                .append(refused ? '1' : '0').append('|')
                .append(refused ? fileReasonCode(part.refusal()) : "0000").append(CRLF);
        for (RecordResult record : part.records()) {
            text.append(record.reference()).append('|')
                    .append(record.cardNumber()).append('|')
                    .append(Yuan.format(record.amountFen())).append('|')
                    .append(record.outcome().paid() ? '0' : '1').append('|')
                    .append(reasonCode(record.outcome())).append('|')
                    .append(reasonText(record.outcome())).append(CRLF);
        }
        return text.toString().getBytes(GBK);
    }

    @Override
    public List<PublishedFile> protect(String plainName, byte[] plain) {
        byte[] iv = new byte[Sm4.BLOCK_BYTES];
        ivRandom.nextBytes(iv);
        byte[] ciphertext = Sm4.encrypt(Sm4Mode.CBC, dataKey, iv, plain);
        byte[] enc = new byte[iv.length + ciphertext.length];
        System.arraycopy(iv, 0, enc, 0, iv.length);
        System.arraycopy(ciphertext, 0, enc, iv.length, ciphertext.length);
        byte[] sig = (Base64.getEncoder().encodeToString(bankKey.sign(enc)) + CRLF).getBytes(StandardCharsets.US_ASCII);
        return List.of(new PublishedFile(plainName + ENC, enc), new PublishedFile(plainName + SIG, sig));
    }

    static String fileReasonCode(FileRefusal refusal) {
        return switch (refusal) {
            case COUNT_OR_TOTAL_MISMATCH -> "F001";
            case NOT_PROCESSING_DAY -> "F002";
            case UNREADABLE -> "F003";
            case PROTECTION_FAILED -> "F004";
        };
    }

    static String reasonCode(RecordOutcome outcome) {
        return switch (outcome) {
            case PAID -> "0000";
            case NAME_MISMATCH -> "E001";
            case ACCOUNT_CLOSED -> "E002";
            case ACCOUNT_FROZEN -> "E003";
            case CREDIT_RESTRICTED -> "E004";
            case NON_SETTLEMENT_ACCOUNT -> "E005";
            case CARD_LOST_OR_REPLACED -> "E006";
            case ACCOUNT_NOT_FOUND -> "E007";
            case DUPLICATE_RECORD -> "E008";
            // LYB's table has no code for an account that is not activated.
            case ACCOUNT_NOT_ACTIVATED, OTHER -> "E099";
        };
    }

    static String reasonText(RecordOutcome outcome) {
        return switch (outcome) {
            case PAID -> "交易成功";
            case NAME_MISMATCH -> "户名不符";
            case ACCOUNT_CLOSED -> "账户已销户";
            case ACCOUNT_FROZEN -> "账户完全冻结";
            case CREDIT_RESTRICTED -> "账户只出不进";
            case NON_SETTLEMENT_ACCOUNT -> "非结算账户";
            case CARD_LOST_OR_REPLACED -> "介质状态异常";
            case ACCOUNT_NOT_FOUND -> "账户不存在";
            case DUPLICATE_RECORD -> "记录重复";
            case ACCOUNT_NOT_ACTIVATED, OTHER -> "其他错误";
        };
    }
}
