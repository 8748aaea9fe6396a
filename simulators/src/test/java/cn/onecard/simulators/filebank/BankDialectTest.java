package cn.onecard.simulators.filebank;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import cn.onecard.crypto.SeededCases;

import static cn.onecard.simulators.filebank.TestBank.DAY;
import static cn.onecard.simulators.filebank.TestBank.TEST_BANK_KEYS;
import static cn.onecard.simulators.filebank.TestBank.TEST_DATA_KEY;
import static cn.onecard.simulators.filebank.TestBank.TEST_GATEWAY_KEYS;
import static cn.onecard.simulators.filebank.TestBank.UNIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The two layouts without sockets: the simulator's parsers against files the test writes from the
 * docs, its result writers against the test's own readers, both over seeded random content.
 */
class BankDialectTest {

    private static final String HAN = "张王李赵刘陈杨黄吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢";
    private final LybDialect lyb = new LybDialect(UNIT, TEST_DATA_KEY, TEST_GATEWAY_KEYS.publicKey(),
            TEST_BANK_KEYS.privateKey());
    private final AbcDialect abc = new AbcDialect(TEST_GATEWAY_KEYS.publicKey(), TEST_BANK_KEYS.privateKey());

    static Stream<Named<Long>> lybCases() {
        return SeededCases.cases("LYB payment files parse to what was written", 40);
    }

    static Stream<Named<Long>> abcCases() {
        return SeededCases.cases("ABC payment files parse to what was written", 40);
    }

    static Stream<Named<Long>> mutationCases() {
        return SeededCases.cases("a mutated payment file is parsed or refused, nothing else", 200);
    }

    static Stream<Named<Long>> resultCases() {
        return SeededCases.cases("result files read back as written", 40);
    }

    private static String name(SplittableRandom random, int chars) {
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < chars; i++) {
            name.append(HAN.charAt(random.nextInt(HAN.length())));
        }
        return name.toString();
    }

    private static String digits(SplittableRandom random, int count) {
        StringBuilder digits = new StringBuilder();
        for (int i = 0; i < count; i++) {
            digits.append((char) ('0' + random.nextInt(10)));
        }
        return digits.toString();
    }

    private static String reference(SplittableRandom random) {
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        StringBuilder ref = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            ref.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return ref.toString();
    }

    private static String card(SplittableRandom random) {
        return "62" + digits(random, random.nextBoolean() ? 14 : 17);
    }

    private static long amountFen(SplittableRandom random) {
        return random.nextInt(4) == 0 ? 1 + random.nextLong(1_000_000_000_000L) : 1 + random.nextInt(100_000);
    }

    private static List<PaymentRecord> randomRecords(SplittableRandom random, int maxNameChars) {
        int count = random.nextInt(30);
        List<PaymentRecord> records = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            records.add(new PaymentRecord(i, reference(random), name(random, 1 + random.nextInt(maxNameChars)),
                    amountFen(random), card(random), digits(random, 17) + (random.nextBoolean() ? "X" : "7")));
        }
        return records;
    }

    private static InboundFile lybInbound(String fileId) {
        return new InboundFile(LybFiles.paymentName(DAY, fileId), DAY, fileId, List.of());
    }

    private static InboundFile abcInbound(String fileId) {
        return new InboundFile(AbcFiles.paymentName(DAY, fileId), DAY, fileId, List.of());
    }

    private static byte[] lybFile(List<PaymentRecord> records) {
        return LybFiles.payment(UNIT, DAY, "P1", records.stream().map(r -> new LybFiles.Row(r.reference(), r.name(),
                LybFiles.yuan(r.amountFen()), r.cardNumber(), r.idNumber())).toList());
    }

    private static byte[] abcFile(List<PaymentRecord> records) {
        return AbcFiles.payment("P1", DAY, records.stream().map(r -> new AbcFiles.Row(r.reference(), r.cardNumber(),
                r.name(), r.idNumber(), r.amountFen())).toList());
    }

    @ParameterizedTest
    @MethodSource("lybCases")
    void lyb_parsesWhatTheDocsDescribe(long seed) throws Exception {
        List<PaymentRecord> records = randomRecords(new SplittableRandom(seed), 15);

        PaymentFile parsed = lyb.parse(lybFile(records), lybInbound("P1"), DAY);

        assertThat(parsed.fileId()).isEqualTo("P1");
        assertThat(parsed.date()).isEqualTo(DAY);
        assertThat(parsed.records()).isEqualTo(records);
    }

    @ParameterizedTest
    @MethodSource("abcCases")
    void abc_parsesWhatTheDocsDescribe(long seed) throws Exception {
        List<PaymentRecord> records = randomRecords(new SplittableRandom(seed), 20);

        PaymentFile parsed = abc.parse(abcFile(records), abcInbound("P1"), DAY);

        assertThat(parsed.records()).isEqualTo(records);
    }

    @ParameterizedTest
    @MethodSource("mutationCases")
    void mutatedFile_isParsedOrRefused_neverAnythingElse(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<PaymentRecord> records = randomRecords(random, 8);
        boolean isLyb = random.nextBoolean();
        byte[] plain = isLyb ? lybFile(records) : abcFile(records);
        int flips = 1 + random.nextInt(3);
        for (int i = 0; i < flips; i++) {
            plain[random.nextInt(plain.length)] = (byte) random.nextInt(256);
        }

        Throwable thrown = catchThrowable(() -> {
            PaymentFile parsed = isLyb ? lyb.parse(plain, lybInbound("P1"), DAY) : abc.parse(plain, abcInbound("P1"), DAY);
            // whatever survives a mutation is still a file whose records the bank can pay
            assertThat(parsed.records()).allSatisfy(r -> assertThat(r.amountFen()).isNotNegative());
        });

        assertThat(thrown).satisfiesAnyOf(t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(FileRefusedException.class));
    }

    private static List<RecordResult> randomResults(SplittableRandom random) {
        List<RecordResult> results = new ArrayList<>();
        RecordOutcome[] outcomes = RecordOutcome.values();
        int count = random.nextInt(20);
        for (int i = 1; i <= count; i++) {
            results.add(new RecordResult(i, reference(random), card(random), amountFen(random),
                    outcomes[random.nextInt(outcomes.length)], 1));
        }
        return results;
    }

    @ParameterizedTest
    @MethodSource("resultCases")
    void lybResult_readsBackAsWritten(long seed) {
        List<RecordResult> results = randomResults(new SplittableRandom(seed));
        ResultPart part = new ResultPart("LYBRET_20261102_P1.txt", "P1", DAY, null, results);

        var published = lyb.protect(part.plainName(), lyb.encodeResult(part));
        LybFiles.Result read = LybFiles.open(published.get(0).content(), published.get(1).content(), TEST_DATA_KEY,
                TEST_BANK_KEYS.publicKey());

        assertThat(published).extracting(PublishedFile::name).containsExactly("LYBRET_20261102_P1.txt.enc",
                "LYBRET_20261102_P1.txt.sig");
        assertThat(read.summary()).containsExactly(UNIT, "20261102", Integer.toString(results.size()),
                LybFiles.yuan(results.stream().mapToLong(RecordResult::amountFen).sum()), "P1", "0", "0000");
        assertThat(read.records()).hasSize(results.size());
        for (int i = 0; i < results.size(); i++) {
            RecordResult expected = results.get(i);
            assertThat(read.records().get(i)).containsExactly(expected.reference(), expected.cardNumber(),
                    LybFiles.yuan(expected.amountFen()), expected.outcome().paid() ? "0" : "1",
                    LybDialect.reasonCode(expected.outcome()), LybDialect.reasonText(expected.outcome()));
        }
    }

    @ParameterizedTest
    @MethodSource("resultCases")
    void abcResult_readsBackAsWritten(long seed) {
        List<RecordResult> results = randomResults(new SplittableRandom(seed));
        ResultPart part = new ResultPart("ABC20261102P1.ret", "P1", DAY, null, results);

        var published = abc.protect(part.plainName(), abc.encodeResult(part));
        AbcFiles.Result read = AbcFiles.open(Map.of(published.get(0).name(), published.get(0).content()),
                part.plainName());

        assertThat(read.fileId()).isEqualTo("P1");
        assertThat(read.status()).isEqualTo("S");
        assertThat(read.records()).hasSize(results.size());
        for (int i = 0; i < results.size(); i++) {
            RecordResult expected = results.get(i);
            AbcFiles.Detail detail = read.records().get(i);
            assertThat(detail).isEqualTo(new AbcFiles.Detail(expected.sequence(), expected.reference(),
                    expected.cardNumber(), expected.amountFen(), expected.outcome().paid() ? "S" : "F",
                    AbcDialect.reasonCode(expected.outcome()), AbcDialect.reasonText(expected.outcome())));
        }
    }

    @Test
    void reasonCodes_followTheDocsTables() {
        assertThat(Stream.of(RecordOutcome.values()).map(o -> o + "=" + LybDialect.reasonCode(o)).toList()).containsExactly(
                "PAID=0000", "NAME_MISMATCH=E001", "ACCOUNT_CLOSED=E002", "ACCOUNT_FROZEN=E003",
                "CREDIT_RESTRICTED=E004", "NON_SETTLEMENT_ACCOUNT=E005", "CARD_LOST_OR_REPLACED=E006",
                "ACCOUNT_NOT_ACTIVATED=E099", "ACCOUNT_NOT_FOUND=E007", "DUPLICATE_RECORD=E008", "OTHER=E099");
        assertThat(Stream.of(RecordOutcome.values()).map(o -> o + "=" + AbcDialect.reasonCode(o)).toList()).containsExactly(
                "PAID=0000", "NAME_MISMATCH=3001", "ACCOUNT_CLOSED=3002", "ACCOUNT_FROZEN=3003",
                "CREDIT_RESTRICTED=3999", "NON_SETTLEMENT_ACCOUNT=3999", "CARD_LOST_OR_REPLACED=3004",
                "ACCOUNT_NOT_ACTIVATED=3005", "ACCOUNT_NOT_FOUND=3006", "DUPLICATE_RECORD=3007", "OTHER=3999");
        assertThat(Stream.of(FileRefusal.values()).map(LybDialect::fileReasonCode).toList())
                .containsExactly("F001", "F002", "F003", "F004");
        assertThat(Stream.of(FileRefusal.values()).map(AbcDialect::fileReasonCode).toList())
                .containsExactly("9001", "9002", "9002", "9003");
    }

    @Test
    void lybName_overThirtyGbkBytes_isUnreadable() {
        byte[] plain = LybFiles.payment(UNIT, DAY, "P1", List.of(new LybFiles.Row("R0000000000000000001",
                "张".repeat(16), "1.00", "6225768888888888", "11010519491231002X")));

        assertThatThrownBy(() -> lyb.parse(plain, lybInbound("P1"), DAY)).isInstanceOfSatisfying(
                FileRefusedException.class, e -> assertThat(e.refusal()).isEqualTo(FileRefusal.UNREADABLE));
    }

    @Test
    void lybRefusal_neverQuotesCardOrName() {
        byte[] plain = LybFiles.payment(UNIT, "20261102", "1", "1.00", "P1", List.of(new LybFiles.Row(
                "R0000000000000000001", "张三", "1.0", "6225768888888888", "11010519491231002X")));

        assertThatThrownBy(() -> lyb.parse(plain, lybInbound("P1"), DAY)).hasMessageNotContaining("6225768888888888")
                .hasMessageNotContaining("张三").hasMessageNotContaining("11010519491231002X");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1.0", "01.00", "-1.00", "1.000", "1,00", " 1.00", "1.00 ", "１.00", "", ".50", "12345678901234.00"})
    void yuan_refusesAnythingButTwoDecimals(String text) {
        assertThat(Yuan.parseFen(text)).isEqualTo(-1);
    }

    @ParameterizedTest(name = "{0} fen")
    @CsvSource({"0, 0.00", "1, 0.01", "10, 0.10", "9000, 90.00", "123456789, 1234567.89", "999999999999999, 9999999999999.99"})
    void yuan_roundTrips(long fen, String text) {
        assertThat(Yuan.format(fen)).isEqualTo(text);
        assertThat(Yuan.parseFen(text)).isEqualTo(fen);
    }

    @Test
    void abcName_isCutAtACharacterBoundary() {
        assertThat(AbcDialect.cutUtf8("买买提艾力阿卜杜热合曼克里木阿卜杜拉吐尔逊江", 60)).hasSize(20);
        assertThat(AbcDialect.cutUtf8("ab张", 4)).isEqualTo("ab");
        assertThat(abc.nameMatches("买买提艾力阿卜杜热合曼克里木阿卜杜拉吐尔", "买买提艾力阿卜杜热合曼克里木阿卜杜拉吐尔逊江")).isTrue();
        assertThat(abc.nameMatches("买买提艾力阿卜杜热合曼克里木阿卜杜拉吐", "买买提艾力阿卜杜热合曼克里木阿卜杜拉吐尔逊江")).isFalse();
    }

    @Test
    void processingDay_isCheckedByLyb_andNotByAbc() throws Exception {
        LocalDate tomorrow = DAY.plusDays(1);
        byte[] lybPlain = lybFile(List.of());
        byte[] abcPlain = abcFile(List.of());

        assertThatThrownBy(() -> lyb.parse(lybPlain, lybInbound("P1"), tomorrow)).isInstanceOfSatisfying(
                FileRefusedException.class, e -> assertThat(e.refusal()).isEqualTo(FileRefusal.NOT_PROCESSING_DAY));
        assertThat(abc.parse(abcPlain, abcInbound("P1"), tomorrow).records()).isEmpty();
    }
}
