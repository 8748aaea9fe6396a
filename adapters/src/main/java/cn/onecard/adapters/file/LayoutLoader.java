package cn.onecard.adapters.file;

import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.file.Binding.Kind;
import cn.onecard.adapters.file.Binding.Section;
import cn.onecard.adapters.file.LayoutSpec.AmountUnit;
import cn.onecard.adapters.file.LayoutSpec.Format;
import cn.onecard.adapters.file.LayoutSpec.LineEnding;
import cn.onecard.adapters.file.LayoutSpec.Padding;
import cn.onecard.adapters.file.LayoutSpec.Protection;
import cn.onecard.iso8583.CodeTable;
import cn.onecard.iso8583.Disposition;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one layout descriptor and checks everything in it; the first fault refuses the layout,
 * naming the file, the key and the reason. Unknown keys are refused, so that a typo cannot leave a
 * default in place.
 */
final class LayoutLoader {

    /** The longest line read or written, in bytes, line ending excluded. */
    static final int LINE_BYTES_MAX = 4096;

    static final Pattern LAYOUT_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final Pattern FIELD = Pattern.compile(
            "(?<name>[A-Za-z][A-Za-z0-9]*)(?:=(?<literal>[^\\s:]+))?(?::(?<type>[AN])(?<width>[0-9]{1,5})?)?(?<cut>:cut)?");
    private static final Pattern BANK_CODE = Pattern.compile("[0-9A-Za-z]{1,8}");
    private static final Set<String> KEYS = Set.of("description", "encoding", "line-ending", "format", "separator",
            "amount-unit", "protection", "fixed.numeric", "fixed.text",
            "payment.file", "payment.header", "payment.detail", "payment.trailer",
            "result.file", "result.part", "result.header", "result.detail", "result.trailer",
            "result.file-status.processed", "result.file-status.refused",
            "result.record-status.paid", "result.record-status.failed", "result.file-reason.processed");

    private final String source;
    private final Properties descriptor;

    private LayoutLoader(String source, Properties descriptor) {
        this.source = source;
        this.descriptor = descriptor;
    }

    /** @param source the descriptor's file name, for messages */
    static FileLayout load(String name, String source, Properties descriptor) {
        if (!LAYOUT_NAME.matcher(name).matches()) {
            throw new FileLayoutException(source + ": a layout name is 1 to 64 of [a-z0-9-], starting with a letter or digit");
        }
        return new FileLayout(new LayoutLoader(source, descriptor).read(name));
    }

    private LayoutSpec read(String name) {
        for (String key : new TreeSet<>(descriptor.stringPropertyNames())) {
            if (!KEYS.contains(key) && !key.startsWith("code.") && !key.startsWith("file-reason.")) {
                throw fault(key, "unknown key");
            }
        }
        String description = descriptor.getProperty("description", "").strip();
        Charset charset = charset();
        LineEnding lineEnding = choice("line-ending", LineEnding.class);
        Format format = choice("format", Format.class);
        char separator = separator(format);
        AmountUnit amountUnit = choice("amount-unit", AmountUnit.class);
        Protection protection = protection();
        Padding numericPadding = padding(format, "fixed.numeric", new Padding(true, (byte) '0'));
        Padding textPadding = padding(format, "fixed.text", new Padding(false, (byte) ' '));
        FieldReader fields = new FieldReader(format, separator, charset);

        NamePattern paymentFile = new NamePattern(source + ": payment.file", required("payment.file"), null, LayoutSpec.DATE_CHARS);
        NamePattern resultFile = new NamePattern(source + ": result.file", required("result.file"),
                required("result.part"), LayoutSpec.DATE_CHARS);

        RecordLayout paymentHeader = fields.record("payment.header", Section.PAYMENT_SUMMARY, true);
        RecordLayout paymentDetail = fields.record("payment.detail", Section.PAYMENT_DETAIL, true);
        RecordLayout paymentTrailer = fields.record("payment.trailer", Section.PAYMENT_SUMMARY, false);
        RecordLayout resultHeader = fields.record("result.header", Section.RESULT_SUMMARY, true);
        RecordLayout resultDetail = fields.record("result.detail", Section.RESULT_DETAIL, true);
        RecordLayout resultTrailer = fields.record("result.trailer", Section.RESULT_SUMMARY, false);

        requireBound("payment.header", paymentHeader, paymentTrailer, Binding.FILE_ID, Binding.COUNT, Binding.TOTAL_AMOUNT);
        requireBound("payment.detail", paymentDetail, null, Binding.REFERENCE, Binding.AMOUNT, Binding.CARD_NUMBER);
        requireBound("result.header", resultHeader, resultTrailer, Binding.FILE_ID, Binding.COUNT, Binding.TOTAL_AMOUNT,
                Binding.FILE_STATUS);
        requireBound("result.detail", resultDetail, null, Binding.REFERENCE, Binding.AMOUNT, Binding.RECORD_STATUS,
                Binding.REASON_CODE);
        for (RecordLayout record : new RecordLayout[]{resultHeader, resultDetail, resultTrailer}) {
            if (record != null) {
                for (FieldSpec field : record.fields()) {
                    if (field.cut()) {
                        throw fault(record.key(), "field " + field.name() + ": ':cut' is for payment files, which the gateway writes");
                    }
                }
            }
        }

        String processed = statusValue("result.file-status.processed", separator);
        String refused = statusValue("result.file-status.refused", separator);
        String paid = statusValue("result.record-status.paid", separator);
        String failed = statusValue("result.record-status.failed", separator);
        if (processed.equals(refused)) {
            throw fault("result.file-status.refused", "must differ from result.file-status.processed");
        }
        if (paid.equals(failed)) {
            throw fault("result.record-status.failed", "must differ from result.record-status.paid");
        }
        checkFits(resultHeader, resultTrailer, Binding.FILE_STATUS, "result.file-status.processed", processed);
        checkFits(resultHeader, resultTrailer, Binding.FILE_STATUS, "result.file-status.refused", refused);
        checkFits(resultDetail, null, Binding.RECORD_STATUS, "result.record-status.paid", paid);
        checkFits(resultDetail, null, Binding.RECORD_STATUS, "result.record-status.failed", failed);
        boolean hasFileReason = resultHeader.has(Binding.FILE_REASON) || (resultTrailer != null && resultTrailer.has(Binding.FILE_REASON));
        String fileReasonProcessed = null;
        if (hasFileReason) {
            fileReasonProcessed = statusValue("result.file-reason.processed", separator);
            checkFits(resultHeader, resultTrailer, Binding.FILE_REASON, "result.file-reason.processed", fileReasonProcessed);
        } else if (descriptor.getProperty("result.file-reason.processed") != null) {
            throw fault("result.file-reason.processed", "result records bind no fileReason");
        }

        CodeTable<BankOutcome> fileReasons = codeTable("file-reason.", BankOutcome.Scope.DISPATCH,
                BankOutcome.BANK_FILE_REASON_UNMAPPED);
        if (!hasFileReason && !fileReasons.entries().isEmpty()) {
            throw fault("file-reason.*", "result records bind no fileReason");
        }
        if (fileReasons.lists(fileReasonProcessed)) {
            throw fault("file-reason." + fileReasonProcessed, "this is the reason of a processed file (result.file-reason.processed)");
        }
        return new LayoutSpec(name, description, charset, lineEnding, format, separator, amountUnit, protection,
                numericPadding, textPadding, paymentFile, resultFile, paymentHeader, paymentDetail, paymentTrailer,
                resultHeader, resultDetail, resultTrailer, processed, refused, paid, failed, fileReasonProcessed, recordCodes(),
                fileReasons);
    }

    private Charset charset() {
        String value = required("encoding");
        Charset charset;
        try {
            charset = Charset.forName(value);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw fault("encoding", "'" + value + "' is not a charset this JVM knows");
        }
        // Every field but names is ASCII, written byte for byte: the charset must write ASCII as ASCII.
        String printable = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
        if (!charset.canEncode() || !Arrays.equals(printable.getBytes(charset), printable.getBytes(StandardCharsets.US_ASCII))) {
            throw fault("encoding", charset.name() + " does not write ASCII as ASCII (GBK, GB18030 and UTF-8 do)");
        }
        return charset;
    }

    private char separator(Format format) {
        String value = descriptor.getProperty("separator");
        if (format == Format.FIXED) {
            if (value != null) {
                throw fault("separator", "a fixed-width layout has no separator");
            }
            return 0;
        }
        if (value == null) {
            throw fault("separator", "required for a delimited layout");
        }
        if (value.length() != 1 || value.charAt(0) <= ' ' || value.charAt(0) >= 127
                || Character.isLetterOrDigit(value.charAt(0)) || value.charAt(0) == '.' || value.charAt(0) == '-') {
            throw fault("separator", "one printable ASCII character other than a letter, a digit, '.', '-' or a space");
        }
        return value.charAt(0);
    }

    private Protection protection() {
        String value = required("protection");
        for (Protection protection : Protection.values()) {
            if (protection.key().equals(value)) {
                return protection;
            }
        }
        throw fault("protection", "'" + value + "' is not one of envelope, sm4cbc-sm2sig");
    }

    private Padding padding(Format format, String key, Padding defaults) {
        String value = descriptor.getProperty(key);
        if (value == null) {
            return defaults;
        }
        if (format != Format.FIXED) {
            throw fault(key, "padding belongs to fixed-width layouts");
        }
        String[] words = value.strip().split("\\s+");
        if (words.length != 2 || !(words[0].equals("left") || words[0].equals("right"))) {
            throw fault(key, "expected 'left' or 'right' and a pad: 'space', 'zero' or one printable ASCII character");
        }
        byte pad = switch (words[1]) {
            case "space" -> (byte) ' ';
            case "zero" -> (byte) '0';
            default -> {
                if (words[1].length() != 1 || words[1].charAt(0) <= ' ' || words[1].charAt(0) >= 127) {
                    throw fault(key, "the pad is 'space', 'zero' or one printable ASCII character");
                }
                yield (byte) words[1].charAt(0);
            }
        };
        return new Padding(words[0].equals("right"), pad);
    }

    private String statusValue(String key, char separator) {
        String value = required(key);
        if (!value.chars().allMatch(c -> c > ' ' && c < 127 && c != separator)) {
            throw fault(key, "printable ASCII without spaces" + (separator == 0 ? "" : " or '" + separator + "'"));
        }
        return value;
    }

    private void checkFits(RecordLayout record, RecordLayout other, Binding binding, String key, String value) {
        for (RecordLayout layout : new RecordLayout[]{record, other}) {
            if (layout == null) {
                continue;
            }
            for (FieldSpec field : layout.fields()) {
                if (field.binding() == binding && field.widthBytes() > 0 && value.length() > field.widthBytes()) {
                    throw fault(key, "'" + value + "' is wider than " + layout.key() + "'s " + field.name() + " ("
                            + field.widthBytes() + " bytes)");
                }
            }
        }
    }

    private void requireBound(String key, RecordLayout record, RecordLayout other, Binding... bindings) {
        for (Binding binding : bindings) {
            if (!record.has(binding) && (other == null || !other.has(binding))) {
                throw fault(key, "must bind " + binding.key() + (other == null ? "" : " (here or in " + other.key() + ")"));
            }
        }
    }

    /**
     * The bank's record codes ({@code code.XXXX = OUTCOME text}) and whole-file reasons
     * ({@code file-reason.XXXX = OUTCOME text}), each mapped to a {@link BankOutcome} of the right
     * scope: a name that is not one, or one the gateway keeps for itself, stops the layout.
     */
    private CodeTable<BankOutcome> codeTable(String prefix, BankOutcome.Scope scope, BankOutcome unlisted) {
        Map<String, BankOutcome> meanings = new LinkedHashMap<>();
        Map<String, String> texts = new LinkedHashMap<>();
        for (String key : new TreeSet<>(descriptor.stringPropertyNames())) {
            if (!key.startsWith(prefix)) {
                continue;
            }
            String code = key.substring(prefix.length());
            if (!BANK_CODE.matcher(code).matches()) {
                throw fault(key, "a bank code is 1 to 8 of [0-9A-Za-z]");
            }
            String[] words = descriptor.getProperty(key).strip().split("\\s+", 2);
            BankOutcome outcome;
            try {
                outcome = BankOutcome.valueOf(words[0]);
            } catch (IllegalArgumentException e) {
                throw fault(key, "'" + words[0] + "' is not a bank outcome of docs/codes.md");
            }
            if (outcome.scope() != scope) {
                throw fault(key, outcome + (outcome.scope() == BankOutcome.Scope.GATEWAY
                        ? " is decided by the gateway itself; no bank code may map to it"
                        : " describes " + (scope == BankOutcome.Scope.ITEM ? "a whole file, not a record" : "a record, not a whole file")));
            }
            if (scope == BankOutcome.Scope.ITEM && outcome.disposition() == Disposition.NOT_PROCESSED) {
                // a file bank answers each record of a file once, and answers the file id again the same way
                throw fault(key, outcome + " means 'send again later', which a file bank's record cannot mean: "
                        + "map the code to a refusal or to an unknown outcome");
            }
            String text = words.length > 1 ? words[1].strip() : "";
            if (text.chars().anyMatch(Character::isISOControl)) {
                throw fault(key, "the bank's text is one line");
            }
            meanings.put(code, outcome);
            texts.put(code, text);
        }
        return new CodeTable<>(BankOutcome.class, unlisted, meanings, Map.of(), texts);
    }

    private CodeTable<BankOutcome> recordCodes() {
        CodeTable<BankOutcome> codes = codeTable("code.", BankOutcome.Scope.ITEM, BankOutcome.BANK_CODE_UNMAPPED);
        long paidCodes = codes.entries().values().stream().filter(outcome -> outcome == BankOutcome.PAID).count();
        if (paidCodes != 1) {
            throw fault("code.*", "the code table needs exactly one code that means paid (code.XXXX = PAID), not " + paidCodes);
        }
        return codes;
    }

    private String required(String key) {
        String value = descriptor.getProperty(key);
        if (value == null || value.isBlank()) {
            throw fault(key, "required");
        }
        return value.strip();
    }

    private <E extends Enum<E>> E choice(String key, Class<E> type) {
        String value = required(key);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name().toLowerCase(Locale.ROOT));
        }
        throw fault(key, "'" + value + "' is not one of " + String.join(", ", names));
    }

    private FileLayoutException fault(String key, String reason) {
        return new FileLayoutException(source + ": " + key + ": " + reason);
    }

    /** Reads the field lists of records. */
    private final class FieldReader {
        private final Format format;
        private final char separator;
        private final Charset charset;

        FieldReader(Format format, char separator, Charset charset) {
            this.format = format;
            this.separator = separator;
            this.charset = charset;
        }

        RecordLayout record(String key, Section section, boolean required) {
            String value = descriptor.getProperty(key);
            if (value == null || value.isBlank()) {
                if (required) {
                    throw fault(key, "required");
                }
                return null;
            }
            List<FieldSpec> fields = new ArrayList<>();
            Set<Binding> seen = EnumSet.noneOf(Binding.class);
            Set<String> names = new HashSet<>();
            int width = 0;
            for (String token : value.strip().split("\\s+")) {
                FieldSpec field = field(key, section, token);
                if (field.binding() != Binding.FILLER && field.binding() != Binding.CONSTANT && !seen.add(field.binding())) {
                    throw fault(key, field.name() + " is bound twice");
                }
                if (field.binding() == Binding.CONSTANT && !names.add(field.name())) {
                    throw fault(key, "constant " + field.name() + " appears twice");
                }
                width += field.widthBytes();
                fields.add(field);
            }
            if (width > LINE_BYTES_MAX) {
                throw fault(key, "records wider than " + LINE_BYTES_MAX + " bytes are not supported");
            }
            return new RecordLayout(key, fields, width);
        }

        private FieldSpec field(String key, Section section, String token) {
            Matcher matcher = FIELD.matcher(token);
            if (!matcher.matches()) {
                throw fault(key, "'" + token + "' is not a field: NAME[=LITERAL][:A|N[WIDTH]][:cut]");
            }
            String name = matcher.group("name");
            String literal = matcher.group("literal");
            String type = matcher.group("type");
            String widthText = matcher.group("width");
            boolean cut = matcher.group("cut") != null;
            Binding binding;
            if (literal != null) {
                if (Binding.byKey(name) != null) {
                    throw fault(key, name + " is a bound value, not a constant's name");
                }
                if (!literal.chars().allMatch(c -> c > ' ' && c < 127 && c != separator)) {
                    throw fault(key, "constant " + name + ": printable ASCII without spaces"
                            + (separator == 0 ? "" : " or '" + separator + "'"));
                }
                binding = Binding.CONSTANT;
            } else {
                binding = Binding.byKey(name);
                if (binding == null) {
                    throw fault(key, "'" + name + "' is not a bound value (see docs/files/layouts.md) and has no '=' constant");
                }
                if (!binding.allowedIn(section)) {
                    throw fault(key, name + " does not belong in " + key);
                }
            }
            if (type != null && widthText == null && format == Format.FIXED && binding != Binding.CONSTANT) {
                throw fault(key, "field " + name + " needs a width in bytes in a fixed-width layout, e.g. :" + type + "20");
            }
            boolean numeric = "N".equals(type) || binding.kind() != Kind.TEXT;
            if ("A".equals(type) && binding.kind() != Kind.TEXT) {
                throw fault(key, "field " + name + " is a number, amount or date: type N");
            }
            int width = widthText == null ? 0 : Integer.parseInt(widthText);
            if (widthText != null && (width < 1 || width > LINE_BYTES_MAX)) {
                throw fault(key, "field " + name + ": width 1 to " + LINE_BYTES_MAX + " bytes");
            }
            if (binding == Binding.CONSTANT) {
                int literalBytes = literal.getBytes(charset).length;
                if (width == 0 && format == Format.FIXED) {
                    width = literalBytes;
                }
                if (width > 0 && literalBytes > width) {
                    throw fault(key, "constant " + name + " is wider than its " + width + " bytes");
                }
                if (numeric && !literal.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw fault(key, "constant " + name + " is declared N but is not digits");
                }
            } else if (format == Format.FIXED && width == 0) {
                throw fault(key, "field " + name + " needs a width in bytes in a fixed-width layout, e.g. :A20");
            }
            if (binding.kind() == Kind.DATE && (width != 0 || format == Format.FIXED) && width != LayoutSpec.DATE_CHARS) {
                throw fault(key, "field " + name + ": dates are yyyyMMdd, 8 bytes");
            }
            if (cut && (binding.kind() != Kind.TEXT || binding == Binding.CONSTANT || width == 0 || numeric)) {
                throw fault(key, "field " + name + ": only text fields with a width (A) may be cut");
            }
            return new FieldSpec(literal != null ? name : binding.key(), binding, literal, numeric, width, cut);
        }
    }
}
