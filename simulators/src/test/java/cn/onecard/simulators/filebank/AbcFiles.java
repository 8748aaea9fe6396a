package cn.onecard.simulators.filebank;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.crypto.EnvelopeSealer;
import cn.onecard.crypto.OpenedEnvelope;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ABC files written and read the way docs/files/bank-abc.md describes them, by the test's own hand:
 * fixed-width UTF-8 records (widths in bytes), fen, OneCard envelopes.
 */
final class AbcFiles {

    private static final DateTimeFormatter YYYYMMDD = DateTimeFormatter.ofPattern("yyyyMMdd");

    record Row(String reference, String card, String name, String idNumber, long amountFen) {
    }

    private AbcFiles() {
    }

    static String paymentName(LocalDate date, String fileId) {
        return "ABC" + date.format(YYYYMMDD) + fileId + ".dat";
    }

    static String resultName(LocalDate date, String fileId) {
        return "ABC" + date.format(YYYYMMDD) + fileId + ".ret";
    }

    static String n(long value, int width) {
        String digits = Long.toString(value);
        assertThat(digits.length()).isLessThanOrEqualTo(width);
        return "0".repeat(width - digits.length()) + digits;
    }

    static String a(String value, int widthBytes) {
        // Cut at a character boundary, then pad with spaces to the width in bytes.
        StringBuilder cut = new StringBuilder();
        int used = 0;
        for (int cp : value.codePoints().toArray()) {
            int bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (used + bytes > widthBytes) {
                break;
            }
            cut.appendCodePoint(cp);
            used += bytes;
        }
        return cut + " ".repeat(widthBytes - used);
    }

    static String header(String fileId, LocalDate date, long count, long totalFen) {
        return "H" + a(fileId, 32) + date.format(YYYYMMDD) + n(count, 8) + n(totalFen, 15);
    }

    static String detail(int sequence, Row row) {
        return "D" + n(sequence, 8) + a(row.reference(), 20) + a(row.card(), 19) + a(row.name(), 60)
                + a(row.idNumber(), 18) + n(row.amountFen(), 15);
    }

    static String trailer(long count, long totalFen) {
        return "T" + n(count, 8) + n(totalFen, 15);
    }

    /** A well-formed payment file. */
    static byte[] payment(String fileId, LocalDate date, List<Row> rows) {
        long total = rows.stream().mapToLong(Row::amountFen).sum();
        List<String> lines = new ArrayList<>();
        lines.add(header(fileId, date, rows.size(), total));
        for (int i = 0; i < rows.size(); i++) {
            lines.add(detail(i + 1, rows.get(i)));
        }
        lines.add(trailer(rows.size(), total));
        return join(lines);
    }

    static byte[] join(List<String> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : lines) {
            out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** {@code NAME.ocev}: sealed to the bank, signed by {@code sender}, labelled with the plain name. */
    static Map<String, byte[]> protect(String plainName, byte[] plain, Sm2PublicKey bank, Sm2PrivateKey sender) {
        return protect(plainName, plain, bank, sender, plainName);
    }

    static Map<String, byte[]> protect(String plainName, byte[] plain, Sm2PublicKey bank, Sm2PrivateKey sender,
                                       String label) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(plainName + ".ocev", new EnvelopeSealer().seal(plain, bank, sender, label));
        return files;
    }

    /** A result file as the gateway reads it. */
    record Result(String fileId, String date, long count, long totalFen, String status, String reason,
                  List<Detail> records, long paidCount, long paidTotalFen) {

        Map<String, String> codes() {
            Map<String, String> codes = new LinkedHashMap<>();
            records.forEach(r -> codes.put(r.reference(), r.reason()));
            return codes;
        }
    }

    record Detail(long sequence, String reference, String card, long amountFen, String status, String reason,
                  String text) {
    }

    static Result open(Map<String, byte[]> taken, String plainName) {
        assertThat(taken).containsKey(plainName + ".ocev");
        OpenedEnvelope opened = new EnvelopeOpener().open(taken.get(plainName + ".ocev"),
                TestBank.TEST_GATEWAY_KEYS.privateKey(), TestBank.TEST_BANK_KEYS.publicKey());
        assertThat(opened.info().label()).isEqualTo(plainName);
        return parse(opened.content());
    }

    static Result parse(byte[] plain) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < plain.length; i++) {
            if (plain[i] == '\n') {
                byte[] line = new byte[i - start];
                System.arraycopy(plain, start, line, 0, line.length);
                lines.add(line);
                start = i + 1;
            }
        }
        assertThat(start).as("ends with LF").isEqualTo(plain.length);
        byte[] h = lines.getFirst();
        assertThat(h).as("header width").hasSize(69);
        assertThat(field(h, 1, 1)).isEqualTo("H");
        List<Detail> details = new ArrayList<>();
        for (byte[] d : lines.subList(1, lines.size() - 1)) {
            assertThat(d).as("detail width").hasSize(128);
            assertThat(field(d, 1, 1)).isEqualTo("D");
            details.add(new Detail(Long.parseLong(field(d, 2, 8)), field(d, 10, 20).stripTrailing(),
                    field(d, 30, 19).stripTrailing(), Long.parseLong(field(d, 49, 15)), field(d, 64, 1),
                    field(d, 65, 4).stripTrailing(), field(d, 69, 60).stripTrailing()));
        }
        byte[] t = lines.getLast();
        assertThat(t).as("trailer width").hasSize(47);
        assertThat(field(t, 1, 1)).isEqualTo("T");
        Result result = new Result(field(h, 2, 32).stripTrailing(), field(h, 34, 8), Long.parseLong(field(h, 42, 8)),
                Long.parseLong(field(h, 50, 15)), field(h, 65, 1), field(h, 66, 4).stripTrailing(), details,
                Long.parseLong(field(t, 25, 8)), Long.parseLong(field(t, 33, 15)));
        assertThat(result.count()).isEqualTo(details.size()).isEqualTo(Long.parseLong(field(t, 2, 8)));
        long total = details.stream().mapToLong(Detail::amountFen).sum();
        assertThat(result.totalFen()).isEqualTo(total).isEqualTo(Long.parseLong(field(t, 10, 15)));
        assertThat(result.paidCount()).isEqualTo(details.stream().filter(d -> d.status().equals("S")).count());
        assertThat(result.paidTotalFen()).isEqualTo(
                details.stream().filter(d -> d.status().equals("S")).mapToLong(Detail::amountFen).sum());
        return result;
    }

    /** Field at 1-based byte position {@code from}, {@code length} bytes, as UTF-8. */
    static String field(byte[] line, int from, int length) {
        return new String(line, from - 1, length, StandardCharsets.UTF_8);
    }
}
