package cn.onecard.simulators.filebank;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.Sm4;
import cn.onecard.crypto.Sm4Mode;
import cn.onecard.crypto.SymmetricKey;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LYB files written and read the way docs/files/bank-lyb.md describes them, by the test's own hand
 * (nothing here comes from the simulator's code): GBK, {@code |}, CRLF, yuan, SM4-CBC and a detached
 * SM2 signature.
 */
final class LybFiles {

    static final Charset GBK = Charset.forName("GBK");
    private static final DateTimeFormatter YYYYMMDD = DateTimeFormatter.ofPattern("yyyyMMdd");

    /** One payee line; the amount is the text written, so a test can write a bad one. */
    record Row(String reference, String name, String amountYuan, String account, String idNumber) {
    }

    private LybFiles() {
    }

    static String paymentName(LocalDate date, String fileId) {
        return "LYBPAY_" + date.format(YYYYMMDD) + "_" + fileId + ".txt";
    }

    static String resultName(LocalDate date, String fileId) {
        return "LYBRET_" + date.format(YYYYMMDD) + "_" + fileId + ".txt";
    }

    static String yuan(long fen) {
        return String.format("%d.%02d", fen / 100, fen % 100);
    }

    static long fen(String yuan) {
        String[] parts = yuan.split("\\.");
        assertThat(parts).hasSize(2);
        assertThat(parts[1]).hasSize(2);
        return Long.parseLong(parts[0]) * 100 + Long.parseLong(parts[1]);
    }

    /** A well-formed payment file: count and total agree with the rows. */
    static byte[] payment(String unit, LocalDate date, String fileId, List<Row> rows) {
        long totalFen = rows.stream().mapToLong(r -> fen(r.amountYuan())).sum();
        return payment(unit, date.format(YYYYMMDD), Integer.toString(rows.size()), yuan(totalFen), fileId, rows);
    }

    /** A payment file with every summary field as given, to write bad ones. */
    static byte[] payment(String unit, String date, String count, String total, String fileId, List<Row> rows) {
        StringBuilder text = new StringBuilder();
        text.append(String.join("|", unit, date, count, total, fileId)).append("\r\n");
        int sequence = 1;
        for (Row row : rows) {
            text.append(String.join("|", row.reference(), row.name(), row.amountYuan(), row.account(), unit, "01",
                    row.idNumber(), Integer.toString(sequence++))).append("\r\n");
        }
        return text.toString().getBytes(GBK);
    }

    /** {@code NAME.enc} then {@code NAME.sig}, in publication order. */
    static Map<String, byte[]> protect(String plainName, byte[] plain, SymmetricKey dataKey, Sm2PrivateKey signer) {
        byte[] iv = new byte[16];
        new SecureRandom().nextBytes(iv);
        byte[] ciphertext = Sm4.encrypt(Sm4Mode.CBC, dataKey, iv, plain);
        byte[] enc = new byte[16 + ciphertext.length];
        System.arraycopy(iv, 0, enc, 0, 16);
        System.arraycopy(ciphertext, 0, enc, 16, ciphertext.length);
        byte[] sig = (Base64.getEncoder().encodeToString(signer.sign(enc)) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(plainName + ".enc", enc);
        files.put(plainName + ".sig", sig);
        return files;
    }

    /** A result file as the gateway reads it: summary fields and record fields. */
    record Result(String[] summary, List<String[]> records) {

        String unit() {
            return summary[0];
        }

        String date() {
            return summary[1];
        }

        int count() {
            return Integer.parseInt(summary[2]);
        }

        long totalFen() {
            return fen(summary[3]);
        }

        String fileId() {
            return summary[4];
        }

        String status() {
            return summary[5];
        }

        String reason() {
            return summary[6];
        }

        /** reference -> reason code */
        Map<String, String> codes() {
            Map<String, String> codes = new LinkedHashMap<>();
            records.forEach(r -> codes.put(r[0], r[4]));
            return codes;
        }
    }

    static boolean verifies(byte[] enc, byte[] sig, Sm2PublicKey bankKey) {
        String text = new String(sig, StandardCharsets.US_ASCII);
        if (!text.endsWith("\r\n")) {
            return false;
        }
        try {
            return bankKey.verify(enc, Base64.getDecoder().decode(text.substring(0, text.length() - 2)));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Verifies, decrypts and parses a result file, asserting the layout as it goes. */
    static Result open(byte[] enc, byte[] sig, SymmetricKey dataKey, Sm2PublicKey bankKey) {
        assertThat(verifies(enc, sig, bankKey)).as("result signature verifies").isTrue();
        byte[] plain = Sm4.decrypt(Sm4Mode.CBC, dataKey, Arrays.copyOf(enc, 16), Arrays.copyOfRange(enc, 16, enc.length));
        return parse(plain);
    }

    static Result parse(byte[] plain) {
        String text = new String(plain, GBK);
        assertThat(text).endsWith("\r\n");
        String[] lines = text.substring(0, text.length() - 2).split("\r\n", -1);
        String[] summary = lines[0].split("\\|", -1);
        assertThat(summary).as("summary fields").hasSize(7);
        List<String[]> records = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] fields = lines[i].split("\\|", -1);
            assertThat(fields).as("record fields").hasSize(6);
            records.add(fields);
        }
        Result result = new Result(summary, records);
        assertThat(result.count()).as("summary count").isEqualTo(records.size());
        assertThat(result.totalFen()).as("summary total")
                .isEqualTo(records.stream().mapToLong(r -> fen(r[2])).sum());
        return result;
    }

    /** Opens result file {@code plainName} from a map of files taken from out/. */
    static Result open(Map<String, byte[]> taken, String plainName) {
        assertThat(taken).containsKeys(plainName + ".enc", plainName + ".sig");
        return open(taken.get(plainName + ".enc"), taken.get(plainName + ".sig"), TestBank.TEST_DATA_KEY,
                TestBank.TEST_BANK_KEYS.publicKey());
    }
}
