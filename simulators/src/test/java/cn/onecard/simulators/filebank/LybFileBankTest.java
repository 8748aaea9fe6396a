package cn.onecard.simulators.filebank;

import static cn.onecard.simulators.filebank.TestBank.DAY;
import static cn.onecard.simulators.filebank.TestBank.TEST_DATA_KEY;
import static cn.onecard.simulators.filebank.TestBank.TEST_GATEWAY_KEYS;
import static cn.onecard.simulators.filebank.TestBank.UNIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import cn.onecard.crypto.Sm2;
import cn.onecard.simulators.filebank.LybFiles.Row;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** The LYB bank over real SFTP, fed with files the test writes from docs/files/bank-lyb.md. */
class LybFileBankTest {

    static final String ZHANG_CARD = "6225768888888888";
    static final String LI_CARD = "6228480000000000011";

    @TempDir
    Path dir;
    TestBank bank;
    SftpGateway gateway;

    @BeforeEach
    void start() throws Exception {
        bank = TestBank.start(FileBankKind.LYB, dir);
        gateway = bank.connect();
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        bank.close();
    }

    static String ref(int n) {
        return String.format("R%019d", n);
    }

    static Row row(int n, String name, String yuan, String card) {
        return new Row(ref(n), name, yuan, card, "11010519491231002X");
    }

    Map<String, byte[]> send(String fileId, List<Row> rows) throws Exception {
        String name = LybFiles.paymentName(DAY, fileId);
        gateway.upload(LybFiles.protect(name, LybFiles.payment(UNIT, DAY, fileId, rows), TEST_DATA_KEY,
                TEST_GATEWAY_KEYS.privateKey()));
        bank.awaitIdle();
        return gateway.takeAll();
    }

    @Test
    void recordChecks_eachOutcome_answersItsCodeAndPaysOnlyTheGoodOnes() throws Exception {
        List<Row> rows = List.of(
                row(1, "张三", "90.00", ZHANG_CARD),
                row(2, "李四", "1.00", LI_CARD),
                row(3, "王五", "2.00", "6228480000000000029"),
                row(4, "赵六", "3.00", "6228480000000000037"),
                row(5, "孙七", "4.00", "6228480000000000045"),
                row(6, "周八", "5.00", "6228480000000000052"),
                row(7, "吴九", "6.00", "6228480000000000060"),
                row(8, "郑十", "7.00", "6228480000000000078"),
                row(9, "钱多", "8.00", "6228480000000009999"),
                row(10, "张三丰", "9.00", ZHANG_CARD),
                row(11, "王小五", "10.00", "6228480000000000029"),
                row(1, "张三", "90.00", ZHANG_CARD));

        Map<String, byte[]> taken = send("D0001", rows);

        assertThat(taken).containsOnlyKeys(LybFiles.resultName(DAY, "D0001") + ".enc",
                LybFiles.resultName(DAY, "D0001") + ".sig");
        LybFiles.Result result = LybFiles.open(taken, LybFiles.resultName(DAY, "D0001"));
        assertThat(result.summary()).containsExactly(UNIT, "20261102", "12", "235.00", "D0001", "0", "0000");
        assertThat(result.records()).extracting(r -> r[0] + " " + r[4] + " " + r[3] + " " + r[5]).containsExactly(
                ref(1) + " 0000 0 交易成功",
                ref(2) + " 0000 0 交易成功",
                ref(3) + " E002 1 账户已销户",
                ref(4) + " E003 1 账户完全冻结",
                ref(5) + " E004 1 账户只出不进",
                ref(6) + " E005 1 非结算账户",
                ref(7) + " E006 1 介质状态异常",
                ref(8) + " E099 1 其他错误",
                ref(9) + " E007 1 账户不存在",
                ref(10) + " E001 1 户名不符",
                // the state is checked before the name
                ref(11) + " E002 1 账户已销户",
                // the same reference again in the same file
                ref(1) + " E008 1 记录重复");
        assertThat(result.records().get(0)).containsExactly(ref(1), ZHANG_CARD, "90.00", "0", "0000", "交易成功");

        FileBankLedger ledger = bank.bank().ledger();
        assertThat(ledger.paidCount()).isEqualTo(2);
        assertThat(ledger.paidSumFen()).isEqualTo(9_100);
        assertThat(ledger.payments()).containsExactly(new FileBankLedger.Payment(ref(1), 9_000, "D0001"),
                new FileBankLedger.Payment(ref(2), 100, "D0001"));
        assertThat(bank.bank().balanceFen(ZHANG_CARD)).hasValue(9_000);
        assertThat(bank.bank().balanceFen(LI_CARD)).hasValue(10_100);
        assertThat(ledger.filesSeen()).containsExactly("D0001");
        assertThat(ledger.resultsWritten()).containsExactly(LybFiles.resultName(DAY, "D0001"));
        assertThat(bank.root().resolve("in/processed")).isDirectoryContaining(p -> p.getFileName().toString()
                .equals(LybFiles.paymentName(DAY, "D0001") + ".enc"));
    }

    @Test
    void duplicateFile_isAnsweredWithTheOriginalResults_andNotPaidAgain() throws Exception {
        List<Row> rows = List.of(row(1, "张三", "90.00", ZHANG_CARD), row(2, "王五", "1.00", "6228480000000000029"));
        LybFiles.Result first = LybFiles.open(send("D0002", rows), LybFiles.resultName(DAY, "D0002"));

        // The same file id again, even with other content: the bank answers what it answered.
        List<Row> changed = List.of(row(1, "张三", "90.00", ZHANG_CARD), row(3, "李四", "5.00", LI_CARD));
        LybFiles.Result again = LybFiles.open(send("D0002", changed), LybFiles.resultName(DAY, "D0002"));

        assertThat(again.summary()).containsExactly(first.summary());
        assertThat(again.records()).usingRecursiveComparison().isEqualTo(first.records());
        FileBankLedger ledger = bank.bank().ledger();
        assertThat(ledger.paidCount()).isEqualTo(1);
        assertThat(ledger.paidSumFen()).isEqualTo(9_000);
        assertThat(ledger.filesSeen()).containsExactly("D0002");
        assertThat(bank.bank().balanceFen(ZHANG_CARD)).hasValue(9_000);
        assertThat(bank.bank().balanceFen(LI_CARD)).hasValue(10_000);
    }

    @Test
    void referencePaidInAnEarlierFile_getsTheDuplicateRecordCode() throws Exception {
        send("D0003", List.of(row(1, "张三", "90.00", ZHANG_CARD)));

        LybFiles.Result second = LybFiles.open(send("D0004", List.of(row(1, "张三", "90.00", ZHANG_CARD),
                row(2, "李四", "3.00", LI_CARD))), LybFiles.resultName(DAY, "D0004"));

        assertThat(second.codes()).containsExactly(entry(ref(1), "E008"), entry(ref(2), "0000"));
        assertThat(bank.bank().ledger().paidSumFen()).isEqualTo(9_300);
        assertThat(bank.bank().balanceFen(ZHANG_CARD)).hasValue(9_000);
    }

    @Test
    void encWithoutSig_waits_untilTheSignatureArrives() throws Exception {
        String name = LybFiles.paymentName(DAY, "D0005");
        Map<String, byte[]> files = LybFiles.protect(name, LybFiles.payment(UNIT, DAY, "D0005",
                List.of(row(1, "张三", "90.00", ZHANG_CARD))), TEST_DATA_KEY, TEST_GATEWAY_KEYS.privateKey());
        gateway.upload(name + ".enc", files.get(name + ".enc"));
        bank.awaitIdle();
        assertThat(gateway.outNames()).isEmpty();
        assertThat(bank.root().resolve("in").resolve(name + ".enc")).exists();

        gateway.upload(name + ".sig", files.get(name + ".sig"));
        bank.awaitIdle();
        assertThat(gateway.outNames()).containsExactly(LybFiles.resultName(DAY, "D0005") + ".enc",
                LybFiles.resultName(DAY, "D0005") + ".sig");
    }

    /** A case of whole-file refusal: what the gateway sends, and the file reason code it must get. */
    record Refusal(String name, Function<String, Map<String, byte[]>> files, String code) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Map<String, byte[]> signed(String fileId, byte[] plain) {
        return LybFiles.protect(LybFiles.paymentName(DAY, fileId), plain, TEST_DATA_KEY, TEST_GATEWAY_KEYS.privateKey());
    }

    static Stream<Arguments> refusals() {
        List<Row> rows = List.of(row(1, "张三", "90.00", ZHANG_CARD), row(2, "李四", "10.00", LI_CARD));
        return Stream.of(
                new Refusal("count disagrees", id -> signed(id, LybFiles.payment(UNIT, "20261102", "3", "100.00", id, rows)), "F001"),
                new Refusal("total disagrees", id -> signed(id, LybFiles.payment(UNIT, "20261102", "2", "100.01", id, rows)), "F001"),
                new Refusal("yesterday's file", id -> LybFiles.protect("LYBPAY_20261101_" + id + ".txt",
                        LybFiles.payment(UNIT, "20261101", "2", "100.00", id, rows), TEST_DATA_KEY,
                        TEST_GATEWAY_KEYS.privateKey()), "F002"),
                new Refusal("amount with one decimal", id -> signed(id, LybFiles.payment(UNIT, "20261102", "2", "100.00", id,
                        List.of(row(1, "张三", "90.0", ZHANG_CARD), row(2, "李四", "10.00", LI_CARD)))), "F003"),
                new Refusal("another payer unit", id -> signed(id, LybFiles.payment("4103000002", "20261102", "2", "100.00",
                        id, rows)), "F003"),
                new Refusal("summary file id differs from the name", id -> signed(id, LybFiles.payment(UNIT, "20261102",
                        "2", "100.00", id + "X", rows)), "F003"),
                new Refusal("bare LF line ends", id -> signed(id, new String(LybFiles.payment(UNIT, DAY, id, rows),
                        LybFiles.GBK).replace("\r\n", "\n").getBytes(LybFiles.GBK)), "F003"),
                new Refusal("signed by another key", id -> LybFiles.protect(LybFiles.paymentName(DAY, id),
                        LybFiles.payment(UNIT, DAY, id, rows), TEST_DATA_KEY, Sm2.generateKeyPair().privateKey()), "F004"),
                new Refusal("signature file not base64", id -> {
                    Map<String, byte[]> files = signed(id, LybFiles.payment(UNIT, DAY, id, rows));
                    files.put(LybFiles.paymentName(DAY, id) + ".sig", "not a signature!\r\n".getBytes());
                    return files;
                }, "F004")).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void wholeFileRefusal_answersTheFileReasonCode_withNoRecords_andPaysNothing(Refusal refusal) throws Exception {
        Map<String, byte[]> files = refusal.files().apply("BAD01");
        String paymentName = files.keySet().iterator().next().replace(".enc", "");
        gateway.upload(files);
        bank.awaitIdle();
        Map<String, byte[]> taken = gateway.takeAll();

        String resultName = paymentName.replace("LYBPAY_", "LYBRET_");
        LybFiles.Result result = LybFiles.open(taken, resultName);
        assertThat(result.summary()).containsExactly(UNIT, "20261102", "0", "0.00", "BAD01", "1", refusal.code());
        assertThat(result.records()).isEmpty();
        FileBankLedger ledger = bank.bank().ledger();
        assertThat(ledger.paidCount()).isZero();
        if (refusal.code().equals("F004")) {
            assertThat(ledger.filesSeen()).as("an unverified file's id is not taken").isEmpty();
            assertThat(ledger.filesUnverified()).containsExactly(paymentName);
        } else {
            assertThat(ledger.filesRefused()).containsExactly("BAD01");
        }
        assertThat(Files.list(bank.root().resolve("in")).filter(Files::isRegularFile)).isEmpty();
    }

    @Test
    void aBankWhoseDayRunsAhead_refusesTodaysFileWhole_withTheDateReason_andTakesItsId() throws Exception {
        bank.bank().faults(FileBankFaults.NONE.withDayAheadDays(1));
        List<Row> rows = List.of(row(1, "张三", "90.00", ZHANG_CARD));

        LybFiles.Result refused = LybFiles.open(send("D0007", rows), LybFiles.resultName(DAY, "D0007"));
        assertThat(refused.summary()).containsExactly(UNIT, "20261103", "0", "0.00", "D0007", "1", "F002");

        bank.bank().faults(FileBankFaults.NONE);
        LybFiles.Result again = LybFiles.open(send("D0007", rows), LybFiles.resultName(DAY, "D0007"));
        assertThat(again.reason()).as("the same file id is answered with the first answer").isEqualTo("F002");
        assertThat(bank.bank().ledger().paidCount()).isZero();
    }

    @Test
    void unverifiedFile_doesNotTakeItsFileId_soTheGenuineFileIsStillPaid() throws Exception {
        List<Row> rows = List.of(row(1, "张三", "90.00", ZHANG_CARD));
        String name = LybFiles.paymentName(DAY, "D0006");
        gateway.upload(LybFiles.protect(name, LybFiles.payment(UNIT, DAY, "D0006", rows), TEST_DATA_KEY,
                Sm2.generateKeyPair().privateKey()));
        bank.awaitIdle();
        assertThat(LybFiles.open(gateway.takeAll(), LybFiles.resultName(DAY, "D0006")).reason()).isEqualTo("F004");

        LybFiles.Result genuine = LybFiles.open(send("D0006", rows), LybFiles.resultName(DAY, "D0006"));

        assertThat(genuine.reason()).isEqualTo("0000");
        assertThat(genuine.codes()).containsExactly(entry(ref(1), "0000"));
        assertThat(bank.bank().ledger().paidSumFen()).isEqualTo(9_000);
    }

    @Test
    void unrecognisedName_isMovedAside_andNotAnswered() throws Exception {
        gateway.upload("hello.txt", "not a payment file".getBytes());
        bank.awaitIdle();
        assertThat(gateway.outNames()).isEmpty();
        assertThat(bank.root().resolve("in/rejected/hello.txt")).exists();
    }
}
