package cn.onecard.iso8583;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import cn.onecard.crypto.SeededCases;
import cn.onecard.iso8583.MalformedMessageException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Garbled frames are refused with the field where reading stopped and the reason, never with
 * another exception, and the refusal shows no card data.
 */
class HostileFrameTest {

    private static final String PAN = "6228480402564890018";
    private static final Dialects DIALECTS = Dialects.builtIn();

    /** A golden frame, edited; the length header is rewritten to fit unless the edit is to the header itself. */
    record Edit(String golden, UnaryOperator<byte[]> change, boolean keepHeader) {
    }

    static Stream<Arguments> garbledFrames() {
        // cup-pos balance inquiry: 2 length, 5 TPDU, 6 header, then MTI at 13, bitmap at 15, field 2 at 23
        String inquiry = "cup-pos-balance-inquiry";
        return Stream.of(
                garbled("a bitmap naming a field the dialect lacks (5)", inquiry, set(15, 0x68), "5", Reason.UNDEFINED_FIELD, true),
                garbled("a secondary bitmap in a primary-only dialect", inquiry, set(15, 0xE0), "bitmap", Reason.UNDEFINED_FIELD, true),
                garbled("a BCD length prefix with a nibble above 9", inquiry, set(23, 0x1A), "2", Reason.NOT_BCD, false),
                garbled("a length over the field's maximum", inquiry, set(23, 0x21), "2", Reason.LENGTH_OVER_MAXIMUM, false),
                garbled("a pad nibble that is neither 0 nor F", inquiry, set(33, 0x85), "2", Reason.NOT_BCD, true),
                garbled("a non-BCD nibble in track 2", inquiry, set(48, 0x4A), "35", Reason.NOT_BCD, true),
                garbled("a frame cut inside field 53", inquiry, cut(100), "53", Reason.TRUNCATED, true),
                garbled("a frame cut inside the bitmap", inquiry, cut(19), "bitmap", Reason.TRUNCATED, false),
                garbled("bytes after the last field", inquiry, append(0x00, 0x01), "message", Reason.TRAILING_BYTES, true),
                garbled("an MTI that is not BCD", inquiry, set(13, 0xA2), "mti", Reason.NOT_BCD, false),
                garbled("a frame ending inside the header", inquiry, cut(10), "header", Reason.TRUNCATED, false),
                headerEdit("a length header that disagrees with the bytes", inquiry, set(1, 0x70), Reason.BAD_LENGTH_HEADER),
                headerEdit("a length header above the dialect's maximum", inquiry, set(0, 0x08), Reason.FRAME_TOO_LONG),
                headerEdit("an ASCII length header that is not digits", "agent-ascii87-echo", set(2, 'x'), Reason.BAD_LENGTH_HEADER),
                garbled("a bitmap with a character that is not hex", "agent-ascii87-echo", set(10, 'G'), "bitmap", Reason.NOT_HEX, false),
                garbled("an ASCII numeric field with a letter", "agent-ascii87-echo", set(50, 'A'), "11", Reason.NOT_DIGITS, true),
                garbled("an ASCII length prefix that is not digits", "agent-ascii87-echo", set(56, ':'), "32", Reason.NOT_DIGITS, true),
                garbled("a hex MAC with a character that is not hex", "agent-ascii87-credit", setFromEnd(3, 'Z'), "128", Reason.NOT_HEX,
                        true),
                garbled("a name that is not valid GBK", "agent-bcd-account-verification", set(54, 0xFF), "48.1", Reason.BAD_TEXT, true),
                garbled("a sub-field length longer than its field", "agent-bcd-account-verification", set(52, '3'), "48.1",
                        Reason.TRUNCATED, true),
                garbled("bytes after the last sub-field", "agent-bcd-account-verification", insertIntoField48(), "48",
                        Reason.TRAILING_BYTES, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbledFrames")
    void garbledFrame_isRefusedAtItsField_withItsReason(Edit edit, String path, Reason reason, boolean stanReadable) {
        GoldenFrame golden = GoldenFrame.load(edit.golden());
        Dialect dialect = DIALECTS.get(golden.dialect());
        byte[] edited = edit.change().apply(golden.bytes().clone());
        byte[] frame = edit.keepHeader() ? edited : fixLength(dialect, edited);

        MalformedMessageException refusal = catchThrowableOfType(MalformedMessageException.class, () -> dialect.decode(frame));

        assertThat(refusal).as("refused").isNotNull();
        assertThat(refusal.fieldPath()).isEqualTo(path);
        assertThat(refusal.reason()).isEqualTo(reason);
        assertThat(refusal.getMessage()).doesNotContain(PAN).doesNotContain(PAN.substring(6, 15));
        if (stanReadable) {
            assertThat(refusal.partial()).as("fields read before the fault").isPresent();
            assertThat(refusal.partial().orElseThrow().mti()).isEqualTo(dialect.decode(golden.bytes()).mti());
        }
    }

    @org.junit.jupiter.api.Test
    void faultInAFieldsContent_stillLetsTheFieldsAfterItBeRead_forTheRefusalToEchoThem() {
        GoldenFrame golden = GoldenFrame.load("cup-pos-balance-inquiry");
        Dialect dialect = DIALECTS.get("cup-pos");
        byte[] frame = set(48, 0x4A).apply(golden.bytes().clone()); // a non-BCD nibble inside track 2

        MalformedMessageException refusal = catchThrowableOfType(MalformedMessageException.class, () -> dialect.decode(frame));

        assertThat(refusal.fieldPath()).isEqualTo("35");
        IsoMessage partial = refusal.partial().orElseThrow();
        assertThat(partial.has(35)).isFalse();
        assertThat(partial.get(11)).isEqualTo("000123");
        assertThat(partial.get(41)).isEqualTo("12345678");
        assertThat(partial.get("60.2")).isEqualTo("000001");
    }

    static Stream<Arguments> mutations() {
        return DIALECTS.all().stream().flatMap(dialect -> SeededCases.cases("mutated frames " + dialect.name(), 1500)
                .map(seed -> Arguments.of(Named.of(dialect.name(), dialect), seed)));
    }

    /** Random edits of valid frames: read as a message of the dialect (which then writes back stably) or refused, nothing else. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("mutations")
    void mutatedFrame_isReadOrRefused_andWhatIsReadWritesBackStably(Dialect dialect, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] frame = dialect.encode(new RandomMessages(dialect, seed).next());
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            frame = mutate(frame, random);
        }
        if (random.nextInt(4) != 0) {
            frame = fixLength(dialect, frame);
        }

        IsoMessage read;
        try {
            read = dialect.decode(frame);
        } catch (MalformedMessageException refused) {
            assertThat(refused.fieldPath()).isNotBlank();
            return;
        }
        IsoMessage again = dialect.decode(dialect.encode(read));
        assertThat(again).isEqualTo(read);
    }

    private static byte[] mutate(byte[] frame, SplittableRandom random) {
        if (frame.length == 0) {
            return frame;
        }
        int at = random.nextInt(frame.length);
        return switch (random.nextInt(4)) {
            case 0 -> {
                frame[at] = (byte) random.nextInt(256);
                yield frame;
            }
            case 1 -> {
                frame[at] ^= (byte) (1 << random.nextInt(8));
                yield frame;
            }
            case 2 -> Arrays.copyOf(frame, at);
            default -> {
                byte[] inserted = SeededCases.bytes(random, 1 + random.nextInt(8));
                byte[] longer = new byte[frame.length + inserted.length];
                System.arraycopy(frame, 0, longer, 0, at);
                System.arraycopy(inserted, 0, longer, at, inserted.length);
                System.arraycopy(frame, at, longer, at + inserted.length, frame.length - at);
                yield longer;
            }
        };
    }

    /** The frame with its length header rewritten to count the bytes that follow it. */
    static byte[] fixLength(Dialect dialect, byte[] frame) {
        LengthHeader header = dialect.framing().lengthHeader();
        if (frame.length < header.bytes() || frame.length - header.bytes() > header.lengthMax()) {
            return frame;
        }
        byte[] fixed = frame.clone();
        header.write(frame.length - header.bytes(), fixed, 0);
        return fixed;
    }

    private static Arguments garbled(String name, String golden, UnaryOperator<byte[]> change, String path, Reason reason,
                                     boolean stanReadable) {
        return Arguments.of(Named.of(name, new Edit(golden, change, false)), path, reason, stanReadable);
    }

    private static Arguments headerEdit(String name, String golden, UnaryOperator<byte[]> change, Reason reason) {
        return Arguments.of(Named.of(name, new Edit(golden, change, true)), "frame", reason, false);
    }

    private static UnaryOperator<byte[]> set(int at, int value) {
        return frame -> {
            frame[at] = (byte) value;
            return frame;
        };
    }

    private static UnaryOperator<byte[]> setFromEnd(int fromEnd, int value) {
        return frame -> {
            frame[frame.length - fromEnd] = (byte) value;
            return frame;
        };
    }

    private static UnaryOperator<byte[]> cut(int length) {
        return frame -> Arrays.copyOf(frame, length);
    }

    private static UnaryOperator<byte[]> append(int... bytes) {
        return frame -> {
            byte[] longer = Arrays.copyOf(frame, frame.length + bytes.length);
            for (int i = 0; i < bytes.length; i++) {
                longer[frame.length + i] = (byte) bytes[i];
            }
            return longer;
        };
    }

    /** Field 48 of the account verification golden frame one byte longer, the byte after its last sub-field. */
    private static UnaryOperator<byte[]> insertIntoField48() {
        return frame -> {
            int lengthAt = 50; // 48's 2-byte binary length: 26 bytes of sub-fields follow
            int end = lengthAt + 2 + 26;
            byte[] longer = new byte[frame.length + 1];
            System.arraycopy(frame, 0, longer, 0, end);
            longer[end] = (byte) ' ';
            System.arraycopy(frame, end, longer, end + 1, frame.length - end);
            longer[lengthAt + 1] = 27;
            return longer;
        };
    }

    static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
