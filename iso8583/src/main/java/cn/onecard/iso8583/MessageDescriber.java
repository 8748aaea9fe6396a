package cn.onecard.iso8583;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message as a tree of names and strings (for JSON) and back, and as one masked log line. Fields
 * by number, sub-fields by their spec names, binary values in upper-case hex; sensitive values
 * masked by the dialect's {@link FieldMasking} unless revealed.
 */
final class MessageDescriber {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final Dialect dialect;

    MessageDescriber(Dialect dialect) {
        this.dialect = dialect;
    }

    Map<String, Object> describe(IsoMessage message, boolean reveal) {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("dialect", dialect.name());
        if (!reveal && hasMaskedValue(message)) {
            tree.put("masked", true);
        }
        if (dialect.framing().tpduBytes() > 0) {
            tree.put("tpdu", HEX.formatHex(message.tpduBytes()));
        }
        if (dialect.framing().headerBytes() > 0) {
            tree.put("header", HEX.formatHex(message.headerBytes()));
        }
        tree.put("mti", message.mti());
        Map<String, Object> fields = new LinkedHashMap<>();
        MessageLayout layout = dialect.layout(message.mti());
        for (int number : message.fields()) {
            String path = Integer.toString(number);
            Object value = message.value(number);
            FieldSpec spec = layout.field(number);
            if (value instanceof SubFields subFields) {
                Map<String, Object> subTree = new LinkedHashMap<>();
                for (int position : subFields.present()) {
                    FieldSpec sub = spec == null ? null : spec.subField(position);
                    String subPath = path + "." + position;
                    subTree.put(sub == null ? Integer.toString(position) : sub.name(), shown(subPath, subFields.get(position), reveal));
                }
                fields.put(path, subTree);
            } else {
                fields.put(path, shown(path, value, reveal));
            }
        }
        tree.put("fields", fields);
        return tree;
    }

    private boolean hasMaskedValue(IsoMessage message) {
        for (int number : message.fields()) {
            String path = Integer.toString(number);
            if (!(message.value(number) instanceof SubFields subFields)) {
                if (dialect.masking().styleForWhole(path) != null) {
                    return true;
                }
                continue;
            }
            for (int position : subFields.present()) {
                if (dialect.masking().styleFor(path + "." + position) != null) {
                    return true;
                }
            }
        }
        return false;
    }

    String dump(IsoMessage message) {
        StringBuilder line = new StringBuilder(message.mti());
        for (int number : message.fields()) {
            String path = Integer.toString(number);
            line.append(' ').append(number).append('=');
            if (message.value(number) instanceof SubFields subFields) {
                line.append('[');
                int[] present = subFields.present();
                for (int i = 0; i < present.length; i++) {
                    line.append(i == 0 ? "" : " ").append(present[i]).append(':')
                            .append(shown(path + "." + present[i], subFields.get(present[i]), false));
                }
                line.append(']');
            } else {
                line.append(shown(path, message.value(number), false));
            }
        }
        return line.toString();
    }

    private String shown(String path, Object value, boolean reveal) {
        String text = value instanceof byte[] bytes ? HEX.formatHex(bytes) : String.valueOf(value);
        return reveal ? text : FieldMasking.mask(dialect.masking().styleForWhole(path), text);
    }

    IsoMessage read(Map<String, ?> tree) {
        Object named = tree.get("dialect");
        if (named != null && !dialect.name().equals(named)) {
            throw new MessageEncodingException("dialect", "the description is of another dialect, not " + dialect.name());
        }
        for (String key : tree.keySet()) {
            if (!java.util.Set.of("dialect", "masked", "tpdu", "header", "mti", "fields").contains(key)) {
                throw new MessageEncodingException(key, "unknown member; a message has dialect, tpdu, header, mti and fields");
            }
        }
        if (Boolean.TRUE.equals(tree.get("masked"))) {
            throw new MessageEncodingException("masked", "the description holds masked values; describe it with its values revealed");
        }
        String mti = string("mti", tree.get("mti"));
        if (mti == null) {
            throw new MessageEncodingException("mti", "is required");
        }
        IsoMessage message;
        try {
            message = dialect.blank(mti);
        } catch (IllegalArgumentException e) {
            throw new MessageEncodingException("mti", "must be 4 digits");
        }
        String tpdu = string("tpdu", tree.get("tpdu"));
        if (tpdu != null) {
            message.tpdu(hex("tpdu", tpdu));
        }
        String header = string("header", tree.get("header"));
        if (header != null) {
            message.header(hex("header", header));
        }
        Object fields = tree.get("fields");
        if (fields == null) {
            return message;
        }
        if (!(fields instanceof Map<?, ?> fieldMap)) {
            throw new MessageEncodingException("fields", "must be an object of field number to value");
        }
        MessageLayout layout = dialect.layout(mti);
        for (Map.Entry<?, ?> entry : fieldMap.entrySet()) {
            String path = String.valueOf(entry.getKey());
            int number;
            try {
                number = Integer.parseInt(path);
            } catch (NumberFormatException e) {
                throw new MessageEncodingException(path, "field keys are numbers from 2 to 128");
            }
            FieldSpec spec = layout.field(number);
            if (spec == null) {
                throw new MessageEncodingException(path, "not defined by dialect " + dialect.name() + " for MTI " + mti);
            }
            if (entry.getValue() instanceof Map<?, ?> subMap) {
                if (!spec.isComposite()) {
                    throw new MessageEncodingException(path, "has no sub-fields in this dialect");
                }
                for (Map.Entry<?, ?> subEntry : subMap.entrySet()) {
                    String key = String.valueOf(subEntry.getKey());
                    FieldSpec sub = spec.subFieldNamed(key);
                    if (sub == null && key.chars().allMatch(Character::isDigit) && !key.isEmpty()) {
                        sub = spec.subField(Integer.parseInt(key));
                    }
                    if (sub == null) {
                        throw new MessageEncodingException(path + "." + key, "no such sub-field; " + path + " has "
                                + spec.subFields().stream().map(FieldSpec::name).toList());
                    }
                    store(message, sub.path(), sub, subEntry.getValue());
                }
            } else {
                store(message, path, spec, entry.getValue());
            }
        }
        return message;
    }

    private static void store(IsoMessage message, String path, FieldSpec spec, Object value) {
        String text = string(path, value);
        if (text == null) {
            return;
        }
        if (spec.kind().holdsBytes()) {
            message.setBytes(path, hex(path, text));
        } else {
            message.set(path, text);
        }
    }

    private static String string(String path, Object value) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw new MessageEncodingException(path, "values are strings (digits and text as they are, binary in hex)");
    }

    private static byte[] hex(String path, String text) {
        try {
            return HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new MessageEncodingException(path, "is binary: give it as an even number of hex digits");
        }
    }
}
