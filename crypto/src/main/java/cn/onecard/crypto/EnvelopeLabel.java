package cn.onecard.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The label of an envelope: UTF-8 of at most 255 bytes drawn from a fixed list of characters. The
 * list is written out here rather than taken from the JDK's Unicode tables, whose categories
 * (format, unassigned) change with the JDK's Unicode version; an opener in any language can apply
 * the same list. It holds what file names, batch ids and programme names in Chinese need, and
 * leaves out every control, format and separator character but the ASCII space, and / and \ with
 * their full-width look-alikes, because a label may become a file name or part of a log line.
 */
final class EnvelopeLabel {

    /** Code points {@code first} to {@code last}, both included. */
    record CodePointRange(int first, int last) {
        boolean contains(int codePoint) {
            return codePoint >= first && codePoint <= last;
        }
    }

    /** In ascending order; docs/crypto.md lists the same ranges, and a test holds the two together. */
    static final List<CodePointRange> ALLOWED = List.of(
            new CodePointRange(0x0020, 0x002E),  // space to '.': printable ASCII without '/'
            new CodePointRange(0x0030, 0x005B),  // '0' to '[', without '\'
            new CodePointRange(0x005D, 0x007E),  // ']' to '~'
            new CodePointRange(0x00B7, 0x00B7),  // · middle dot
            new CodePointRange(0x2014, 0x2014),  // — em dash
            new CodePointRange(0x2018, 0x2019),  // ‘ ’
            new CodePointRange(0x201C, 0x201D),  // “ ”
            new CodePointRange(0x2026, 0x2026),  // …
            new CodePointRange(0x3001, 0x3011),  // 、。〃〄々〆〇〈〉《》「」『』【】
            new CodePointRange(0x3400, 0x4DBF),  // CJK Unified Ideographs Extension A, every code point assigned
            new CodePointRange(0x4E00, 0x9FFF),  // CJK Unified Ideographs, every code point assigned
            new CodePointRange(0xFF01, 0xFF0E),  // full-width '!' to '.', without '／'
            new CodePointRange(0xFF10, 0xFF3B),  // full-width '0' to '[', without '＼'
            new CodePointRange(0xFF3D, 0xFF5E)); // full-width ']' to '~'

    private EnvelopeLabel() {
    }

    static boolean isAllowed(int codePoint) {
        for (CodePointRange range : ALLOWED) {
            if (range.contains(codePoint)) {
                return true;
            }
        }
        return false;
    }

    /** The label's bytes for the header; null is the empty label. */
    static byte[] encode(String label) {
        String text = label == null ? "" : label;
        checkCharacters(text);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > EnvelopeFormat.LABEL_BYTES_MAX) {
            throw new MalformedInputException("envelope label is " + bytes.length + " bytes; at most " + EnvelopeFormat.LABEL_BYTES_MAX);
        }
        return bytes;
    }

    /** Strict UTF-8 (no overlong forms, no surrogates), then the same characters as {@link #encode}. */
    static String decode(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedInputException("envelope label is not UTF-8");
        }
        checkCharacters(text);
        return text;
    }

    private static void checkCharacters(String text) {
        if (text.equals(".") || text.equals("..")) {
            throw new MalformedInputException("envelope label may not be . or ..");
        }
        text.codePoints().filter(c -> !isAllowed(c)).findFirst().ifPresent(c -> {
            throw new MalformedInputException(String.format("envelope label may not hold U+%04X: labels are printable ASCII "
                    + "without / and \\, CJK ideographs and common Chinese punctuation (docs/crypto.md)", c));
        });
    }
}
