package cn.onecard.iso8583;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A frame written by hand from a dialect's spec tables, in {@code src/test/resources/golden}: one
 * line per piece, hex digits or "ASCII text" before a run of two spaces, what it is after; the
 * dialect and the expected field values in {@code # dialect} and {@code # expect path=value} lines.
 */
record GoldenFrame(String name, String dialect, byte[] bytes, Map<String, String> expectations) {

    static GoldenFrame load(String name) {
        String text;
        try (InputStream in = GoldenFrame.class.getResourceAsStream("/golden/" + name + ".frame")) {
            if (in == null) {
                throw new IllegalArgumentException("no golden frame " + name);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String dialect = null;
        Map<String, String> expectations = new LinkedHashMap<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StringBuilder hex = new StringBuilder();
        for (String line : text.lines().toList()) {
            if (line.startsWith("# dialect ")) {
                dialect = line.substring("# dialect ".length()).strip();
            } else if (line.startsWith("# expect ")) {
                String expectation = line.substring("# expect ".length()).strip();
                int equals = expectation.indexOf('=');
                expectations.put(expectation.substring(0, equals), expectation.substring(equals + 1));
            } else if (!line.startsWith("#") && !line.isBlank()) {
                int comment = line.indexOf("  ");
                String content = comment < 0 ? line : line.substring(0, comment);
                for (String token : content.strip().split(" (?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
                    if (token.startsWith("\"")) {
                        flush(hex, bytes);
                        bytes.writeBytes(token.substring(1, token.length() - 1).getBytes(StandardCharsets.US_ASCII));
                    } else {
                        hex.append(token);
                    }
                }
                flush(hex, bytes);
            }
        }
        return new GoldenFrame(name, dialect, bytes.toByteArray(), expectations);
    }

    private static void flush(StringBuilder hex, ByteArrayOutputStream bytes) {
        if (!hex.isEmpty()) {
            bytes.writeBytes(HexFormat.of().parseHex(hex));
            hex.setLength(0);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
