package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/crypto.md's envelope spec against the code: the key id worked example and the label
 * character list. Partners implement the envelope from that page alone, so it cannot drift.
 */
class EnvelopeSpecDocumentTest {

    private static final HexFormat HEX = HexFormat.of();
    private static String page;

    @BeforeAll
    static void readPage() throws IOException {
        Path here = Path.of("").toAbsolutePath();
        Path docs = Stream.of(here.resolve("docs/crypto.md"), here.resolveSibling("docs").resolve("crypto.md"))
                .filter(Files::exists).findFirst().orElseThrow(() -> new AssertionError("docs/crypto.md not found from " + here));
        page = Files.readString(docs, StandardCharsets.UTF_8);
    }

    @Test
    void keyIdWorkedExample_isWhatTheCodeComputes_fromEitherKeyFile() throws IOException {
        String section = section("### Key ids");
        byte[] prefix = HEX.parseHex(single(section, "the 26 bytes `([0-9a-f]{52})`"));
        byte[] point = HEX.parseHex("04" + row(section, "X") + row(section, "Y"));
        byte[] keyId = HEX.parseHex(row(section, "key id"));

        Sm2PublicKey fromPoint = Sm2PublicKey.fromHex(HEX.formatHex(point));
        Sm2PublicKey asOpenSslWritesIt = Sm2PublicKey.fromPem(resource("gbt32918-5-annex-a.public.pem"));
        Sm2PublicKey underTheBareSm2Oid = Sm2PublicKey.fromPem(resource("gbt32918-5-annex-a.bare-sm2-oid.public.pem"));

        assertThat(fromPoint.encoded()).hasSize(91).isEqualTo(concat(prefix, point));
        assertThat(Sm3.digest(concat(prefix, point))).isEqualTo(keyId);
        assertThat(fromPoint.fingerprint()).isEqualTo(keyId);
        assertThat(Sm2PublicKey.fromHex("03" + row(section, "X")).fingerprint()).as("compressed (Y is odd)").isEqualTo(keyId);
        assertThat(asOpenSslWritesIt.fingerprint()).isEqualTo(keyId);
        assertThat(underTheBareSm2Oid.fingerprint()).isEqualTo(keyId);
        byte[] bareFileDer = Sm2Pem.read("public key", resource("gbt32918-5-annex-a.bare-sm2-oid.public.pem")).getContent();
        assertThat(bareFileDer).hasSize(82).startsWith(HEX.parseHex(single(section, "beginning\\s+`([0-9a-f]+)`")));
        assertThat(Sm3.digest(bareFileDer)).as("the file's own bytes are not what is hashed").isNotEqualTo(keyId);
    }

    @Test
    void anEnvelopeSealedToTheExampleKey_carriesTheExampleKeyIdAsRecipient() {
        String section = section("### Key ids");
        Sm2PublicKey recipient = Sm2PublicKey.fromHex("04" + row(section, "X") + row(section, "Y"));
        Sm2KeyPair sender = Sm2.generateKeyPair();

        byte[] sealed = new EnvelopeSealer().seal(new byte[1], recipient, sender.privateKey(), "");

        assertThat(Arrays.copyOfRange(sealed, EnvelopeFormat.OFFSET_RECIPIENT, EnvelopeFormat.OFFSET_RECIPIENT + 32))
                .isEqualTo(HEX.parseHex(row(section, "key id")));
        assertThat(Arrays.copyOfRange(sealed, EnvelopeFormat.OFFSET_SENDER, EnvelopeFormat.OFFSET_SENDER + 32))
                .isEqualTo(Sm3.digest(sender.publicKey().encoded()));
    }

    @Test
    void labelCharacterList_isTheCodesList() {
        Pattern rangeRow = Pattern.compile("^\\| U\\+([0-9A-F]{4,6}) \\| U\\+([0-9A-F]{4,6}) \\|", Pattern.MULTILINE);
        Matcher rows = rangeRow.matcher(section("### Labels"));
        List<EnvelopeLabel.CodePointRange> documented = new ArrayList<>();
        while (rows.find()) {
            documented.add(new EnvelopeLabel.CodePointRange(Integer.parseInt(rows.group(1), 16), Integer.parseInt(rows.group(2), 16)));
        }
        assertThat(documented).containsExactlyElementsOf(EnvelopeLabel.ALLOWED);
    }

    /** What the page says of the list, checked against this JDK's Unicode tables (which only confirm it). */
    @Test
    void everyCharacterOnTheLabelList_isAssigned_andNoControlFormatPrivateUseOrSeparatorButSpace() {
        for (EnvelopeLabel.CodePointRange range : EnvelopeLabel.ALLOWED) {
            for (int codePoint = range.first(); codePoint <= range.last(); codePoint++) {
                int type = Character.getType(codePoint);
                assertThat(type).as("U+%04X", codePoint).isNotIn((int) Character.UNASSIGNED, (int) Character.CONTROL,
                        (int) Character.FORMAT, (int) Character.PRIVATE_USE, (int) Character.SURROGATE,
                        (int) Character.LINE_SEPARATOR, (int) Character.PARAGRAPH_SEPARATOR);
                if (type == Character.SPACE_SEPARATOR) {
                    assertThat(codePoint).as("the one space allowed").isEqualTo(0x20);
                }
                assertThat(codePoint).as("no path separator").isNotIn(0x2F, 0x5C, 0xFF0F, 0xFF3C);
            }
        }
    }

    /** From a heading to the next heading of the same or a higher level. */
    private static String section(String heading) {
        int start = page.indexOf("\n" + heading + "\n");
        assertThat(start).as("a section '%s'", heading).isNotNegative();
        int end = page.indexOf("\n### ", start + 1);
        int chapterEnd = page.indexOf("\n## ", start + 1);
        if (end < 0 || (chapterEnd >= 0 && chapterEnd < end)) {
            end = chapterEnd < 0 ? page.length() : chapterEnd;
        }
        return page.substring(start, end);
    }

    /** The hex in the table row whose first cell is {@code name}. */
    private static String row(String section, String name) {
        return single(section, "\\| " + Pattern.quote(name) + " \\| `([0-9a-f]+)` \\|");
    }

    private static String single(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("'%s' in docs/crypto.md", regex).isTrue();
        return matcher.group(1);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = EnvelopeSpecDocumentTest.class.getResourceAsStream("/keys/" + name)) {
            assertThat(in).as("test resource keys/%s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] all = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
