package cn.onecard.gateway.intake;

import cn.onecard.crypto.Sm3;
import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import cn.onecard.iso8583.InputText;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads a treasury batch as a stream, the API's JSON body or the inbox's JSON Lines, handing each
 * item to a sink as soon as it is read, so a million-item batch never sits in memory. Checks
 * structure only (fields, types, lengths, identifiers); the items' data is checked later. The
 * content is decoded as strict UTF-8 (an overlong form, an encoded surrogate or another encoding is
 * refused), no text may hold a control character or a lone surrogate, and the amounts must add up
 * without overflow however they are grouped. Any fault is an {@link ApiException} naming the
 * field's path (an unexpected name quoted and escaped), never its value.
 *
 * <p>It also computes the batch's content fingerprint: SM3 over a canonical form of the header and
 * items, so the same batch sent again with other whitespace or field order is recognised.
 */
public final class BatchParser {

    public static final int STRING_CHARS_MAX = 2_048;
    static final int ITEM_STRING_CHARS_MAX = 64;

    private static final Pattern IDENTIFIER = Pattern.compile("[0-9A-Za-z_-]{1,40}");
    private static final Pattern PROGRAM_CODE = Pattern.compile("[0-9A-Za-z_-]{1,20}");
    private static final Pattern ACCOUNT = Pattern.compile("[0-9A-Za-z]{1,40}");
    /** A month from January 2000 to December 2099. */
    private static final Pattern PERIOD = Pattern.compile("20[0-9]{2}(0[1-9]|1[0-2])");
    private static final byte FIELD_SEPARATOR = 0x1F;
    private static final byte RECORD_SEPARATOR = 0x1E;
    private static final byte NULL_MARK = 0x00;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxStringLength(STRING_CHARS_MAX)
                    .maxNameLength(64)
                    .maxNumberLength(30)
                    .build())
            .build();

    /** Receives the items in order. */
    @FunctionalInterface
    public interface ItemSink {
        void accept(BatchItem item);
    }

    /** What the parser learned: the header, the items' actual count and sum, the fingerprint. */
    public record Parsed(BatchHeader header, int itemsRead, long itemsTotalFen, byte[] contentSm3) {
    }

    private final int itemsMax;

    public BatchParser(int itemsMax) {
        this.itemsMax = itemsMax;
    }

    /** Reads the API's JSON body: one object with the header fields and {@code items}. */
    public Parsed parseJson(InputStream body, ItemSink sink) {
        HeaderFields header = new HeaderFields();
        ItemReader items = new ItemReader(sink);
        try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), strictUtf8(body))) {
            expect(parser.nextToken(), JsonToken.START_OBJECT, "$", "the body must be a JSON object");
            boolean sawItems = false;
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                String name = parser.currentName();
                parser.nextToken();
                if (name.equals("items")) {
                    if (sawItems) {
                        throw ApiException.field(ApiCode.BAD_FIELD, "items", "given twice");
                    }
                    sawItems = true;
                    expect(parser.currentToken(), JsonToken.START_ARRAY, "items", "must be an array");
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        items.read(parser);
                    }
                } else {
                    header.read(name, parser);
                }
            }
            if (parser.nextToken() != null) {
                throw new ApiException(ApiCode.MALFORMED_JSON, "content follows the batch object");
            }
            if (!sawItems) {
                throw ApiException.field(ApiCode.MISSING_FIELD, "items", "is required");
            }
        } catch (StreamConstraintsException e) {
            throw new ApiException(ApiCode.BAD_FIELD, "a value or name is too long or too deeply nested");
        } catch (JacksonException e) {
            throw malformed(e);
        }
        return finish(header, items);
    }

    /** Reads the inbox's JSON Lines: the header object on line 1, then one item object per line. */
    public Parsed parseJsonLines(InputStream content, ItemSink sink) {
        HeaderFields header = new HeaderFields();
        ItemReader items = new ItemReader(sink);
        try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), strictUtf8(content))) {
            expect(parser.nextToken(), JsonToken.START_OBJECT, "line 1", "the first line must be the batch object");
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                String name = parser.currentName();
                parser.nextToken();
                if (name.equals("items")) {
                    throw ApiException.field(ApiCode.UNKNOWN_FIELD, "items", "items follow the first line, one per line");
                }
                header.read(name, parser);
            }
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                items.read(parser);
            }
        } catch (StreamConstraintsException e) {
            throw new ApiException(ApiCode.BAD_FIELD, "a value or name is too long or too deeply nested");
        } catch (JacksonException e) {
            throw malformed(e);
        }
        return finish(header, items);
    }

    private Parsed finish(HeaderFields fields, ItemReader items) {
        BatchHeader header = fields.build();
        Sm3.Hasher hasher = Sm3.newHasher();
        for (String value : new String[] {header.batchId(), header.programCode(), header.programName(), header.period(),
                header.payerAccount(), header.callbackUrl(), Integer.toString(header.itemCount()),
                Long.toString(header.totalAmountFen())}) {
            hasher.update(value.getBytes(StandardCharsets.UTF_8)).update(new byte[] {FIELD_SEPARATOR});
        }
        hasher.update(items.hasher.finish());
        return new Parsed(header, items.count, items.totalFen, hasher.finish());
    }

    /**
     * The content decoded as UTF-8 that refuses what a lenient decoder lets through: overlong forms,
     * encoded surrogates, bytes of another encoding. (RFC 8259: JSON text exchanged between systems
     * is UTF-8.)
     */
    private static Reader strictUtf8(InputStream content) {
        return new InputStreamReader(content, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
    }

    private static ApiException malformed(JacksonException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof CharacterCodingException) {
                return new ApiException(ApiCode.MALFORMED_JSON, "the body is not UTF-8 (a byte sequence no UTF-8 "
                        + "encoder writes: an overlong form, an encoded surrogate, another encoding)");
            }
        }
        // Jackson's own message may quote the offending text; report only where it stopped.
        var location = e.getLocation();
        String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        return new ApiException(ApiCode.MALFORMED_JSON, "the body is not well-formed JSON" + where);
    }

    /** The path of a member: {@code base.name}, or {@code base["..."]} quoted and escaped for a name out of the ordinary. */
    static String member(String base, String name) {
        String shown = InputText.isIdentifier(name) ? name : "[" + InputText.quoted(name) + "]";
        return base.isEmpty() || shown.startsWith("[") ? base + shown : base + "." + shown;
    }

    private static void expect(JsonToken actual, JsonToken expected, String path, String reason) {
        if (actual != expected) {
            if (actual == null) {
                throw new ApiException(ApiCode.MALFORMED_JSON, "the body ends early (" + path + ")");
            }
            throw ApiException.field(ApiCode.BAD_FIELD, path, reason);
        }
    }

    private static String string(JsonParser parser, String path, int charsMax, boolean nullable) {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            if (nullable) {
                return null;
            }
            throw ApiException.field(ApiCode.MISSING_FIELD, path, "must not be null");
        }
        if (token != JsonToken.VALUE_STRING) {
            throw ApiException.field(ApiCode.BAD_FIELD, path, "must be a string");
        }
        String value = parser.getString();
        if (value.length() > charsMax) {
            throw ApiException.field(ApiCode.BAD_FIELD, path, "longer than " + charsMax + " characters");
        }
        requirePlainText(value, path);
        return value;
    }

    /** Refuses a control character (which no stored text may hold; PostgreSQL refuses NUL) or a lone surrogate. */
    private static void requirePlainText(String value, String path) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw ApiException.field(ApiCode.BAD_FIELD, path, "must not hold a control character");
            }
            if (isLayoutControl(c)) {
                throw ApiException.field(ApiCode.BAD_FIELD, path,
                        "must not hold a line or paragraph separator or a bidirectional control");
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ApiException.field(ApiCode.BAD_FIELD, path, "holds a lone surrogate, which is not Unicode text");
            }
        }
    }

    /**
     * Characters that change how a text is laid out rather than what it says: a name holding one can
     * break a bank file's line or show a reader other characters than it holds (U+202E). Listed by
     * code point, not by the JDK's Unicode tables, so the rule does not move with the Java version.
     */
    private static boolean isLayoutControl(char c) {
        return c == '\u2028' || c == '\u2029' // line and paragraph separators
                || c == '\u061C' || c == '\u200E' || c == '\u200F' // Arabic letter mark, left-to-right and right-to-left marks
                || (c >= '\u202A' && c <= '\u202E') // embeddings and overrides
                || (c >= '\u2066' && c <= '\u2069'); // isolates
    }

    private static String matching(JsonParser parser, String path, Pattern pattern, String rule) {
        String value = string(parser, path, STRING_CHARS_MAX, false);
        if (!pattern.matcher(value).matches()) {
            throw ApiException.field(ApiCode.BAD_FIELD, path, "must be " + rule);
        }
        return value;
    }

    private static long integer(JsonParser parser, String path) {
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            throw ApiException.field(ApiCode.MISSING_FIELD, path, "must not be null");
        }
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw ApiException.field(ApiCode.BAD_FIELD, path, "must be a whole number");
        }
        JsonParser.NumberType type = parser.getNumberType();
        if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
            throw ApiException.field(ApiCode.BAD_FIELD, path, "out of range");
        }
        return parser.getLongValue();
    }

    private static boolean bool(JsonParser parser, String path) {
        return switch (parser.currentToken()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            case VALUE_NULL -> throw ApiException.field(ApiCode.MISSING_FIELD, path, "must not be null");
            default -> throw ApiException.field(ApiCode.BAD_FIELD, path, "must be true or false");
        };
    }

    private static void once(Object previous, String path) {
        if (previous != null) {
            throw ApiException.field(ApiCode.BAD_FIELD, path, "given twice");
        }
    }

    private static <T> T required(T value, String path) {
        if (value == null) {
            throw ApiException.field(ApiCode.MISSING_FIELD, path, "is required");
        }
        return value;
    }

    private static final class HeaderFields {
        String batchId;
        String programCode;
        String programName;
        String period;
        String payerAccount;
        String callbackUrl;
        Long itemCount;
        Long totalAmountFen;

        void read(String name, JsonParser parser) {
            switch (name) {
                case "batchId" -> {
                    once(batchId, name);
                    batchId = matching(parser, name, IDENTIFIER, "1 to 40 of [0-9A-Za-z_-]");
                }
                case "programCode" -> {
                    once(programCode, name);
                    programCode = matching(parser, name, PROGRAM_CODE, "1 to 20 of [0-9A-Za-z_-]");
                }
                case "programName" -> {
                    once(programName, name);
                    programName = string(parser, name, 100, false);
                    if (programName.isBlank()) {
                        throw ApiException.field(ApiCode.BAD_FIELD, name, "must not be blank");
                    }
                }
                case "period" -> {
                    once(period, name);
                    period = matching(parser, name, PERIOD, "a real month, yyyyMM, from 200001 to 209912");
                }
                case "payerAccount" -> {
                    once(payerAccount, name);
                    payerAccount = matching(parser, name, ACCOUNT, "1 to 40 of [0-9A-Za-z]");
                }
                case "callbackUrl" -> {
                    once(callbackUrl, name);
                    callbackUrl = string(parser, name, 500, false);
                    checkUrl(callbackUrl, name);
                }
                case "itemCount" -> {
                    once(itemCount, name);
                    itemCount = integer(parser, name);
                    if (itemCount < 1) {
                        throw ApiException.field(ApiCode.BAD_FIELD, name, "must be at least 1");
                    }
                }
                case "totalAmountFen" -> {
                    once(totalAmountFen, name);
                    totalAmountFen = integer(parser, name);
                }
                default -> throw ApiException.field(ApiCode.UNKNOWN_FIELD, member("", name), "is not a field of a batch");
            }
        }

        BatchHeader build() {
            long count = required(itemCount, "itemCount");
            if (count > Integer.MAX_VALUE) {
                throw ApiException.field(ApiCode.BAD_FIELD, "itemCount", "out of range");
            }
            return new BatchHeader(required(batchId, "batchId"), required(programCode, "programCode"),
                    required(programName, "programName"), required(period, "period"),
                    required(payerAccount, "payerAccount"), required(callbackUrl, "callbackUrl"), (int) count,
                    required(totalAmountFen, "totalAmountFen"));
        }

        private static void checkUrl(String url, String path) {
            try {
                URI uri = new URI(url);
                String scheme = uri.getScheme();
                if (!uri.isAbsolute() || uri.getHost() == null
                        || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
                    throw ApiException.field(ApiCode.BAD_FIELD, path, "must be an absolute http or https URL");
                }
            } catch (URISyntaxException e) {
                throw ApiException.field(ApiCode.BAD_FIELD, path, "must be an absolute http or https URL");
            }
        }
    }

    private final class ItemReader {
        private final ItemSink sink;
        private final Sm3.Hasher hasher = Sm3.newHasher();
        private final byte[] separator = {FIELD_SEPARATOR};
        int count;
        long totalFen;
        /** The amounts' absolute values added up: while it fits, so does every sum of any group of them. */
        long absoluteTotalFen;

        ItemReader(ItemSink sink) {
            this.sink = sink;
        }

        void read(JsonParser parser) {
            int seq = count + 1;
            String base = "items[" + count + "]";
            if (seq > itemsMax) {
                throw new ApiException(ApiCode.TOO_MANY_ITEMS, "a batch holds at most " + itemsMax + " items");
            }
            expect(parser.currentToken(), JsonToken.START_OBJECT, base, "must be an object");
            String itemId = null;
            String name = null;
            String idNumber = null;
            String cardNumber = null;
            Long amountFen = null;
            Boolean householdHead = null;
            String proxyId = null;
            boolean sawProxy = false;
            String phone = null;
            boolean sawPhone = false;
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                String field = parser.currentName();
                parser.nextToken();
                String path = member(base, field);
                switch (field) {
                    case "itemId" -> {
                        once(itemId, path);
                        itemId = matching(parser, path, IDENTIFIER, "1 to 40 of [0-9A-Za-z_-]");
                    }
                    case "name" -> {
                        once(name, path);
                        name = string(parser, path, ITEM_STRING_CHARS_MAX, false);
                    }
                    case "idNumber" -> {
                        once(idNumber, path);
                        idNumber = string(parser, path, ITEM_STRING_CHARS_MAX, false);
                    }
                    case "cardNumber" -> {
                        once(cardNumber, path);
                        cardNumber = string(parser, path, ITEM_STRING_CHARS_MAX, false);
                    }
                    case "amountFen" -> {
                        once(amountFen, path);
                        amountFen = integer(parser, path);
                    }
                    case "householdHead" -> {
                        once(householdHead, path);
                        householdHead = bool(parser, path);
                    }
                    case "proxyId" -> {
                        if (sawProxy) {
                            throw ApiException.field(ApiCode.BAD_FIELD, path, "given twice");
                        }
                        sawProxy = true;
                        proxyId = string(parser, path, ITEM_STRING_CHARS_MAX, true);
                    }
                    case "phone" -> {
                        if (sawPhone) {
                            throw ApiException.field(ApiCode.BAD_FIELD, path, "given twice");
                        }
                        sawPhone = true;
                        phone = string(parser, path, ITEM_STRING_CHARS_MAX, true);
                    }
                    default -> throw ApiException.field(ApiCode.UNKNOWN_FIELD, path, "is not a field of an item");
                }
            }
            BatchItem item = new BatchItem(seq, required(itemId, base + ".itemId"), required(name, base + ".name"),
                    required(idNumber, base + ".idNumber"), required(cardNumber, base + ".cardNumber"),
                    required(amountFen, base + ".amountFen"), householdHead != null && householdHead, proxyId, phone);
            count = seq;
            try {
                absoluteTotalFen = Math.addExact(absoluteTotalFen, Math.absExact(item.amountFen()));
                totalFen += item.amountFen();
            } catch (ArithmeticException e) {
                throw ApiException.field(ApiCode.BAD_FIELD, base + ".amountFen", "the amounts of the batch, counted "
                        + "without their signs, add up beyond 9223372036854775807 fen");
            }
            digest(item);
            sink.accept(item);
        }

        private void digest(BatchItem item) {
            for (String value : new String[] {item.itemId(), item.name(), item.idNumber(), item.cardNumber(),
                    Long.toString(item.amountFen()), Boolean.toString(item.householdHead()), item.proxyId(), item.phone()}) {
                if (value == null) {
                    hasher.update(new byte[] {NULL_MARK});
                } else {
                    hasher.update(value.getBytes(StandardCharsets.UTF_8));
                }
                hasher.update(separator);
            }
            hasher.update(new byte[] {RECORD_SEPARATOR});
        }
    }
}
