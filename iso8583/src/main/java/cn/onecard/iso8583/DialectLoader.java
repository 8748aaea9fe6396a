package cn.onecard.iso8583;

import cn.onecard.crypto.MacAlgorithm;
import cn.onecard.crypto.MalformedInputException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds a {@link Dialect} from its descriptor (a properties file, keys in docs/iso8583/README.md)
 * and the spec files it names, and refuses a descriptor that is wrong anywhere: an unknown key, a
 * match field the spec does not define, a MAC field of the wrong size, a message type whose preset
 * values the spec cannot write.
 */
final class DialectLoader {

    /** Opens the spec files a descriptor names, relative to where the descriptor came from. */
    interface SpecFiles {
        InputStream open(String file);
    }

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final Pattern MTI = Pattern.compile("\\d{4}");
    private static final Pattern LIST_SEPARATOR = Pattern.compile("[\\s,]+");
    private static final Set<String> KEYS = Set.of("description", "spec", "spec.override", "charset", "frame.length-header", "frame.tpdu-bytes",
            "frame.header-bytes", "frame.bytes-max", "match.fields", "reply.fields", "mac.algorithm", "mac.field", "mac.data",
            "mac.bytes", "mac.required", "mask.pan", "mask.hidden", "echo", "sign-on.message", "sign-on.mac-key", "sign-on.pin-key");
    private static final List<String> KEY_PREFIXES = List.of("layout.", "code.", "answer.", "message.");

    private DialectLoader() {
    }

    static Dialect load(String name, Properties descriptor, SpecFiles files) {
        String source = name + ".dialect.properties";
        if (!NAME.matcher(name).matches()) {
            throw new DialectException(source + ": a dialect name is lower-case letters, digits and '-'");
        }
        for (String key : descriptor.stringPropertyNames()) {
            if (!KEYS.contains(key) && KEY_PREFIXES.stream().noneMatch(key::startsWith)) {
                throw new DialectException(source + ": unknown key '" + key + "'");
            }
        }
        Reader reader = new Reader(source, descriptor);

        String specFile = reader.required("spec");
        MessageLayout base = SpecLoader.loadBase(files.open(specFile), specFile);
        String baseOverride = descriptor.getProperty("spec.override");
        if (baseOverride != null && !baseOverride.isBlank()) {
            // a dialect that differs from another in a few fields: the other's spec, and these fields for every MTI
            base = base.overriddenBy(SpecLoader.loadOverride(files.open(baseOverride.strip()), baseOverride.strip()));
        }
        checkBitmapCoversFields(base, specFile);
        Map<String, MessageLayout> layouts = new HashMap<>();
        Map<String, FieldSpec[]> overrideFiles = new HashMap<>();
        for (String key : reader.keysStartingWith("layout.")) {
            String mti = key.substring("layout.".length());
            if (!MTI.matcher(mti).matches()) {
                throw new DialectException(source + ": " + key + " must name an MTI of 4 digits");
            }
            String file = reader.required(key);
            FieldSpec[] override = overrideFiles.computeIfAbsent(file, f -> SpecLoader.loadOverride(files.open(f), f));
            MessageLayout layout = base.overriddenBy(override);
            checkBitmapCoversFields(layout, file);
            layouts.put(mti, layout);
        }

        Charset charset = charset(source, reader.optional("charset", "GBK"));
        Framing framing;
        try {
            framing = new Framing(LengthHeader.fromConfigName(reader.required("frame.length-header")),
                    reader.integer("frame.tpdu-bytes", 0), reader.integer("frame.header-bytes", 0),
                    reader.integer("frame.bytes-max", 2048));
        } catch (DialectException e) {
            throw new DialectException(source + ": " + e.getMessage());
        }

        List<String> matchFields = reader.list("match.fields", "11 41");
        List<String> replyFields = reader.list("reply.fields", null);
        for (String path : matchFields) {
            requireDefined(source, base, path, "match.fields");
        }
        for (String path : replyFields) {
            requireDefined(source, base, path, "reply.fields");
            if (path.contains(".")) {
                throw new DialectException(source + ": reply.fields lists whole fields, not " + path);
            }
        }

        MacRule macRule = macRule(source, reader, base, layouts);
        CodeTable<ResultCode> codes = codeTable(source, reader);
        if (macRule != null && !codes.hasCodeFor(ResultCode.MAC_ERROR)) {
            throw new DialectException(source + ": a dialect with a MAC rule needs a code for MAC_ERROR, to refuse a bad MAC");
        }
        List<MessageLayout> allLayouts = new ArrayList<>(layouts.values());
        allLayouts.add(base);
        FieldMasking masking = masking(source, reader, allLayouts);

        Dialect draft = new Dialect(name, reader.optional("description", ""), framing, base, layouts, charset, macRule, codes,
                matchFields, replyFields, masking, Map.of(), null, null);
        Map<String, MessageType> types = messageTypes(source, reader, draft);
        String echo = descriptor.getProperty("echo");
        if (echo != null && !types.containsKey(echo.strip())) {
            throw new DialectException(source + ": echo names message type '" + echo.strip() + "', which is not defined");
        }
        Dialect typed = new Dialect(name, reader.optional("description", ""), framing, base, layouts, charset, macRule, codes,
                matchFields, replyFields, masking, types, echo == null ? null : echo.strip(), null);
        SignOn signOn = signOn(source, reader, typed);
        return signOn == null ? typed : new Dialect(name, reader.optional("description", ""), framing, base, layouts, charset,
                macRule, codes, matchFields, replyFields, masking, types, echo == null ? null : echo.strip(), signOn);
    }

    /** The sign-on with working keys, where the descriptor names one: its keys travel in binary sub-fields of the answer. */
    private static SignOn signOn(String source, Reader reader, Dialect typed) {
        if (!reader.has("sign-on.message")) {
            for (String key : List.of("sign-on.mac-key", "sign-on.pin-key")) {
                if (reader.has(key)) {
                    throw new DialectException(source + ": " + key + " is set but sign-on.message is not");
                }
            }
            return null;
        }
        String typeName = reader.required("sign-on.message");
        MessageType type = typed.messageTypes().get(typeName);
        if (type == null) {
            throw new DialectException(source + ": sign-on.message names message type '" + typeName + "', which is not defined");
        }
        if (typed.macRule().isEmpty()) {
            throw new DialectException(source + ": sign-on.message hands out MAC keys, but the dialect has no MAC rule");
        }
        MessageLayout answer = typed.layout(Dialect.responseMti(type.mti()));
        SignOn.KeyField macKey = keyField(source, reader, "sign-on.mac-key", answer);
        SignOn.KeyField pinKey = reader.has("sign-on.pin-key") ? keyField(source, reader, "sign-on.pin-key", answer) : null;
        return new SignOn(typeName, macKey, java.util.Optional.ofNullable(pinKey), typed.macRule().get().algorithm());
    }

    private static SignOn.KeyField keyField(String source, Reader reader, String key, MessageLayout answer) {
        List<String> paths = reader.list(key, null);
        if (paths.size() != 2) {
            throw new DialectException(source + ": " + key + " names two sub-fields: the encrypted key, then its check value");
        }
        for (String path : paths) {
            requireDefined(source, answer, path, key);
            int dot = path.indexOf('.');
            FieldSpec field = answer.field(Integer.parseInt(dot < 0 ? path : path.substring(0, dot)));
            if (dot >= 0) {
                field = field.subField(Integer.parseInt(path.substring(dot + 1)));
            }
            if (!field.kind().holdsBytes()) {
                throw new DialectException(source + ": " + key + " names " + path + ", which does not hold bytes");
            }
        }
        return new SignOn.KeyField(paths.get(0), paths.get(1));
    }

    private static void checkBitmapCoversFields(MessageLayout layout, String source) {
        if (layout.hasSecondaryBitmap()) {
            return;
        }
        for (int field = 65; field <= MessageLayout.FIELD_MAX; field++) {
            if (layout.field(field) != null) {
                throw new DialectException(source + ": field " + field + " needs a secondary bitmap: declare field 1 with length 16");
            }
        }
    }

    private static Charset charset(String source, String name) {
        Charset charset;
        try {
            charset = Charset.forName(name);
        } catch (IllegalArgumentException e) {
            throw new DialectException(source + ": unknown charset '" + name + "'");
        }
        String ascii = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
        if (!Arrays.equals(ascii.getBytes(charset), ascii.getBytes(StandardCharsets.US_ASCII))) {
            throw new DialectException(source + ": charset " + name + " does not write ASCII as ASCII; fields of digits need it to");
        }
        return charset;
    }

    private static void requireDefined(String source, MessageLayout layout, String path, String key) {
        int dot = path.indexOf('.');
        FieldSpec field;
        try {
            field = layout.field(Integer.parseInt(dot < 0 ? path : path.substring(0, dot)));
            if (field != null && dot >= 0) {
                field = field.subField(Integer.parseInt(path.substring(dot + 1)));
            }
        } catch (NumberFormatException e) {
            throw new DialectException(source + ": " + key + " holds '" + path + "', which is not a field path like 11 or 60.3");
        }
        if (field == null) {
            throw new DialectException(source + ": " + key + " names field " + path + ", which the spec does not define");
        }
    }

    private static MacRule macRule(String source, Reader reader, MessageLayout base, Map<String, MessageLayout> layouts) {
        String algorithmName = reader.optional("mac.algorithm", "none");
        if (algorithmName.equals("none")) {
            for (String key : List.of("mac.field", "mac.data", "mac.bytes", "mac.required")) {
                if (reader.has(key)) {
                    throw new DialectException(source + ": " + key + " is set but mac.algorithm is none");
                }
            }
            return null;
        }
        MacAlgorithm algorithm;
        try {
            algorithm = MacAlgorithm.fromConfigName(algorithmName);
        } catch (MalformedInputException e) {
            throw new DialectException(source + ": " + e.getMessage());
        }
        int field = reader.integer("mac.field", 64);
        if (field != 64 && field != 128) {
            throw new DialectException(source + ": mac.field must be 64 or 128");
        }
        if (field == 64 && (base.hasSecondaryBitmap() || layouts.values().stream().anyMatch(MessageLayout::hasSecondaryBitmap))) {
            throw new DialectException(source + ": a MAC in field 64 would not cover fields 65 to 128; with a secondary bitmap"
                    + " the MAC goes in field 128");
        }
        int macBytes = reader.integer("mac.bytes", algorithm.macBytes());
        if (macBytes < 4 || macBytes > algorithm.macBytes()) {
            throw new DialectException(source + ": mac.bytes must be 4 to " + algorithm.macBytes() + " for " + algorithmName);
        }
        List<MessageLayout> allLayouts = new ArrayList<>(layouts.values());
        allLayouts.add(base);
        for (MessageLayout layout : allLayouts) {
            FieldSpec spec = layout.field(field);
            if (spec == null || !spec.kind().holdsBytes() || spec.kind().isVariable() || spec.maxLength() != macBytes) {
                throw new DialectException(source + ": the MAC field " + field + " must be a fixed binary field of " + macBytes
                        + " bytes in the spec and every layout");
            }
        }
        List<String> data = new ArrayList<>();
        String dataRule = reader.optional("mac.data", "message").strip();
        if (dataRule.startsWith("fields")) {
            data.addAll(List.of(LIST_SEPARATOR.split(dataRule.substring("fields".length()).strip())));
            data.removeIf(String::isEmpty);
            if (data.isEmpty()) {
                throw new DialectException(source + ": mac.data = fields needs a list of fields, e.g. 'fields 0 2 3 4 11 39 41'");
            }
            for (String path : data) {
                if (!path.equals("0")) {
                    if (path.contains(".")) {
                        throw new DialectException(source + ": mac.data lists whole fields, not " + path);
                    }
                    requireDefined(source, base, path, "mac.data");
                }
            }
        } else if (!dataRule.equals("message")) {
            throw new DialectException(source + ": mac.data must be 'message' or 'fields <list>'");
        }
        Set<String> required = new LinkedHashSet<>(reader.list("mac.required", ""));
        for (String mti : required) {
            if (!MTI.matcher(mti).matches()) {
                throw new DialectException(source + ": mac.required lists MTIs of 4 digits, not '" + mti + "'");
            }
        }
        return new MacRule(algorithm, field, macBytes, data, required);
    }

    private static CodeTable<ResultCode> codeTable(String source, Reader reader) {
        Map<String, ResultCode> meanings = new LinkedHashMap<>();
        for (String key : reader.keysStartingWith("code.")) {
            String code = key.substring("code.".length());
            if (code.isEmpty() || code.length() > 3) {
                throw new DialectException(source + ": " + key + ": a response code has 1 to 3 characters");
            }
            ResultCode meaning = resultCode(source, key, reader.required(key));
            if (meaning == ResultCode.UNRECOGNISED) {
                throw new DialectException(source + ": " + key + ": UNRECOGNISED is what a code the table does not list means");
            }
            meanings.put(code, meaning);
        }
        Map<ResultCode, String> answers = new LinkedHashMap<>();
        for (String key : reader.keysStartingWith("answer.")) {
            ResultCode meaning = resultCode(source, key, key.substring("answer.".length()));
            String code = reader.required(key);
            if (meanings.get(code) != meaning) {
                throw new DialectException(source + ": " + key + " = " + code + ", but code." + code + " does not mean " + meaning);
            }
            answers.put(meaning, code);
        }
        CodeTable<ResultCode> table = new CodeTable<>(ResultCode.class, ResultCode.UNRECOGNISED, meanings, answers, Map.of());
        for (ResultCode needed : List.of(ResultCode.APPROVED, ResultCode.FORMAT_ERROR, ResultCode.SYSTEM_MALFUNCTION)) {
            if (!table.hasCodeFor(needed)) {
                throw new DialectException(source + ": the code table needs a code for " + needed);
            }
        }
        return table;
    }

    private static ResultCode resultCode(String source, String key, String name) {
        try {
            return ResultCode.valueOf(name.strip());
        } catch (IllegalArgumentException e) {
            throw new DialectException(source + ": " + key + ": unknown result code '" + name.strip() + "'; known: "
                    + Arrays.toString(ResultCode.values()));
        }
    }

    /** FieldMasking rules; a path needs to be defined in one layout only (48.2 may exist for some MTIs alone). */
    private static FieldMasking masking(String source, Reader reader, List<MessageLayout> layouts) {
        Map<String, FieldMasking.Style> rules = new HashMap<>(FieldMasking.ALWAYS);
        for (String key : List.of("mask.pan", "mask.hidden")) {
            for (String path : reader.list(key, "")) {
                DialectException undefined = null;
                for (MessageLayout layout : layouts) {
                    try {
                        requireDefined(source, layout, path, key);
                        undefined = null;
                        break;
                    } catch (DialectException e) {
                        undefined = e;
                    }
                }
                if (undefined != null) {
                    throw undefined;
                }
                FieldMasking.Style style = key.equals("mask.pan") ? FieldMasking.Style.PAN : FieldMasking.Style.HIDDEN;
                String field = path.contains(".") ? path.substring(0, path.indexOf('.')) : path;
                if (FieldMasking.ALWAYS.get(field) == FieldMasking.Style.HIDDEN && style != FieldMasking.Style.HIDDEN) {
                    throw new DialectException(source + ": " + key + " would show part of field " + path
                            + ", which is always wholly hidden");
                }
                rules.put(path, style);
            }
        }
        return new FieldMasking(rules);
    }

    private static Map<String, MessageType> messageTypes(String source, Reader reader, Dialect draft) {
        Map<String, MessageType> types = new LinkedHashMap<>();
        for (String key : reader.keysStartingWith("message.")) {
            String typeName = key.substring("message.".length());
            if (!NAME.matcher(typeName).matches()) {
                throw new DialectException(source + ": " + key + ": a message type name is lower-case letters, digits and '-'");
            }
            String[] tokens = LIST_SEPARATOR.split(reader.required(key).strip());
            if (!MTI.matcher(tokens[0]).matches()) {
                throw new DialectException(source + ": " + key + " must start with the MTI, e.g. '0200 3=310000 60.1=01'");
            }
            Map<String, String> presets = new LinkedHashMap<>();
            for (int i = 1; i < tokens.length; i++) {
                int equals = tokens[i].indexOf('=');
                if (equals <= 0) {
                    throw new DialectException(source + ": " + key + ": '" + tokens[i] + "' is not path=value");
                }
                presets.put(tokens[i].substring(0, equals), tokens[i].substring(equals + 1));
            }
            MessageType type = new MessageType(typeName, tokens[0], presets);
            IsoMessage sample = draft.blank(type.mti());
            try {
                presets.forEach(sample::set);
                draft.encode(sample);
            } catch (Iso8583Exception | IllegalArgumentException | IllegalStateException e) {
                throw new DialectException(source + ": " + key + ": " + e.getMessage());
            }
            types.put(typeName, type);
        }
        return types;
    }

    /** Descriptor values, trimmed, with the descriptor's name in every complaint. */
    private record Reader(String source, Properties properties) {

        boolean has(String key) {
            return properties.getProperty(key) != null;
        }

        String required(String key) {
            String value = properties.getProperty(key);
            if (value == null || value.isBlank()) {
                throw new DialectException(source + ": " + key + " is required");
            }
            return value.strip();
        }

        String optional(String key, String fallback) {
            String value = properties.getProperty(key);
            return value == null || value.isBlank() ? fallback : value.strip();
        }

        int integer(String key, int fallback) {
            String value = properties.getProperty(key);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            try {
                return Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new DialectException(source + ": " + key + " must be a whole number");
            }
        }

        List<String> list(String key, String fallback) {
            String value = fallback == null ? required(key) : optional(key, fallback);
            return Arrays.stream(LIST_SEPARATOR.split(value.strip())).filter(s -> !s.isEmpty()).toList();
        }

        List<String> keysStartingWith(String prefix) {
            return properties.stringPropertyNames().stream().filter(k -> k.startsWith(prefix)).sorted().toList();
        }
    }
}
