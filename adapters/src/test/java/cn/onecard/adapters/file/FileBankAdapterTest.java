package cn.onecard.adapters.file;

import static cn.onecard.adapters.file.Fixtures.TEST_BANK_KEY;
import static cn.onecard.adapters.file.Fixtures.TEST_DATA_KEY;
import static cn.onecard.adapters.file.Fixtures.TEST_GATEWAY_KEY;
import static cn.onecard.adapters.file.Fixtures.TEST_OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.BankReport;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.adapters.file.FailingTransport.Op;
import cn.onecard.crypto.Sm3;
import cn.onecard.iso8583.Disposition;
import cn.onecard.iso8583.LogCapture;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBankAdapterTest {

    private static final Charset GBK = Charset.forName("GBK");
    private static final String LYB_RESULT = "LYBRET_20261123_F20261123LYB0001.txt";
    private static final String ABC_RESULT = "ABC20261123F20261123ABC0001.ret";

    @TempDir
    Path root;
    private final RecordingHandler handler = new RecordingHandler();

    @BeforeEach
    void bankFolders() throws IOException {
        Files.createDirectories(root.resolve("in"));
        Files.createDirectories(root.resolve("out"));
    }

    static FileBankConfig lybConfig(FileTransportConfig transport) {
        return new FileBankConfig("LYB", "lyb", null, Fixtures.UNIT_NUMBER, Fixtures.capabilities(), transport,
                new FileBankConfig.Keys(TEST_GATEWAY_KEY.privateKey(), TEST_BANK_KEY.publicKey(), TEST_DATA_KEY));
    }

    static FileBankConfig abcConfig(FileTransportConfig transport) {
        return new FileBankConfig("ABC", "abc", null, null, Fixtures.capabilities(), transport,
                new FileBankConfig.Keys(TEST_GATEWAY_KEY.privateKey(), TEST_BANK_KEY.publicKey(), null));
    }

    private FileTransportConfig local() {
        return new FileTransportConfig.LocalDirectory(root);
    }

    private FileBankAdapter lyb() {
        return new FileBankAdapter(lybConfig(new FileTransportConfig.LocalDirectory(root)));
    }

    private FileBankAdapter abc() {
        return new FileBankAdapter(abcConfig(new FileTransportConfig.LocalDirectory(root)));
    }

    private FileBankAdapter failing(FileBankConfig config, Op op, int nth) {
        return new FileBankAdapter(config, FileLayouts.builtIn().get(config.layoutName()),
                new FailingTransport(new LocalDirectoryTransport(root), op, nth));
    }

    private List<String> files(String folder) throws IOException {
        Path path = root.resolve(folder);
        if (!Files.isDirectory(path)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(path)) {
            return files.filter(Files::isRegularFile).map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    /** The adapter's answer to one send, waited for. */
    static SendReceipt send(FileBankAdapter adapter, Dispatch dispatch) {
        return adapter.send(dispatch).toCompletableFuture().join();
    }

    private byte[] read(String path) throws IOException {
        return Files.readAllBytes(root.resolve(path));
    }

    // ---- send ----

    @Test
    void lybSend_leavesACompletePairThatTheBankDecodesToTheDispatch() throws IOException {
        try (FileBankAdapter adapter = lyb()) {
            SendReceipt receipt = send(adapter, Fixtures.lybDispatch());
            assertThat(receipt).isEqualTo(new SendReceipt.Sent(
                    "LYBPAY_20261123_F20261123LYB0001.txt.enc + LYBPAY_20261123_F20261123LYB0001.txt.sig"));
        }
        assertThat(files("in")).containsExactly("LYBPAY_20261123_F20261123LYB0001.txt.enc", "LYBPAY_20261123_F20261123LYB0001.txt.sig");
        byte[] plain = TestBank.lybOpen(read("in/LYBPAY_20261123_F20261123LYB0001.txt.enc"),
                read("in/LYBPAY_20261123_F20261123LYB0001.txt.sig"), TEST_GATEWAY_KEY.publicKey(), TEST_DATA_KEY);
        assertThat(plain).isEqualTo(Fixtures.golden("LYBPAY_20261123_F20261123LYB0001.txt"));
    }

    @Test
    void abcSend_leavesAnEnvelopeThatTheBankOpensToTheDispatch() throws IOException {
        try (FileBankAdapter adapter = abc()) {
            assertThat(send(adapter, Fixtures.abcDispatch())).isEqualTo(new SendReceipt.Sent("ABC20261123F20261123ABC0001.dat.ocev"));
        }
        assertThat(files("in")).containsExactly("ABC20261123F20261123ABC0001.dat.ocev");
        byte[] plain = TestBank.abcOpen(read("in/ABC20261123F20261123ABC0001.dat.ocev"), "ABC20261123F20261123ABC0001.dat",
                TEST_BANK_KEY.privateKey(), TEST_GATEWAY_KEY.publicKey());
        assertThat(plain).isEqualTo(Fixtures.golden("ABC20261123F20261123ABC0001.dat"));
    }

    @Test
    void resend_writesTheSameNamesAndReplacesTheFiles() throws IOException {
        try (FileBankAdapter adapter = lyb()) {
            send(adapter, Fixtures.lybDispatch());
            byte[] firstEnc = read("in/LYBPAY_20261123_F20261123LYB0001.txt.enc");
            Dispatch resend = new Dispatch("F20261123LYB0001", "LYB", Fixtures.DAY, 2, Fixtures.goldenItems());
            assertThat(send(adapter, resend)).isInstanceOf(SendReceipt.Sent.class);
            assertThat(files("in")).containsExactly("LYBPAY_20261123_F20261123LYB0001.txt.enc", "LYBPAY_20261123_F20261123LYB0001.txt.sig");
            assertThat(read("in/LYBPAY_20261123_F20261123LYB0001.txt.enc")).as("a fresh IV").isNotEqualTo(firstEnc);
            byte[] plain = TestBank.lybOpen(read("in/LYBPAY_20261123_F20261123LYB0001.txt.enc"),
                    read("in/LYBPAY_20261123_F20261123LYB0001.txt.sig"), TEST_GATEWAY_KEY.publicKey(), TEST_DATA_KEY);
            assertThat(plain).isEqualTo(Fixtures.golden("LYBPAY_20261123_F20261123LYB0001.txt"));
        }
    }

    @Test
    void send_toAnotherBankOrOverTheLimitIsADefect() {
        try (FileBankAdapter adapter = lyb()) {
            assertThatThrownBy(() -> adapter.send(Fixtures.abcDispatch())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is for bank ABC, not LYB");
        }
    }

    @Test
    void send_namesTheEncodingCannotWriteAreNotEncodable_everyOneOfThem_andNothingIsSent() throws IOException {
        List<PaymentInstruction> items = List.of(
                new PaymentInstruction("L2611230000000000001", "6225768888888888", "张\uD840\uDC00", "11010519491231002X", 9000, "P29"),
                new PaymentInstruction("L2611230000000000002", "6225768888888888", "李四", "11010519491231002X", 9000, "P29"),
                new PaymentInstruction("L2611230000000000003", "6225768888888888", "王|五", "11010519491231002X", 9000, "P29"));
        try (FileBankAdapter adapter = lyb()) {
            assertThat(send(adapter, new Dispatch("F2", "LYB", Fixtures.DAY, 1, items))).isEqualTo(new SendReceipt.NotEncodable(Map.of(
                    "L2611230000000000001", "field name cannot be written in GBK",
                    "L2611230000000000003", "field name holds the separator '|'")));
        }
        assertThat(files("in")).isEmpty();
    }

    @Test
    void send_failureWhileUploadingIsNotSent() throws IOException {
        try (FileBankAdapter adapter = failing(abcConfig(local()), Op.WRITE, 1)) {
            SendReceipt receipt = send(adapter, Fixtures.abcDispatch());
            assertThat(receipt).isInstanceOfSatisfying(SendReceipt.NotSent.class,
                    notSent -> assertThat(notSent.reason()).contains("uploading ABC20261123F20261123ABC0001.dat.ocev").contains("connection reset"));
        }
        assertThat(files("in")).isEmpty();
    }

    @Test
    void send_failureOfThePublishingRenameIsUnknown() {
        try (FileBankAdapter adapter = failing(abcConfig(local()), Op.RENAME, 1)) {
            assertThat(send(adapter, Fixtures.abcDispatch())).isInstanceOfSatisfying(SendReceipt.Unknown.class,
                    unknown -> assertThat(unknown.reason()).startsWith("publishing ABC20261123F20261123ABC0001.dat.ocev"));
        }
    }

    @Test
    void lybSend_failureBeforeTheSignatureIsRenamedIsNotSent() throws IOException {
        // rename 1 publishes the .enc; the pair is not complete until the .sig's rename
        try (FileBankAdapter adapter = failing(lybConfig(local()), Op.RENAME, 1)) {
            assertThat(send(adapter, Fixtures.lybDispatch())).isInstanceOf(SendReceipt.NotSent.class);
        }
        assertThat(files("in")).doesNotContain("LYBPAY_20261123_F20261123LYB0001.txt.sig");
        try (FileBankAdapter adapter = failing(lybConfig(local()), Op.RENAME, 2)) {
            assertThat(send(adapter, Fixtures.lybDispatch())).isInstanceOf(SendReceipt.Unknown.class);
        }
    }

    @Test
    void resend_failureWhileAnEarlierEnvelopeLiesInTheInboxIsUnknown() {
        try (FileBankAdapter adapter = abc()) {
            send(adapter, Fixtures.abcDispatch());
        }
        Dispatch resend = new Dispatch("F20261123ABC0001", "ABC", Fixtures.DAY, 2, Fixtures.goldenItems());
        try (FileBankAdapter adapter = failing(abcConfig(local()), Op.WRITE, 1)) {
            assertThat(send(adapter, resend)).isInstanceOfSatisfying(SendReceipt.Unknown.class,
                    unknown -> assertThat(unknown.reason()).endsWith("an earlier copy may be in the inbox"));
        }
    }

    @Test
    void lybResend_removesTheEarlierSignatureFirst_soAFailureAfterThatIsNotSent() throws IOException {
        try (FileBankAdapter adapter = lyb()) {
            send(adapter, Fixtures.lybDispatch());
        }
        Dispatch resend = new Dispatch("F20261123LYB0001", "LYB", Fixtures.DAY, 2, Fixtures.goldenItems());
        try (FileBankAdapter adapter = failing(lybConfig(local()), Op.WRITE, 1)) {
            assertThat(send(adapter, resend)).isInstanceOf(SendReceipt.NotSent.class);
        }
        assertThat(files("in")).containsExactly("LYBPAY_20261123_F20261123LYB0001.txt.enc");
        try (FileBankAdapter adapter = failing(lybConfig(local()), Op.REMOVE, 1)) {
            send(adapter, resend); // nothing to remove now: goes through
        }
        assertThat(files("in")).hasSize(2);
        try (FileBankAdapter adapter = failing(lybConfig(local()), Op.REMOVE, 1)) {
            assertThat(send(adapter, resend)).as("the earlier pair may still be complete").isInstanceOf(SendReceipt.Unknown.class);
        }
    }

    @Test
    void send_whenTheInboxCannotBeCheckedIsNotSentOnTheFirstAttemptAndUnknownLater() {
        try (FileBankAdapter adapter = failing(abcConfig(local()), Op.EXISTS, 1)) {
            assertThat(send(adapter, Fixtures.abcDispatch())).isInstanceOf(SendReceipt.NotSent.class);
        }
        Dispatch resend = new Dispatch("F20261123ABC0001", "ABC", Fixtures.DAY, 2, Fixtures.goldenItems());
        try (FileBankAdapter adapter = failing(abcConfig(local()), Op.EXISTS, 1)) {
            assertThat(send(adapter, resend)).isInstanceOf(SendReceipt.Unknown.class);
        }
    }

    // ---- collect ----

    @Test
    void lybCollect_deliversTheMappedOutcomesAndReleasesTheFile() throws IOException {
        TestBank.dropLybResult(root, LYB_RESULT, Fixtures.golden(LYB_RESULT));
        String sm3 = HexFormat.of().formatHex(Sm3.digest(read("out/" + LYB_RESULT + ".enc")));
        try (FileBankAdapter adapter = lyb()) {
            adapter.collect(handler);
        }
        assertThat(handler.others).isEmpty();
        assertThat(handler.deliveries).containsExactly(new BankReport.Results(LYB_RESULT + ".enc", "F20261123LYB0001", List.of(
                new ItemOutcome("L2611230000000000001", BankOutcome.PAID, "0000", 9000),
                new ItemOutcome("L2611230000000000002", BankOutcome.BANK_NAME_MISMATCH, "E001", 123456),
                new ItemOutcome("L2611230000000000003", BankOutcome.BANK_DUPLICATE_RECORD, "E008", 5)), sm3));
        assertThat(files("out")).isEmpty();
        assertThat(files("out/done")).containsExactly(LYB_RESULT + ".enc", LYB_RESULT + ".sig");
    }

    @Test
    void abcCollect_deliversTheMappedOutcomesAndReleasesTheFile() throws IOException {
        TestBank.dropAbcResult(root, ABC_RESULT, Fixtures.golden(ABC_RESULT));
        try (FileBankAdapter adapter = abc()) {
            adapter.collect(handler);
        }
        assertThat(handler.deliveries).singleElement().satisfies(delivery -> {
            assertThat(delivery.source()).isEqualTo(ABC_RESULT + ".ocev");
            assertThat(delivery.dispatchId()).isEqualTo("F20261123ABC0001");
            assertThat(delivery.outcomes()).extracting(ItemOutcome::disposition)
                    .containsExactly(Disposition.APPROVED, Disposition.DECLINED, Disposition.UNKNOWN);
            assertThat(delivery.outcomes()).extracting(ItemOutcome::outcome)
                    .containsExactly(BankOutcome.PAID, BankOutcome.BANK_NAME_MISMATCH, BankOutcome.BANK_DUPLICATE_RECORD);
            assertThat(delivery.totalFen()).isEqualTo(132461);
        });
        assertThat(files("out/done")).containsExactly(ABC_RESULT + ".ocev");
    }

    @Test
    void collect_whenTheHandlerThrowsTheFileStaysAndComesAgain() throws IOException {
        TestBank.dropAbcResult(root, ABC_RESULT, Fixtures.golden(ABC_RESULT));
        handler.reportsToRefuse = 1;
        try (FileBankAdapter adapter = abc()) {
            adapter.collect(handler);
            assertThat(handler.deliveries).isEmpty();
            assertThat(files("out")).containsExactly(ABC_RESULT + ".ocev");
            adapter.collect(handler);
        }
        assertThat(handler.deliveries).hasSize(1);
        assertThat(files("out")).isEmpty();
    }

    @Test
    void collect_aDuplicateResultFileIsDeliveredAgain() throws IOException {
        try (FileBankAdapter adapter = lyb()) {
            TestBank.dropLybResult(root, LYB_RESULT, Fixtures.golden(LYB_RESULT));
            adapter.collect(handler);
            TestBank.dropLybResult(root, LYB_RESULT, Fixtures.golden(LYB_RESULT));
            adapter.collect(handler);
        }
        assertThat(handler.deliveries).hasSize(2);
        assertThat(handler.deliveries.get(1).outcomes()).isEqualTo(handler.deliveries.get(0).outcomes());
        assertThat(files("out/done")).containsExactly(LYB_RESULT + ".enc", LYB_RESULT + ".enc.2", LYB_RESULT + ".sig", LYB_RESULT + ".sig.2");
    }

    @Test
    void collect_partsAreTwoDeliveries() throws IOException {
        String part1 = "4103000001|20261123|1|90.00|F20261123LYB0001|0|0000\r\nL2611230000000000001|6225768888888888|90.00|0|0000|交易成功\r\n";
        String part2 = "4103000001|20261123|2|1234.61|F20261123LYB0001|0|0000\r\n"
                + "L2611230000000000002|6217000010001234563|1234.56|1|E001|户名不符\r\n"
                + "L2611230000000000003|6228480000000000005|0.05|0|0000|交易成功\r\n";
        TestBank.dropLybResult(root, "LYBRET_20261123_F20261123LYB0001_P2.txt", part2.getBytes(GBK));
        TestBank.dropLybResult(root, LYB_RESULT, part1.getBytes(GBK));
        try (FileBankAdapter adapter = lyb()) {
            adapter.collect(handler);
        }
        assertThat(handler.deliveries).extracting(BankReport.Results::source)
                .containsExactly(LYB_RESULT + ".enc", "LYBRET_20261123_F20261123LYB0001_P2.txt.enc");
        assertThat(handler.deliveries).extracting(delivery -> delivery.outcomes().size()).containsExactly(1, 2);
        assertThat(handler.deliveries).extracting(BankReport.Results::dispatchId).containsOnly("F20261123LYB0001");
    }

    @Test
    void collect_aCorruptFileIsAlertedAndSetAsideWithItsReason() throws IOException {
        String corrupt = "4103000001|20261123|3|1324.61|F20261123LYB0001|0|0000\r\n"
                + "L2611230000000000001|6225768888888888|90.1|0|0000|交易成功\r\n";
        TestBank.dropLybResult(root, LYB_RESULT, corrupt.getBytes(GBK));
        try (FileBankAdapter adapter = lyb()) {
            adapter.collect(handler);
        }
        assertThat(handler.deliveries).isEmpty();
        assertThat(handler.others).containsExactly(new BankReport.Unusable(LYB_RESULT + ".enc", BankReport.Problem.CORRUPT,
                "line 2, field amount: not an amount in yuan with exactly two decimals"));
        assertThat(files("out")).isEmpty();
        assertThat(files("out/error")).containsExactly(LYB_RESULT + ".enc", LYB_RESULT + ".reason", LYB_RESULT + ".sig");
        assertThat(Files.readString(root.resolve("out/error/" + LYB_RESULT + ".reason")))
                .isEqualTo("RESULT_FILE_CORRUPT: line 2, field amount: not an amount in yuan with exactly two decimals\n")
                .doesNotContain("6225768888888888");
    }

    @Test
    void collect_aFileSignedByAnotherKeyIsAlertedAsUnverifiedAndSetAside() throws IOException {
        TestBank.dropLybResult(root, LYB_RESULT, Fixtures.golden(LYB_RESULT), TEST_OTHER_KEY.privateKey());
        TestBank.dropAbcResult(root, ABC_RESULT, Fixtures.golden(ABC_RESULT), TEST_OTHER_KEY.privateKey());
        try (FileBankAdapter lyb = lyb(); FileBankAdapter abc = abc()) {
            lyb.collect(handler);
            abc.collect(handler);
        }
        assertThat(handler.deliveries).isEmpty();
        assertThat(handler.others).extracting(report -> ((BankReport.Unusable) report).problem())
                .containsExactly(BankReport.Problem.UNVERIFIED, BankReport.Problem.UNVERIFIED);
        assertThat(files("out/error")).contains(LYB_RESULT + ".reason", ABC_RESULT + ".reason", ABC_RESULT + ".ocev");
        assertThat(Files.readString(root.resolve("out/error/" + LYB_RESULT + ".reason")))
                .startsWith("RESULT_FILE_UNVERIFIED: the .sig does not verify");
    }

    @Test
    void collect_aWholeFileRefusalIsReportedWithItsMappedReasonAndReleased() throws IOException {
        String name = "LYBRET_20261123_F20261123LYB0002.txt";
        TestBank.dropLybResult(root, name, Fixtures.golden(name));
        String sm3 = HexFormat.of().formatHex(Sm3.digest(read("out/" + name + ".enc")));
        try (FileBankAdapter adapter = lyb()) {
            adapter.collect(handler);
        }
        assertThat(handler.deliveries).isEmpty();
        assertThat(handler.others).containsExactly(new BankReport.Refusal(name + ".enc", "F20261123LYB0002",
                BankOutcome.BANK_FILE_TOTALS_MISMATCH, "F001", sm3));
        assertThat(files("out/done")).containsExactly(name + ".enc", name + ".sig");
    }

    @Test
    void collect_aRefusalWithAReasonTheTableDoesNotListProvesNothing() throws IOException {
        String name = "LYBRET_20261123_F20261123LYB0002.txt";
        String text = new String(Fixtures.golden(name), GBK).replace("F001", "F777");
        TestBank.dropLybResult(root, name, text.getBytes(GBK));
        try (FileBankAdapter adapter = lyb()) {
            adapter.collect(handler);
        }
        assertThat(handler.others).singleElement().isInstanceOfSatisfying(BankReport.Refusal.class, refusal -> {
            assertThat(refusal.outcome()).isEqualTo(BankOutcome.BANK_FILE_REASON_UNMAPPED);
            assertThat(refusal.outcome().disposition()).isEqualTo(Disposition.UNKNOWN);
            assertThat(refusal.bankResultCode()).isEqualTo("F777");
        });
    }

    @Test
    void collect_whenTheAlertIsNotTakenTheFileStays() throws IOException {
        String name = "ABC20261123F20261123ABC0002.ret";
        TestBank.dropAbcResult(root, name, Fixtures.golden(name));
        handler.reportsToRefuse = 1;
        try (FileBankAdapter adapter = abc()) {
            adapter.collect(handler);
            assertThat(files("out")).containsExactly(name + ".ocev");
            adapter.collect(handler);
        }
        assertThat(handler.others).singleElement().isInstanceOfSatisfying(BankReport.Refusal.class,
                refusal -> assertThat(refusal.outcome()).isEqualTo(BankOutcome.BANK_FILE_TOTALS_MISMATCH));
        assertThat(files("out")).isEmpty();
    }

    @Test
    void collect_leavesIncompleteTemporaryAndForeignFilesAlone() throws IOException {
        List<byte[]> pair = TestBank.lybProtect(Fixtures.golden(LYB_RESULT), TEST_BANK_KEY.privateKey(), TEST_DATA_KEY);
        Files.write(root.resolve("out/" + LYB_RESULT + ".enc"), pair.get(0)); // no .sig yet: still being written
        Files.write(root.resolve("out/.LYBRET_20261123_F9.txt.sig.part"), pair.get(1));
        Files.writeString(root.resolve("out/readme.txt.sig"), "not ours");
        Files.writeString(root.resolve("out/LYBRET_20261123_F9_P1.txt.sig"), "part 1 is never written with a suffix");
        try (FileBankAdapter adapter = lyb()) {
            adapter.collect(handler);
        }
        assertThat(handler.deliveries).isEmpty();
        assertThat(handler.others).isEmpty();
        assertThat(files("out")).containsExactly(".LYBRET_20261123_F9.txt.sig.part", LYB_RESULT + ".enc",
                "LYBRET_20261123_F9_P1.txt.sig", "readme.txt.sig");
    }

    @Test
    void collect_aCodeTheTableDoesNotKnowIsUnknownAndUnmapped() throws IOException {
        String text = "4103000001|20261123|1|90.00|F20261123LYB0001|0|0000\r\n"
                + "L2611230000000000001|6225768888888888|90.00|1|E555|新的代码\r\n";
        TestBank.dropLybResult(root, LYB_RESULT, text.getBytes(GBK));
        try (FileBankAdapter adapter = lyb()) {
            adapter.collect(handler);
        }
        assertThat(handler.deliveries.getFirst().outcomes()).containsExactly(
                new ItemOutcome("L2611230000000000001", BankOutcome.BANK_CODE_UNMAPPED, "E555", 9000));
    }

    @Test
    void collect_aFileWhoseIdDiffersFromItsNameIsCorrupt() throws IOException {
        TestBank.dropLybResult(root, "LYBRET_20261123_F20261123LYB0009.txt", Fixtures.golden(LYB_RESULT));
        try (FileBankAdapter adapter = lyb()) {
            adapter.collect(handler);
        }
        assertThat(handler.others).containsExactly(new BankReport.Unusable("LYBRET_20261123_F20261123LYB0009.txt.enc",
                BankReport.Problem.CORRUPT, "the file id inside differs from the one in the file's name"));
    }

    @Test
    void collect_aTransportFailureLeavesTheFileForTheNextCall() throws IOException {
        TestBank.dropAbcResult(root, ABC_RESULT, Fixtures.golden(ABC_RESULT));
        try (FileBankAdapter adapter = failing(abcConfig(local()), Op.READ, 1)) {
            adapter.collect(handler);
            assertThat(handler.deliveries).isEmpty();
            adapter.collect(handler);
        }
        assertThat(handler.deliveries).hasSize(1);
        try (FileBankAdapter adapter = failing(abcConfig(local()), Op.LIST, 1)) {
            adapter.collect(handler); // no exception: alerted, and the results wait
        }
        assertThat(handler.others).singleElement().isInstanceOfSatisfying(BankReport.Unreachable.class,
                unreachable -> assertThat(unreachable.detail()).startsWith("cannot list the bank's result folder"));
    }

    @Test
    void noLogLineHoldsACardNumberAnIdentityNumberOrAName() throws IOException {
        try (LogCapture logs = new LogCapture()) {
            try (FileBankAdapter adapter = lyb()) {
                send(adapter, Fixtures.lybDispatch());
                TestBank.dropLybResult(root, LYB_RESULT, Fixtures.golden(LYB_RESULT));
                handler.reportsToRefuse = 1;
                adapter.collect(handler);
                adapter.collect(handler);
                TestBank.dropLybResult(root, "LYBRET_20261123_F20261123LYB0003.txt",
                        ("4103000001|20261123|1|90.00|F20261123LYB0003|0|0000\r\nL2611230000000000001|6225768888888888|9O.00|0|0000|张三\r\n").getBytes(GBK));
                adapter.collect(handler);
                send(adapter, new Dispatch("F4", "LYB", Fixtures.DAY, 1, List.of(new PaymentInstruction("L2611230000000000001",
                        "6225768888888888", "张|三", "11010519491231002X", 100, "P29"))));
            }
            assertThat(logs.lines()).isNotEmpty();
            for (PaymentInstruction item : Fixtures.goldenItems()) {
                assertThat(logs.lines()).noneMatch(line -> line.contains(item.cardNumber()) || line.contains(item.idNumber())
                        || line.contains(item.holderName()));
            }
            assertThat(logs.lines()).noneMatch(line -> line.contains("张") || line.contains("9O.00"));
        }
    }

    @Test
    void configuration_isCheckedAgainstTheLayout() {
        FileTransportConfig local = new FileTransportConfig.LocalDirectory(root);
        FileBankConfig.Keys keys = new FileBankConfig.Keys(TEST_GATEWAY_KEY.privateKey(), TEST_BANK_KEY.publicKey(), TEST_DATA_KEY);
        assertThatThrownBy(() -> new FileBankAdapter(new FileBankConfig("LYB", "lyb", null, null, Fixtures.capabilities(), local, keys)))
                .hasMessage("bank LYB, layout lyb: the layout writes a unit number: configure one");
        assertThatThrownBy(() -> new FileBankAdapter(new FileBankConfig("LYB", "lyb", null, "41|03", Fixtures.capabilities(), local, keys)))
                .hasMessage("bank LYB, layout lyb: the unit number must be printable ASCII without spaces or the separator");
        FileBankConfig.Keys noDataKey = new FileBankConfig.Keys(TEST_GATEWAY_KEY.privateKey(), TEST_BANK_KEY.publicKey(), null);
        assertThatThrownBy(() -> new FileBankAdapter(new FileBankConfig("LYB", "lyb", null, "4103000001", Fixtures.capabilities(), local, noDataKey)))
                .hasMessageContaining("sm4cbc-sm2sig needs the bank's SM4 data key");
        assertThatThrownBy(() -> new FileBankAdapter(new FileBankConfig("X", "icbc", null, null, Fixtures.capabilities(), local, keys)))
                .isInstanceOf(FileLayoutException.class);
        try (FileBankAdapter adapter = abc()) {
            assertThat(adapter.bankCode()).isEqualTo("ABC");
            assertThat(adapter.capabilities()).isEqualTo(Fixtures.capabilities());
        }
    }

    @Test
    void aThirdBank_isAddedByConfigurationAlone(@TempDir Path layouts) throws IOException {
        Files.writeString(layouts.resolve("xbank.layout.properties"), """
                encoding = GB18030
                line-ending = LF
                format = delimited
                separator = ,
                amount-unit = fen
                protection = envelope
                payment.file = XB_{fileId}_{date}.csv
                payment.header = kind=HDR fileId count totalAmount date
                payment.detail = kind=DTL sequence reference cardNumber:N19 name:A40:cut idNumber amount programCode
                result.file = XB_{fileId}_{date}{part}.res
                result.part = -{n}
                result.header = kind=HDR fileId count totalAmount fileStatus
                result.detail = kind=DTL reference amount recordStatus reasonCode filler
                result.file-status.processed = OK
                result.file-status.refused = NO
                result.record-status.paid = Y
                result.record-status.failed = N
                code.00 = PAID
                code.51 = BANK_ACCOUNT_FROZEN
                """, StandardCharsets.UTF_8);
        FileBankConfig config = new FileBankConfig("XB", "xbank", layouts, null, Fixtures.capabilities(),
                new FileTransportConfig.LocalDirectory(root),
                new FileBankConfig.Keys(TEST_GATEWAY_KEY.privateKey(), TEST_BANK_KEY.publicKey(), null));
        try (FileBankAdapter adapter = new FileBankAdapter(config)) {
            assertThat(send(adapter, new Dispatch("X1", "XB", Fixtures.DAY, 1, Fixtures.goldenItems())))
                    .isEqualTo(new SendReceipt.Sent("XB_X1_20261123.csv.ocev"));
            byte[] plain = TestBank.abcOpen(read("in/XB_X1_20261123.csv.ocev"), "XB_X1_20261123.csv", TEST_BANK_KEY.privateKey(),
                    TEST_GATEWAY_KEY.publicKey());
            assertThat(new String(plain, Charset.forName("GB18030"))).isEqualTo("""
                    HDR,X1,3,132461,20261123
                    DTL,1,L2611230000000000001,6225768888888888,张三,11010519491231002X,9000,P29
                    DTL,2,L2611230000000000002,6217000010001234563,欧阳娜娜,440524188001010014,123456,P02
                    DTL,3,L2611230000000000003,6228480000000000005,李四,34052419800101001X,5,P28
                    """);
            TestBank.dropAbcResult(root, "XB_X1_20261123.res",
                    "HDR,X1,2,9005,OK\nDTL,L2611230000000000001,9000,Y,00,\nDTL,L2611230000000000003,5,N,51,frozen\n".getBytes(StandardCharsets.UTF_8));
            adapter.collect(handler);
        }
        assertThat(handler.deliveries.getFirst().outcomes()).containsExactly(
                new ItemOutcome("L2611230000000000001", BankOutcome.PAID, "00", 9000),
                new ItemOutcome("L2611230000000000003", BankOutcome.BANK_ACCOUNT_FROZEN, "51", 5));
    }
}
