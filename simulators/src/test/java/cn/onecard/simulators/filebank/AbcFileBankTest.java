package cn.onecard.simulators.filebank;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import cn.onecard.crypto.Sm2;
import cn.onecard.simulators.filebank.AbcFiles.Row;

import static cn.onecard.simulators.filebank.TestBank.DAY;
import static cn.onecard.simulators.filebank.TestBank.TEST_BANK_KEYS;
import static cn.onecard.simulators.filebank.TestBank.TEST_GATEWAY_KEYS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** The ABC bank over real SFTP, fed with files the test writes from docs/files/bank-abc.md. */
class AbcFileBankTest {

    static final String ZHANG_CARD = "6225768888888888";
    static final String LI_CARD = "6228480000000000011";
    static final String LONG_NAME = "买买提艾力阿卜杜热合曼克里木阿卜杜拉吐尔逊江";
    static final String ID = "11010519491231002X";

    @TempDir
    Path dir;
    TestBank bank;
    SftpGateway gateway;

    @BeforeEach
    void start() throws Exception {
        bank = TestBank.start(FileBankKind.ABC, dir);
        gateway = bank.connect();
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        bank.close();
    }

    static String ref(int n) {
        return String.format("A%019d", n);
    }

    static Row row(int n, String name, long fen, String card) {
        return new Row(ref(n), card, name, ID, fen);
    }

    static Map<String, byte[]> sealed(String fileId, byte[] plain) {
        return AbcFiles.protect(AbcFiles.paymentName(DAY, fileId), plain, TEST_BANK_KEYS.publicKey(),
                TEST_GATEWAY_KEYS.privateKey());
    }

    Map<String, byte[]> send(String fileId, List<Row> rows) throws Exception {
        gateway.upload(sealed(fileId, AbcFiles.payment(fileId, DAY, rows)));
        bank.awaitIdle();
        return gateway.takeAll();
    }

    @Test
    void recordChecks_eachOutcome_answersItsCodeAndPaysOnlyTheGoodOnes() throws Exception {
        List<Row> rows = List.of(
                row(1, "张三", 9_000, ZHANG_CARD),
                // a name longer than its 60 bytes is cut at a character boundary, and still matches
                row(2, LONG_NAME, 100, "6228480000000000086"),
                row(3, "王五", 200, "6228480000000000029"),
                row(4, "赵六", 300, "6228480000000000037"),
                row(5, "孙七", 400, "6228480000000000045"),
                row(6, "周八", 500, "6228480000000000052"),
                row(7, "吴九", 600, "6228480000000000060"),
                row(8, "郑十", 700, "6228480000000000078"),
                row(9, "钱多", 800, "6228480000000009999"),
                row(10, "张三丰", 900, ZHANG_CARD),
                row(11, "李四", 0, LI_CARD),
                row(1, "张三", 9_000, ZHANG_CARD));

        Map<String, byte[]> taken = send("D0001", rows);

        assertThat(taken).containsOnlyKeys(AbcFiles.resultName(DAY, "D0001") + ".ocev");
        AbcFiles.Result result = AbcFiles.open(taken, AbcFiles.resultName(DAY, "D0001"));
        assertThat(result.fileId()).isEqualTo("D0001");
        assertThat(result.date()).isEqualTo("20261102");
        assertThat(result.status()).isEqualTo("S");
        assertThat(result.reason()).isEqualTo("0000");
        assertThat(result.count()).isEqualTo(12);
        assertThat(result.totalFen()).isEqualTo(22_500);
        assertThat(result.paidCount()).isEqualTo(2);
        assertThat(result.paidTotalFen()).isEqualTo(9_100);
        assertThat(result.records()).extracting(d -> d.sequence() + " " + d.reference() + " " + d.status() + " "
                + d.reason()).containsExactly(
                "1 " + ref(1) + " S 0000",
                "2 " + ref(2) + " S 0000",
                "3 " + ref(3) + " F 3002",
                "4 " + ref(4) + " F 3003",
                "5 " + ref(5) + " F 3999",
                "6 " + ref(6) + " F 3999",
                "7 " + ref(7) + " F 3004",
                "8 " + ref(8) + " F 3005",
                "9 " + ref(9) + " F 3006",
                "10 " + ref(10) + " F 3001",
                "11 " + ref(11) + " F 3999",
                "12 " + ref(1) + " F 3007");
        assertThat(result.records().getFirst().card()).isEqualTo(ZHANG_CARD);
        assertThat(result.records().getFirst().amountFen()).isEqualTo(9_000);

        FileBankLedger ledger = bank.bank().ledger();
        assertThat(ledger.kind()).isEqualTo(FileBankKind.ABC);
        assertThat(ledger.paidCount()).isEqualTo(2);
        assertThat(ledger.paidSumFen()).isEqualTo(9_100);
        assertThat(bank.bank().balanceFen(ZHANG_CARD)).hasValue(9_000);
        assertThat(bank.bank().balanceFen("6228480000000000086")).hasValue(100);
        assertThat(bank.bank().balanceFen("6228480000000000078")).as("not activated: unchanged").hasValue(500);
    }

    @Test
    void duplicateFile_isAnsweredWithTheOriginalResults_andNotPaidAgain() throws Exception {
        AbcFiles.Result first = AbcFiles.open(send("D0002", List.of(row(1, "张三", 9_000, ZHANG_CARD))),
                AbcFiles.resultName(DAY, "D0002"));

        AbcFiles.Result again = AbcFiles.open(send("D0002", List.of(row(1, "张三", 9_000, ZHANG_CARD),
                row(2, "李四", 100, LI_CARD))), AbcFiles.resultName(DAY, "D0002"));

        assertThat(again).isEqualTo(first);
        assertThat(bank.bank().ledger().paidSumFen()).isEqualTo(9_000);
        assertThat(bank.bank().balanceFen(LI_CARD)).hasValue(10_000);
    }

    @Test
    void referencePaidInAnEarlierFile_getsTheDuplicateRecordCode() throws Exception {
        send("D0003", List.of(row(1, "张三", 9_000, ZHANG_CARD)));

        AbcFiles.Result second = AbcFiles.open(send("D0004", List.of(row(1, "张三", 9_000, ZHANG_CARD),
                row(2, "李四", 300, LI_CARD))), AbcFiles.resultName(DAY, "D0004"));

        assertThat(second.codes()).containsExactly(entry(ref(1), "3007"), entry(ref(2), "0000"));
        assertThat(bank.bank().ledger().paidSumFen()).isEqualTo(9_300);
    }

    record Refusal(String name, Function<String, Map<String, byte[]>> files, String code) {
        @Override
        public String toString() {
            return name;
        }
    }

    static byte[] withLines(String fileId, Function<List<String>, List<String>> change) {
        List<Row> rows = List.of(row(1, "张三", 9_000, ZHANG_CARD), row(2, "李四", 1_000, LI_CARD));
        List<String> lines = new ArrayList<>();
        lines.add(AbcFiles.header(fileId, DAY, 2, 10_000));
        lines.add(AbcFiles.detail(1, rows.get(0)));
        lines.add(AbcFiles.detail(2, rows.get(1)));
        lines.add(AbcFiles.trailer(2, 10_000));
        return AbcFiles.join(change.apply(lines));
    }

    static List<String> set(List<String> lines, int index, String line) {
        List<String> changed = new ArrayList<>(lines);
        changed.set(index, line);
        return changed;
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                new Refusal("header count disagrees", id -> sealed(id, withLines(id,
                        l -> set(l, 0, AbcFiles.header(id, DAY, 3, 10_000)))), "9001"),
                new Refusal("trailer total disagrees", id -> sealed(id, withLines(id,
                        l -> set(l, 3, AbcFiles.trailer(2, 10_001)))), "9001"),
                new Refusal("detail one byte short", id -> sealed(id, withLines(id,
                        l -> set(l, 1, l.get(1).substring(0, l.get(1).length() - 1)))), "9002"),
                new Refusal("letters in an N field", id -> sealed(id, withLines(id,
                        l -> set(l, 2, l.get(2).substring(0, l.get(2).length() - 15) + "00000000000010O"))), "9002"),
                new Refusal("trailer missing", id -> sealed(id, withLines(id, l -> l.subList(0, 3))), "9002"),
                new Refusal("header file id differs from the name", id -> sealed(id, withLines(id,
                        l -> set(l, 0, AbcFiles.header(id + "X", DAY, 2, 10_000)))), "9002"),
                new Refusal("name cut inside a character", id -> {
                    byte[] plain = withLines(id, l -> l);
                    // detail 1 starts after the 64-byte header and its LF; its name field at byte 49
                    int nameAt = 65 + 48;
                    byte[] zhangAndHalfFeng = {(byte) 0xE5, (byte) 0xBC, (byte) 0xA0, (byte) 0xE4, (byte) 0xB8};
                    Arrays.fill(plain, nameAt, nameAt + 60, (byte) ' ');
                    System.arraycopy(zhangAndHalfFeng, 0, plain, nameAt, zhangAndHalfFeng.length);
                    return sealed(id, plain);
                }, "9002"),
                new Refusal("CRLF line ends", id -> sealed(id, new String(withLines(id, l -> l), StandardCharsets.UTF_8)
                        .replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)), "9002"),
                new Refusal("sealed by another sender", id -> AbcFiles.protect(AbcFiles.paymentName(DAY, id),
                        withLines(id, l -> l), TEST_BANK_KEYS.publicKey(), Sm2.generateKeyPair().privateKey()), "9003"),
                new Refusal("sealed to another bank", id -> AbcFiles.protect(AbcFiles.paymentName(DAY, id),
                        withLines(id, l -> l), Sm2.generateKeyPair().publicKey(), TEST_GATEWAY_KEYS.privateKey()), "9003"),
                new Refusal("label is another file's name", id -> AbcFiles.protect(AbcFiles.paymentName(DAY, id),
                        withLines(id, l -> l), TEST_BANK_KEYS.publicKey(), TEST_GATEWAY_KEYS.privateKey(),
                        AbcFiles.paymentName(DAY, "OTHER")), "9003"),
                new Refusal("envelope cut short", id -> {
                    Map<String, byte[]> files = sealed(id, withLines(id, l -> l));
                    files.replaceAll((name, bytes) -> Arrays.copyOf(bytes, bytes.length - 10));
                    return files;
                }, "9003")).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void wholeFileRefusal_answersTheFileReasonCode_withNoRecords_andPaysNothing(Refusal refusal) throws Exception {
        gateway.upload(refusal.files().apply("BAD01"));
        bank.awaitIdle();

        AbcFiles.Result result = AbcFiles.open(gateway.takeAll(), AbcFiles.resultName(DAY, "BAD01"));

        assertThat(result.fileId()).isEqualTo("BAD01");
        assertThat(result.status()).isEqualTo("R");
        assertThat(result.reason()).isEqualTo(refusal.code());
        assertThat(result.records()).isEmpty();
        assertThat(result.count()).isZero();
        assertThat(bank.bank().ledger().paidCount()).isZero();
        assertThat(bank.bank().balanceFen(ZHANG_CARD)).hasValue(0);
    }
}
