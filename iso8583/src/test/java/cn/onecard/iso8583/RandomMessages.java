package cn.onecard.iso8583;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Valid random messages of a dialect, drawn from one seed: an MTI of the dialect's message types
 * (or their responses), a random set of the fields its layout defines, and values that fit each
 * field exactly, so that writing and reading one gives the same message back.
 */
final class RandomMessages {

    /** Characters of text fields: ASCII, and Chinese characters that GBK writes in two bytes. */
    private static final String ASCII = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -./:";
    private static final String CHINESE = "中国农业银行村镇补贴一卡通张王李赵刘陈";

    private final Dialect dialect;
    private final SplittableRandom random;

    RandomMessages(Dialect dialect, long seed) {
        this.dialect = dialect;
        this.random = new SplittableRandom(seed);
    }

    IsoMessage next() {
        List<MessageType> types = new ArrayList<>(dialect.messageTypes().values());
        MessageType type = types.get(random.nextInt(types.size()));
        String mti = random.nextBoolean() ? type.mti() : Dialect.responseMti(type.mti());
        IsoMessage message = dialect.blank(mti);
        message.tpdu(bytes(message.tpduBytes().length)).header(bytes(message.headerBytes().length));
        MessageLayout layout = dialect.layout(mti);
        int macField = dialect.macRule().map(MacRule::field).orElse(0);
        for (int field = 2; field <= MessageLayout.FIELD_MAX; field++) {
            FieldSpec spec = layout.field(field);
            if (spec == null || random.nextInt(3) == 0) {
                continue;
            }
            if (field == macField) {
                message.setBytes(field, bytes(spec.maxLength()));
            } else if (spec.isComposite()) {
                int count = spec.kind().isVariable() ? 1 + random.nextInt(spec.subFields().size()) : spec.subFields().size();
                int room = spec.maxLength();
                for (int i = 0; i < count; i++) {
                    FieldSpec sub = spec.subFields().get(i);
                    Object value = value(sub, Math.min(sub.maxLength(), room - sub.kind().prefixBytes()));
                    room -= sub.kind().prefixBytes() + wireUnits(sub, value);
                    put(message, sub.path(), value);
                }
            } else {
                put(message, spec.path(), value(spec, spec.maxLength()));
            }
        }
        return message;
    }

    /**
     * {@code message} with every field its layout defines and it lacks filled with a valid value,
     * its preset and already set fields kept; the MAC field gets random bytes.
     */
    IsoMessage filled(IsoMessage message) {
        MessageLayout layout = dialect.layout(message.mti());
        for (int field = 2; field <= MessageLayout.FIELD_MAX; field++) {
            FieldSpec spec = layout.field(field);
            if (spec == null || (message.has(field) && !spec.isComposite())) {
                continue;
            }
            if (spec.isComposite()) {
                // every sub-field, the presets' included: a positional gap would read back as a value of zeros
                int room = spec.maxLength();
                for (FieldSpec sub : spec.subFields()) {
                    Object value = message.has(sub.path()) ? message.get(sub.path())
                            : value(sub, Math.min(sub.maxLength(), room - sub.kind().prefixBytes()));
                    room -= sub.kind().prefixBytes() + wireUnits(sub, value);
                    put(message, sub.path(), value);
                }
            } else {
                put(message, spec.path(), value(spec, spec.maxLength()));
            }
        }
        return message;
    }

    /** A value that fits {@code spec}, at most {@code room} digits, characters or bytes if it is variable. */
    Object value(FieldSpec spec, int room) {
        boolean fixed = !spec.kind().isVariable() && !spec.trim();
        int length = fixed ? spec.maxLength() : spec.trim() ? 1 + random.nextInt(Math.max(1, room)) : random.nextInt(room + 1);
        return switch (spec.kind().content()) {
            case BCD_DIGITS, ASCII_DIGITS -> spec.track() && length >= 3 ? trackData(length) : digits(length);
            case BINARY, HEX_BINARY -> bytes(length);
            case TEXT -> text(length, fixed);
            case BITMAP, HEX_BITMAP -> throw new IllegalStateException("bitmaps are not values");
        };
    }

    private static int wireUnits(FieldSpec spec, Object value) {
        return switch (value) {
            case byte[] bytes -> spec.kind().packedBytes(bytes.length);
            case String text when spec.kind().content() == FieldKind.Content.TEXT ->
                    text.getBytes(java.nio.charset.Charset.forName("GBK")).length;
            case String text -> spec.kind().packedBytes(text.length());
            default -> throw new IllegalStateException();
        };
    }

    private static void put(IsoMessage message, String path, Object value) {
        if (value instanceof byte[] bytes) {
            message.setBytes(path, bytes);
        } else {
            message.set(path, (String) value);
        }
    }

    String digits(int length) {
        StringBuilder digits = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            digits.append((char) ('0' + random.nextInt(10)));
        }
        return digits.toString();
    }

    private String trackData(int length) {
        int separator = 1 + random.nextInt(length - 2);
        return digits(separator) + "=" + digits(length - separator - 1);
    }

    byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Text of exactly {@code bytes} GBK bytes; a fixed field's text does not end in spaces that padding would add anyway. */
    private String text(int bytes, boolean fixed) {
        StringBuilder text = new StringBuilder();
        int left = bytes;
        while (left > 0) {
            if (left >= 2 && random.nextInt(4) == 0) {
                text.append(CHINESE.charAt(random.nextInt(CHINESE.length())));
                left -= 2;
            } else {
                text.append(ASCII.charAt(random.nextInt(ASCII.length())));
                left--;
            }
        }
        return text.toString();
    }
}
