package cn.onecard.benchmarks.iso8583;

import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.Dialects;
import cn.onecard.iso8583.IsoMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The exchange every loopback stack performs: agent-bcd's frames (2-byte binary length, TPDU, BCD
 * numerics, the framing jPOS's NACChannel speaks), a 0200 credit of eight fields answered by a 0210
 * of nine. The MAC rule is taken out for the comparison with jPOS and the bare echo, which have
 * none; {@link #signed()} keeps it for the row that measures it.
 */
final class LoopbackDialect {

    static final String TERMINAL = "TERM0001";

    private final Path directory;

    LoopbackDialect() {
        try {
            directory = Files.createTempDirectory("onecard-loopback-");
            directory.toFile().deleteOnExit();
            for (String spec : new String[]{"agent-bcd.xml", "agent-bcd-verification.xml"}) {
                copy(spec, spec);
            }
            String descriptor = read("agent-bcd.dialect.properties").replaceAll("(?m)^mac\\..*$", "");
            Files.writeString(directory.resolve("loopback.dialect.properties"), descriptor);
            copy("agent-bcd.dialect.properties", "loopback-signed.dialect.properties");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** agent-bcd without its MAC rule. */
    Dialect plain() {
        return Dialects.fromDirectory(directory).get("loopback");
    }

    /** agent-bcd as it is: SM4-CMAC in field 128. */
    Dialect signed() {
        return Dialects.fromDirectory(directory).get("loopback-signed");
    }

    /** The spec file, for jPOS's GenericPackager. */
    Path spec() {
        return directory.resolve("agent-bcd.xml");
    }

    static IsoMessage credit(Dialect dialect) {
        return dialect.newMessage("credit").tpdu(new byte[]{0x60, 0x00, 0x01, 0x00, 0x00}).set(2, "6228480402564890018")
                .set(4, "000000009000").set(11, "000001").set(41, TERMINAL).set(102, "62010001000000001")
                .set(103, "6228480402564890018");
    }

    static String stan(long sequence) {
        String digits = Long.toString(sequence % 999_999 + 1);
        return "000000".substring(digits.length()) + digits;
    }

    private void copy(String resource, String file) throws IOException {
        Files.writeString(directory.resolve(file), read(resource));
    }

    private static String read(String resource) throws IOException {
        try (InputStream in = Dialects.class.getResourceAsStream("/cn/onecard/iso8583/dialects/" + resource)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
