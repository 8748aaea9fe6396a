package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.crypto.VerificationFailedException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EnvelopeTest {

    private static final int CHUNK = 256;
    private static final Instant SEALED_AT = Instant.parse("2026-11-22T08:30:00Z");
    private static final Sm2KeyPair TREASURY = Sm2.generateKeyPair();
    private static final Sm2KeyPair BANK = Sm2.generateKeyPair();
    private static final Sm2KeyPair STRANGER = Sm2.generateKeyPair();

    private final EnvelopeSealer sealer = new EnvelopeSealer(Clock.fixed(SEALED_AT, ZoneOffset.UTC), CHUNK);
    private final EnvelopeOpener opener = new EnvelopeOpener();

    @TempDir
    Path directory;

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("envelope round trip", 60);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void sealThenOpen_returnsTheContentAndWhatTheSenderSaid(long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        int[] interesting = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 5 * CHUNK + 7};
        int length = random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : random.nextInt(0, 40 * CHUNK);
        byte[] content = SeededCases.bytes(random, length);

        byte[] sealed = sealer.seal(content, BANK.publicKey(), TREASURY.privateKey(), "batch-" + seed + ".jsonl");
        OpenedEnvelope opened = opener.open(sealed, BANK.privateKey(), TREASURY.publicKey());
        Path destination = directory.resolve("opened.bin");
        EnvelopeInfo info = opener.open(new ByteArrayInputStream(sealed), destination, BANK.privateKey(), TREASURY.publicKey());

        assertThat(opened.content()).isEqualTo(content);
        assertThat(Files.readAllBytes(destination)).isEqualTo(content);
        assertThat(info).isEqualTo(opened.info());
        assertThat(info.label()).isEqualTo("batch-" + seed + ".jsonl");
        assertThat(info.sealedAt()).isEqualTo(SEALED_AT);
        assertThat(info.contentBytes()).isEqualTo(length);
        int chunks = Math.max(1, (length + CHUNK - 1) / CHUNK);
        int labelBytes = info.label().length();
        int overhead = EnvelopeFormat.FIXED_HEADER_BYTES + labelBytes + 2 + 113 + chunks * (4 + 16) + 2;
        assertThat(sealed.length - length - overhead).as("DER signature length").isBetween(68, 72);
    }

    @Test
    void sealing_isStreamedAndRandomised() throws IOException {
        byte[] content = new byte[3 * CHUNK];
        byte[] first = sealer.seal(content, BANK.publicKey(), TREASURY.privateKey(), "");
        byte[] second = sealer.seal(content, BANK.publicKey(), TREASURY.privateKey(), "");
        assertThat(first).isNotEqualTo(second);

        var out = new java.io.ByteArrayOutputStream();
        EnvelopeInfo info = new EnvelopeSealer().seal(new ByteArrayInputStream(content), out, BANK.publicKey(),
                TREASURY.privateKey(), "stream");
        assertThat(info.contentBytes()).isEqualTo(content.length);
        assertThat(opener.open(out.toByteArray(), BANK.privateKey(), TREASURY.publicKey()).content()).isEqualTo(content);
    }

    @Test
    void open_forAnotherRecipient_isRefusedAsWrongRecipient() {
        byte[] sealed = sealer.seal(new byte[10], BANK.publicKey(), TREASURY.privateKey(), "");
        assertRefused(sealed, STRANGER.privateKey(), TREASURY.publicKey(), Reason.WRONG_RECIPIENT);
    }

    @Test
    void senderKeyId_readsTheSendersFingerprintWithoutOpening() throws IOException {
        byte[] sealed = sealer.seal(new byte[10], BANK.publicKey(), TREASURY.privateKey(), "batch.jsonl");

        assertThat(EnvelopeOpener.senderKeyId(new java.io.ByteArrayInputStream(sealed)))
                .isEqualTo(TREASURY.publicKey().fingerprint());
        assertThatThrownBy(() -> EnvelopeOpener.senderKeyId(new java.io.ByteArrayInputStream(new byte[] {'O', 'C'})))
                .isInstanceOf(MalformedInputException.class);
    }

    @Test
    void open_expectingAnotherSender_isRefusedAsWrongSender() {
        byte[] sealed = sealer.seal(new byte[10], BANK.publicKey(), TREASURY.privateKey(), "");
        assertRefused(sealed, BANK.privateKey(), STRANGER.publicKey(), Reason.WRONG_SENDER);
    }

    @Test
    void open_whenAStrangerSignsButClaimsTheTreasurysKeyId_failsTheSignature() {
        byte[] forged = sealer.seal(new byte[10], BANK.publicKey(), STRANGER.privateKey(), "");
        System.arraycopy(TREASURY.publicKey().fingerprint(), 0, forged, EnvelopeFormat.OFFSET_SENDER, 32);
        // the claimed sender id is bound into the chunk AAD too, so the first tag already fails
        assertRefusedAnyOf(forged, BANK.privateKey(), TREASURY.publicKey(), Reason.TAG_MISMATCH, Reason.SIGNATURE_INVALID);
    }

    /** Every region of the format, one flipped bit each: all refused, none released. */
    static Stream<Arguments> regions() {
        return Stream.of(
                Arguments.of("magic", 0, MalformedInputException.class, null),
                Arguments.of("version", EnvelopeFormat.OFFSET_VERSION, MalformedInputException.class, null),
                Arguments.of("suite", EnvelopeFormat.OFFSET_SUITE, MalformedInputException.class, null),
                Arguments.of("flags", EnvelopeFormat.OFFSET_FLAGS + 1, MalformedInputException.class, null),
                Arguments.of("chunk size beyond 1 MiB", EnvelopeFormat.OFFSET_CHUNK_BYTES, MalformedInputException.class, null),
                Arguments.of("chunk size", EnvelopeFormat.OFFSET_CHUNK_BYTES + 3, VerificationFailedException.class, Reason.STRUCTURE_ALTERED),
                Arguments.of("sealed-at", EnvelopeFormat.OFFSET_SEALED_AT + 7, VerificationFailedException.class, Reason.TAG_MISMATCH),
                Arguments.of("recipient id", EnvelopeFormat.OFFSET_RECIPIENT + 5, VerificationFailedException.class, Reason.WRONG_RECIPIENT),
                Arguments.of("sender id", EnvelopeFormat.OFFSET_SENDER + 5, VerificationFailedException.class, Reason.WRONG_SENDER),
                Arguments.of("nonce prefix", EnvelopeFormat.OFFSET_NONCE_PREFIX, VerificationFailedException.class, Reason.TAG_MISMATCH),
                Arguments.of("label", EnvelopeFormat.FIXED_HEADER_BYTES + 1, VerificationFailedException.class, Reason.TAG_MISMATCH),
                Arguments.of("wrapped key", EnvelopeFormat.FIXED_HEADER_BYTES + 5 + 2 + 70, VerificationFailedException.class, Reason.DECRYPTION_FAILED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("regions")
    void flippedHeaderBit_isRefused(String region, int offset, Class<? extends CryptoException> refusal, Reason reason) {
        byte[] sealed = sealer.seal(new byte[3 * CHUNK], BANK.publicKey(), TREASURY.privateKey(), "label");
        sealed[offset] ^= 0x04;
        assertThatThrownBy(() -> opener.open(sealed, BANK.privateKey(), TREASURY.publicKey()))
                .isInstanceOf(refusal)
                .satisfies(e -> {
                    if (reason != null) {
                        assertThat(((VerificationFailedException) e).reason()).isEqualTo(reason);
                    }
                });
        assertNothingReleasedToDisk(sealed);
    }

    @Test
    void flippedBitInChunkWordCiphertextTagOrSignature_isRefused() {
        byte[] content = new byte[3 * CHUNK + 10];
        byte[] sealed = sealer.seal(content, BANK.publicKey(), TREASURY.privateKey(), "");
        Layout layout = Layout.of(sealed);
        int secondChunk = layout.chunkStarts[1];
        int[][] cases = {
                {secondChunk + 1, 0},                                     // chunk word: length
                {secondChunk, 1},                                         // chunk word: final flag
                {secondChunk + 4 + 10, 2},                                // ciphertext
                {secondChunk + 4 + CHUNK + 3, 2},                         // tag
                {layout.signatureStart + 2 + 20, 3},                      // signature body
                {layout.signatureStart + 1, 4},                           // signature length
        };
        for (int[] c : cases) {
            byte[] altered = sealed.clone();
            altered[c[0]] ^= (byte) (c[1] == 1 ? 0x80 : 0x01);
            assertThatThrownBy(() -> opener.open(altered, BANK.privateKey(), TREASURY.publicKey()))
                    .as("offset %d", c[0]).isInstanceOf(CryptoException.class);
            assertNothingReleasedToDisk(altered);
        }
    }

    @Test
    void everySingleByteFlip_isRefused() {
        byte[] sealed = sealer.seal(new byte[2 * CHUNK + 3], BANK.publicKey(), TREASURY.privateKey(), "x");
        for (int offset = 0; offset < sealed.length; offset++) {
            byte[] altered = sealed.clone();
            altered[offset] ^= (byte) 0xff;
            assertThatThrownBy(() -> opener.open(altered, BANK.privateKey(), TREASURY.publicKey()))
                    .as("offset %d of %d", offset, sealed.length).isInstanceOf(CryptoException.class);
        }
    }

    @Test
    void truncationAtAnyLength_isRefusedAsMalformedOrTruncated() {
        byte[] sealed = sealer.seal(new byte[2 * CHUNK + 3], BANK.publicKey(), TREASURY.privateKey(), "");
        for (int length = 0; length < sealed.length; length++) {
            byte[] cut = Arrays.copyOf(sealed, length);
            assertThatThrownBy(() -> opener.open(cut, BANK.privateKey(), TREASURY.publicKey()))
                    .as("cut to %d of %d", length, sealed.length)
                    .satisfiesAnyOf(
                            e -> assertThat(e).isInstanceOf(MalformedInputException.class).hasMessageContaining("magic"),
                            e -> assertThat(((VerificationFailedException) e).reason()).isEqualTo(Reason.TRUNCATED));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 100})
    void appendedBytes_areRefusedAsTrailingData(int extra) {
        byte[] sealed = sealer.seal(new byte[CHUNK + 1], BANK.publicKey(), TREASURY.privateKey(), "");
        assertRefused(Arrays.copyOf(sealed, sealed.length + extra), BANK.privateKey(), TREASURY.publicKey(), Reason.TRAILING_DATA);
    }

    @Test
    void chunksSwappedOrDropped_areRefused() {
        byte[] sealed = sealer.seal(new byte[4 * CHUNK], BANK.publicKey(), TREASURY.privateKey(), "");
        Layout layout = Layout.of(sealed);
        int frame = 4 + CHUNK + 16;
        int a = layout.chunkStarts[0];
        int b = layout.chunkStarts[1];

        byte[] swapped = sealed.clone();
        System.arraycopy(sealed, b, swapped, a, frame);
        System.arraycopy(sealed, a, swapped, b, frame);
        assertRefused(swapped, BANK.privateKey(), TREASURY.publicKey(), Reason.TAG_MISMATCH);

        byte[] dropped = new byte[sealed.length - frame];
        System.arraycopy(sealed, 0, dropped, 0, b);
        System.arraycopy(sealed, b + frame, dropped, b, sealed.length - b - frame);
        assertRefused(dropped, BANK.privateKey(), TREASURY.publicKey(), Reason.TAG_MISMATCH);
    }

    @Test
    void openToFile_onRefusal_leavesNoFileAndKeepsAnExistingOne() throws IOException {
        Path destination = directory.resolve("payroll.csv");
        Files.writeString(destination, "previous content");
        byte[] sealed = sealer.seal(new byte[5 * CHUNK], BANK.publicKey(), TREASURY.privateKey(), "");
        sealed[sealed.length - 10] ^= 1; // inside the signature: detected only at the very end

        assertThatThrownBy(() -> opener.open(new ByteArrayInputStream(sealed), destination, BANK.privateKey(), TREASURY.publicKey()))
                .isInstanceOf(VerificationFailedException.class);

        assertThat(Files.readString(destination)).isEqualTo("previous content");
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files).containsExactly(destination);
        }
    }

    @Test
    void openToFile_withAnInterruptedSource_leavesNoFile() {
        byte[] sealed = sealer.seal(new byte[5 * CHUNK], BANK.publicKey(), TREASURY.privateKey(), "");
        InputStream failing = new InputStream() {
            int position;

            @Override
            public int read() throws IOException {
                if (position == 700) {
                    throw new IOException("line dropped");
                }
                return sealed[position++] & 0xff;
            }
        };
        Path destination = directory.resolve("out.bin");
        assertThatThrownBy(() -> opener.open(failing, destination, BANK.privateKey(), TREASURY.publicKey()))
                .isInstanceOf(IOException.class);
        assertThat(directory.toFile().list()).isEmpty();
    }

    @Test
    void sealingIntoAFailingSink_propagatesTheError_andTheSenderSignsAndSealsAfterwards() {
        Sm2KeyPair sender = Sm2.generateKeyPair();
        byte[] content = new byte[40 * CHUNK];
        for (int attempt = 0; attempt < 20; attempt++) {
            int failAfter = 500 + attempt * 500;
            java.io.OutputStream failing = new java.io.OutputStream() {
                int written;

                @Override
                public void write(int b) throws IOException {
                    write(new byte[]{(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    written += length;
                    if (written > failAfter) {
                        throw new IOException("disk full");
                    }
                }
            };
            assertThatThrownBy(() -> sealer.seal(new ByteArrayInputStream(content), failing, BANK.publicKey(), sender.privateKey(), ""))
                    .isInstanceOf(IOException.class).hasMessage("disk full");
        }
        byte[] message = "after the failures".getBytes();
        for (int i = 0; i < 50; i++) {
            assertThat(sender.publicKey().verify(message, sender.privateKey().sign(message))).isTrue();
        }
        byte[] sealed = sealer.seal(content, BANK.publicKey(), sender.privateKey(), "");
        assertThat(opener.open(sealed, BANK.privateKey(), sender.publicKey()).content()).isEqualTo(content);
    }

    @Test
    void chunkLengthWord_altered_isRefusedAsAlteredStructure() {
        byte[] sealed = sealer.seal(new byte[3 * CHUNK], BANK.publicKey(), TREASURY.privateKey(), "");
        int firstChunk = Layout.of(sealed).chunkStarts()[0];
        sealed[firstChunk + 3] ^= 0x01; // 256 becomes 257: more than the chunk size
        assertRefused(sealed, BANK.privateKey(), TREASURY.publicKey(), Reason.STRUCTURE_ALTERED);
    }

    @ParameterizedTest
    @ValueSource(strings = {".", "..", "a\u2028b", "invoice\u202egpj.exe", "tab\there"})
    void labels_withLineFormatOrPathCharacters_areRefused(String escaped) {
        String label = escaped.translateEscapes();
        assertThatThrownBy(() -> sealer.seal(new byte[1], BANK.publicKey(), TREASURY.privateKey(), label))
                .isInstanceOf(MalformedInputException.class);
    }

    @Test
    void labels_withPathSeparatorsOrControlCharacters_areRefused() {
        assertThatThrownBy(() -> sealer.seal(new byte[1], BANK.publicKey(), TREASURY.privateKey(), "../etc/passwd"))
                .isInstanceOf(MalformedInputException.class);
        assertThatThrownBy(() -> sealer.seal(new byte[1], BANK.publicKey(), TREASURY.privateKey(), "a\nb"))
                .isInstanceOf(MalformedInputException.class);
        assertThatThrownBy(() -> sealer.seal(new byte[1], BANK.publicKey(), TREASURY.privateKey(), "长".repeat(100)))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("255");
    }

    /**
     * Each edge of the label character list in docs/crypto.md, and characters the JDK's Unicode tables
     * used to decide (its categories change with its Unicode version; the list does not).
     */
    static Stream<Arguments> labelCharacters() {
        return Stream.of(
                labelCharacter(0x001F, false, "unit separator, before space"),
                labelCharacter(0x0020, true, "space"),
                labelCharacter(0x002E, true, "full stop"),
                labelCharacter(0x002F, false, "solidus"),
                labelCharacter(0x0030, true, "digit zero"),
                labelCharacter(0x005B, true, "left square bracket"),
                labelCharacter(0x005C, false, "reverse solidus"),
                labelCharacter(0x005D, true, "right square bracket"),
                labelCharacter(0x007E, true, "tilde"),
                labelCharacter(0x007F, false, "delete"),
                labelCharacter(0x00A0, false, "no-break space"),
                labelCharacter(0x00B6, false, "pilcrow, before the middle dot"),
                labelCharacter(0x00B7, true, "middle dot"),
                labelCharacter(0x00B8, false, "cedilla, after the middle dot"),
                labelCharacter(0x2013, false, "en dash, before the em dash"),
                labelCharacter(0x2014, true, "em dash"),
                labelCharacter(0x2015, false, "horizontal bar, after the em dash"),
                labelCharacter(0x2017, false, "double low line, before the single quotes"),
                labelCharacter(0x2018, true, "left single quotation mark"),
                labelCharacter(0x2019, true, "right single quotation mark"),
                labelCharacter(0x201A, false, "single low-9 quotation mark"),
                labelCharacter(0x201B, false, "single high-reversed-9 quotation mark"),
                labelCharacter(0x201C, true, "left double quotation mark"),
                labelCharacter(0x201D, true, "right double quotation mark"),
                labelCharacter(0x201E, false, "double low-9 quotation mark"),
                labelCharacter(0x2025, false, "two dot leader, before the ellipsis"),
                labelCharacter(0x2026, true, "horizontal ellipsis"),
                labelCharacter(0x2027, false, "hyphenation point, after the ellipsis"),
                labelCharacter(0x2028, false, "line separator"),
                labelCharacter(0x3000, false, "ideographic space"),
                labelCharacter(0x3001, true, "ideographic comma"),
                labelCharacter(0x3011, true, "right black lenticular bracket"),
                labelCharacter(0x3012, false, "postal mark"),
                labelCharacter(0x33FF, false, "square gal, before Extension A"),
                labelCharacter(0x3400, true, "first ideograph of Extension A"),
                labelCharacter(0x4DBF, true, "last ideograph of Extension A"),
                labelCharacter(0x4DC0, false, "hexagram, after Extension A"),
                labelCharacter(0x4DFF, false, "hexagram, before the CJK block"),
                labelCharacter(0x4E00, true, "first CJK unified ideograph"),
                labelCharacter(0x9FFF, true, "last CJK unified ideograph"),
                labelCharacter(0xA000, false, "Yi syllable, after the CJK block"),
                labelCharacter(0xFF00, false, "unassigned, before the full-width forms"),
                labelCharacter(0xFF01, true, "full-width exclamation mark"),
                labelCharacter(0xFF0E, true, "full-width full stop"),
                labelCharacter(0xFF0F, false, "full-width solidus"),
                labelCharacter(0xFF10, true, "full-width digit zero"),
                labelCharacter(0xFF3B, true, "full-width left square bracket"),
                labelCharacter(0xFF3C, false, "full-width reverse solidus"),
                labelCharacter(0xFF3D, true, "full-width right square bracket"),
                labelCharacter(0xFF5E, true, "full-width tilde"),
                labelCharacter(0xFF5F, false, "full-width white parenthesis, after the list"),
                labelCharacter(0x00AD, false, "soft hyphen (format)"),
                labelCharacter(0x200B, false, "zero width space (format)"),
                labelCharacter(0x202E, false, "right-to-left override (format)"),
                labelCharacter(0xFEFF, false, "byte order mark (format)"),
                labelCharacter(0xFDD0, false, "noncharacter"),
                labelCharacter(0xFFFE, false, "noncharacter"),
                labelCharacter(0xE000, false, "private use"),
                labelCharacter(0xD800, false, "lone surrogate"),
                labelCharacter(0x00E9, false, "Latin small e with acute"),
                labelCharacter(0x0410, false, "Cyrillic capital A, a look-alike of A"),
                labelCharacter(0x20000, false, "first ideograph of Extension B"),
                labelCharacter(0x1F600, false, "emoji"));
    }

    private static Arguments labelCharacter(int codePoint, boolean allowed, String what) {
        return Arguments.of(Named.of(String.format("U+%04X %s", codePoint, what), codePoint), allowed);
    }

    @ParameterizedTest(name = "{0}: allowed {1}")
    @MethodSource("labelCharacters")
    void labelCharacter_isAllowedOrRefused_exactlyAsTheListSays_whenSealingAndWhenOpening(int codePoint, boolean allowed) {
        String label = "a" + Character.toString(codePoint) + "b";
        if (allowed) {
            byte[] sealed = sealer.seal(new byte[1], BANK.publicKey(), TREASURY.privateKey(), label);
            assertThat(opener.open(sealed, BANK.privateKey(), TREASURY.publicKey()).info().label()).isEqualTo(label);
        } else {
            assertThatThrownBy(() -> sealer.seal(new byte[1], BANK.publicKey(), TREASURY.privateKey(), label))
                    .isInstanceOf(MalformedInputException.class).hasMessageContaining("may not hold U+%04X", codePoint);
        }

        // The opener applies the same list to what it reads: the label's bytes are put into an envelope
        // sealed with a stand-in label of the same length. An allowed one passes the label check and
        // fails only later, at the tag; a refused one is refused as malformed, whatever its encoding.
        byte[] labelBytes = looseUtf8("a", codePoint, "b");
        byte[] sealed = sealer.seal(new byte[1], BANK.publicKey(), TREASURY.privateKey(), "x".repeat(labelBytes.length));
        System.arraycopy(labelBytes, 0, sealed, EnvelopeFormat.FIXED_HEADER_BYTES, labelBytes.length);
        if (allowed) {
            assertRefused(sealed, BANK.privateKey(), TREASURY.publicKey(), Reason.TAG_MISMATCH);
        } else {
            assertThatThrownBy(() -> opener.open(sealed, BANK.privateKey(), TREASURY.publicKey()))
                    .isInstanceOf(MalformedInputException.class).hasMessageContaining("envelope label");
        }
    }

    /** UTF-8 that also encodes a lone surrogate (as CESU-8 would), so that the opener's decoding is tried too. */
    private static byte[] looseUtf8(String before, int codePoint, String after) {
        var out = new java.io.ByteArrayOutputStream();
        out.writeBytes(before.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (codePoint < 0x80) {
            out.write(codePoint);
        } else if (codePoint < 0x800) {
            out.write(0xC0 | codePoint >> 6);
            out.write(0x80 | codePoint & 0x3F);
        } else if (codePoint < 0x10000) {
            out.write(0xE0 | codePoint >> 12);
            out.write(0x80 | codePoint >> 6 & 0x3F);
            out.write(0x80 | codePoint & 0x3F);
        } else {
            out.write(0xF0 | codePoint >> 18);
            out.write(0x80 | codePoint >> 12 & 0x3F);
            out.write(0x80 | codePoint >> 6 & 0x3F);
            out.write(0x80 | codePoint & 0x3F);
        }
        out.writeBytes(after.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void labels_thatRealContentCarries_areAccepted() {
        for (String label : new String[] {"DEMO-202611-0001.results.jsonl", "2026年耕地地力保护补贴（第一批）.csv",
                "《“雨露计划”补助》名单——二〇二六年…", "残疾人两项补贴【11月】、高龄津贴.xlsx", "阿依古丽·买买提"}) {
            byte[] sealed = sealer.seal(new byte[1], BANK.publicKey(), TREASURY.privateKey(), label);
            assertThat(opener.open(sealed, BANK.privateKey(), TREASURY.publicKey()).info().label()).isEqualTo(label);
        }
    }

    /**
     * signature_len at and beyond 8..72 with the input cut right after it: a length inside is read
     * (and found cut), one outside is refused before anything is read.
     */
    @ParameterizedTest(name = "signature_len {0}")
    @CsvSource({"0, SIGNATURE_INVALID", "7, SIGNATURE_INVALID", "8, TRUNCATED", "72, TRUNCATED", "73, SIGNATURE_INVALID",
            "65535, SIGNATURE_INVALID"})
    void signatureLength_outside8To72_isRefusedBeforeTheSignatureIsRead(int signatureLength, Reason reason) {
        byte[] sealed = sealer.seal(new byte[10], BANK.publicKey(), TREASURY.privateKey(), "");
        int trailer = Layout.of(sealed).signatureStart();
        byte[] cut = Arrays.copyOf(sealed, trailer + 2);
        Bytes.writeU16(cut, trailer, signatureLength);

        assertRefused(cut, BANK.privateKey(), TREASURY.publicKey(), reason);
        if (reason == Reason.SIGNATURE_INVALID) {
            assertThatThrownBy(() -> opener.open(cut, BANK.privateKey(), TREASURY.publicKey()))
                    .hasMessageContaining("signature length " + signatureLength + " is outside 8..72");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "3006020101020101",  // 8 bytes: r = s = 1
            "3046022100fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54122"
                    + "022100fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54122"})  // 72 bytes: r = s = n - 1
    void signaturesOfTheShortestAndLongestLength_areReadAndVerified(String signatureHex) {
        byte[] signature = java.util.HexFormat.of().parseHex(signatureHex);
        byte[] sealed = sealer.seal(new byte[10], BANK.publicKey(), TREASURY.privateKey(), "");
        int trailer = Layout.of(sealed).signatureStart();
        byte[] replaced = Arrays.copyOf(sealed, trailer + 2 + signature.length);
        Bytes.writeU16(replaced, trailer, signature.length);
        System.arraycopy(signature, 0, replaced, trailer + 2, signature.length);

        assertRefused(replaced, BANK.privateKey(), TREASURY.publicKey(), Reason.SIGNATURE_INVALID);
        assertThatThrownBy(() -> opener.open(replaced, BANK.privateKey(), TREASURY.publicKey()))
                .hasMessageContaining("does not verify");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1970-01-01T00:00:00Z", "2001-09-09T01:46:40Z", "9999-12-31T23:59:59.999Z"})
    void sealedAt_isNeverChecked_andIsReportedAsTheSenderWroteIt(String sealedAt) {
        Instant instant = Instant.parse(sealedAt);
        byte[] sealed = new EnvelopeSealer(Clock.fixed(instant, ZoneOffset.UTC), CHUNK)
                .seal(new byte[10], BANK.publicKey(), TREASURY.privateKey(), "");

        assertThat(Bytes.readU64(sealed, EnvelopeFormat.OFFSET_SEALED_AT)).isEqualTo(instant.toEpochMilli());
        assertThat(opener.open(sealed, BANK.privateKey(), TREASURY.publicKey()).info().sealedAt()).isEqualTo(instant);
    }

    @Test
    void notAnEnvelope_isRefusedAsMalformed() {
        assertThatThrownBy(() -> opener.open("hello, world".getBytes(), BANK.privateKey(), TREASURY.publicKey()))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("not a OneCard envelope");
    }

    private void assertRefused(byte[] sealed, Sm2PrivateKey recipient, Sm2PublicKey sender, Reason reason) {
        assertRefusedAnyOf(sealed, recipient, sender, reason);
    }

    private void assertRefusedAnyOf(byte[] sealed, Sm2PrivateKey recipient, Sm2PublicKey sender, Reason... reasons) {
        assertThatThrownBy(() -> opener.open(sealed, recipient, sender))
                .isInstanceOf(VerificationFailedException.class)
                .extracting(e -> ((VerificationFailedException) e).reason())
                .isIn((Object[]) reasons);
        assertNothingReleasedToDisk(sealed, recipient, sender);
    }

    private void assertNothingReleasedToDisk(byte[] sealed) {
        assertNothingReleasedToDisk(sealed, BANK.privateKey(), TREASURY.publicKey());
    }

    private void assertNothingReleasedToDisk(byte[] sealed, Sm2PrivateKey recipient, Sm2PublicKey sender) {
        Path destination = directory.resolve("must-not-exist");
        assertThatThrownBy(() -> opener.open(new ByteArrayInputStream(sealed), destination, recipient, sender))
                .isInstanceOf(CryptoException.class);
        assertThat(directory.toFile().list()).isEmpty();
    }

    /** Where the chunks and the trailer of a sealed envelope start. */
    private record Layout(int[] chunkStarts, int signatureStart) {
        static Layout of(byte[] sealed) {
            int labelLength = sealed[EnvelopeFormat.OFFSET_LABEL_LENGTH] & 0xff;
            int position = EnvelopeFormat.FIXED_HEADER_BYTES + labelLength;
            position += 2 + Bytes.readU16(sealed, position);
            int[] starts = new int[0];
            while (true) {
                starts = Arrays.copyOf(starts, starts.length + 1);
                starts[starts.length - 1] = position;
                int word = Bytes.readU32(sealed, position);
                position += 4 + (word & 0x7fffffff) + 16;
                if (word < 0) {
                    return new Layout(starts, position);
                }
            }
        }
    }
}
