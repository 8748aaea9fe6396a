package cn.onecard.gateway.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The text forms of the iso8583 commands: a frame as hex digits (as operators copy it out of traces
 * and logs) and a message as JSON ({@code Dialect.describe}'s tree). A complaint about either says
 * where, never what: the input may hold a card number.
 */
final class IsoText {

    /** A frame is at most 64 KiB; its hex, spaced and broken into lines, stays far under this. */
    static final int INPUT_BYTES_MAX = 1024 * 1024;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final ObjectWriter PRETTY = JSON.writer().with(new DefaultPrettyPrinter(Separators.createDefaultInstance()
            .withObjectNameValueSpacing(Separators.Spacing.AFTER).withObjectEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("  ", "\n")));

    private IsoText() {
    }

    /** The bytes of hex digits in either case; spaces, tabs and line breaks between them are ignored. */
    static byte[] frameFromHex(byte[] text) {
        byte[] frame = new byte[text.length / 2];
        int length = 0;
        int high = -1;
        int line = 1;
        int column = 0;
        for (byte b : text) {
            column++;
            if (b == '\n') {
                line++;
                column = 0;
                continue;
            }
            if (b == ' ' || b == '\t' || b == '\r') {
                continue;
            }
            int digit = b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10 : b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
            if (digit < 0) {
                throw new CliInputException("frame is not hex: line " + line + ", column " + column + " is not a hex digit");
            }
            if (high < 0) {
                high = digit;
            } else {
                frame[length++] = (byte) (high << 4 | digit);
                high = -1;
            }
        }
        if (high >= 0) {
            throw new CliInputException("frame is not hex: it has an odd number of hex digits");
        }
        if (length == 0) {
            throw new CliInputException("no frame in the input: expected its hex digits");
        }
        return Arrays.copyOf(frame, length);
    }

    /** The tree as JSON: two-space indent, members in the tree's order, a final line break. */
    static String toJson(Map<String, Object> tree) {
        return PRETTY.writeValueAsString(tree) + "\n";
    }

    /** A JSON object, members in the order given; refused unless it is one object and nothing after it. */
    static Map<String, Object> messageFromJson(byte[] text) {
        JsonNode tree;
        try {
            tree = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new CliInputException(problem(e));
        }
        if (tree == null || tree.isMissingNode()) {
            throw new CliInputException("no message in the input: expected JSON as decode prints it");
        }
        if (!tree.isObject()) {
            throw new CliInputException("the JSON is not an object: expected a message as decode prints it");
        }
        // decode's masked output says "masked": true, which the dialect refuses to encode
        return JSON.convertValue(tree, new TypeReference<LinkedHashMap<String, Object>>() { });
    }

    /** Where the JSON went wrong, and a hint of why, without Jackson's message (it may quote the input). */
    private static String problem(JacksonException e) {
        TokenStreamLocation location = e.getLocation();
        String where = location == null || location.getLineNr() < 1 ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
        if (e instanceof UnexpectedEndOfInputException) {
            return "the JSON ends early" + where;
        }
        if (String.valueOf(e.getOriginalMessage()).startsWith("Duplicate")) {
            return "the JSON names a member twice in one object" + where;
        }
        return "not valid JSON" + where;
    }
}
