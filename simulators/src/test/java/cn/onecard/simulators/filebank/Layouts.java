package cn.onecard.simulators.filebank;

import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static cn.onecard.simulators.filebank.TestBank.DAY;
import static cn.onecard.simulators.filebank.TestBank.TEST_BANK_KEYS;
import static cn.onecard.simulators.filebank.TestBank.TEST_DATA_KEY;
import static cn.onecard.simulators.filebank.TestBank.TEST_GATEWAY_KEYS;
import static cn.onecard.simulators.filebank.TestBank.UNIT;

/** Both layouts behind one face, for the tests that hold for either (faults, ledger, restart). */
final class Layouts {

    static final String ZHANG_CARD = "6225768888888888";

    private Layouts() {
    }

    /** A result part reduced to what the tests compare: processed or refused, reason, "reference code" lines. */
    record View(boolean refused, String reason, List<String> records) {
    }

    static String ref(int n) {
        return String.format("F%019d", n);
    }

    /** A payment file of {@code count} good records (references {@code first}, first + 1, ...), each 1.00 yuan to 张三. */
    static Map<String, byte[]> payment(FileBankKind kind, String fileId, int first, int count) {
        return switch (kind) {
            case LYB -> {
                List<LybFiles.Row> rows = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    rows.add(new LybFiles.Row(ref(first + i), "张三", "1.00", ZHANG_CARD, "11010519491231002X"));
                }
                String name = LybFiles.paymentName(DAY, fileId);
                yield LybFiles.protect(name, LybFiles.payment(UNIT, DAY, fileId, rows), TEST_DATA_KEY,
                        TEST_GATEWAY_KEYS.privateKey());
            }
            case ABC -> {
                List<AbcFiles.Row> rows = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    rows.add(new AbcFiles.Row(ref(first + i), ZHANG_CARD, "张三", "11010519491231002X", 100));
                }
                yield AbcFiles.protect(AbcFiles.paymentName(DAY, fileId), AbcFiles.payment(fileId, DAY, rows),
                        TEST_BANK_KEYS.publicKey(), TEST_GATEWAY_KEYS.privateKey());
            }
        };
    }

    /** Plain name of result part {@code part}. */
    static String resultName(FileBankKind kind, String fileId, int part) {
        String date = DAY.format(DateTimeFormatter.ofPattern("yyyyMMdd"));
        String suffix = part == 1 ? "" : "_P" + part;
        return switch (kind) {
            case LYB -> "LYBRET_" + date + "_" + fileId + suffix + ".txt";
            case ABC -> "ABC" + date + fileId + suffix + ".ret";
        };
    }

    /** The names on the server that make up one result file. */
    static List<String> serverNames(FileBankKind kind, String plainName) {
        return switch (kind) {
            case LYB -> List.of(plainName + ".enc", plainName + ".sig");
            case ABC -> List.of(plainName + ".ocev");
        };
    }

    /** The result, if it verifies and parses; empty for a damaged one. */
    static Optional<View> tryOpen(FileBankKind kind, Map<String, byte[]> taken, String plainName) {
        try {
            return Optional.of(open(kind, taken, plainName));
        } catch (AssertionError | RuntimeException e) {
            return Optional.empty();
        }
    }

    static View open(FileBankKind kind, Map<String, byte[]> taken, String plainName) {
        return switch (kind) {
            case LYB -> {
                LybFiles.Result result = LybFiles.open(taken, plainName);
                yield new View(result.status().equals("1"), result.reason(),
                        result.records().stream().map(r -> r[0] + " " + r[4]).toList());
            }
            case ABC -> {
                AbcFiles.Result result = AbcFiles.open(taken, plainName);
                yield new View(result.status().equals("R"), result.reason(),
                        result.records().stream().map(d -> d.reference() + " " + d.reason()).toList());
            }
        };
    }
}
