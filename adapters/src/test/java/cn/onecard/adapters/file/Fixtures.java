package cn.onecard.adapters.file;

import cn.onecard.adapters.BankCapabilities;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.KeyUsage;
import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.crypto.SymmetricKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.HexFormat;
import java.util.List;

/** The dispatches of the golden files and the test keys (generated per run, named as test keys). */
final class Fixtures {

    static final String UNIT_NUMBER = "4103000001";
    static final LocalDate DAY = LocalDate.of(2026, 11, 23);

    /** Generated once per test run; never used outside tests. */
    static final Sm2KeyPair TEST_GATEWAY_KEY = Sm2.generateKeyPair();
    static final Sm2KeyPair TEST_BANK_KEY = Sm2.generateKeyPair();
    static final Sm2KeyPair TEST_OTHER_KEY = Sm2.generateKeyPair();
    static final SymmetricKey TEST_DATA_KEY = SymmetricKey.of(KeyAlgorithm.SM4,
            HexFormat.of().parseHex("0123456789abcdeffedcba9876543210"), KeyUsage.DATA);
    static final SymmetricKey TEST_OTHER_DATA_KEY = SymmetricKey.of(KeyAlgorithm.SM4,
            HexFormat.of().parseHex("00112233445566778899aabbccddeeff"), KeyUsage.DATA);

    private Fixtures() {
    }

    static FileLayout lyb() {
        return FileLayouts.builtIn().get("lyb");
    }

    static FileLayout abc() {
        return FileLayouts.builtIn().get("abc");
    }

    /** The three items of the golden files. */
    static List<PaymentInstruction> goldenItems() {
        return List.of(
                new PaymentInstruction("L2611230000000000001", "6225768888888888", "张三", "11010519491231002X", 9000, "P29"),
                new PaymentInstruction("L2611230000000000002", "6217000010001234563", "欧阳娜娜", "440524188001010014", 123456, "P02"),
                new PaymentInstruction("L2611230000000000003", "6228480000000000005", "李四", "34052419800101001X", 5, "P28"));
    }

    static Dispatch lybDispatch() {
        return new Dispatch("F20261123LYB0001", "LYB", DAY, 1, goldenItems());
    }

    static Dispatch abcDispatch() {
        return new Dispatch("F20261123ABC0001", "ABC", DAY, 1, goldenItems());
    }

    static BankCapabilities capabilities() {
        return BankCapabilities.batchFile(50_000, List.of(LocalTime.of(10, 0), LocalTime.of(15, 0)), Duration.ofHours(4));
    }

    static byte[] golden(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden file " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid 18-character identity number for item {@code i} (check digit by ISO 7064 MOD 11-2). */
    static String idNumber(int i) {
        String body = "110105" + "19" + String.format("%02d", 40 + i % 60) + "0101" + String.format("%03d", i % 1000);
        int[] weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
        int sum = 0;
        for (int k = 0; k < 17; k++) {
            sum += (body.charAt(k) - '0') * weights[k];
        }
        return body + "10X98765432".charAt(sum % 11);
    }
}
