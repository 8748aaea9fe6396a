package cn.onecard.simulators.isobank;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.Dialects;
import cn.onecard.iso8583.ExchangeOutcome;
import cn.onecard.iso8583.IsoClient;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.MacKeys;
import cn.onecard.iso8583.SessionOpener;
import cn.onecard.iso8583.SignOn;
import cn.onecard.simulators.filebank.Accounts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ISO 8583 bank host driven by the real client over loopback, in agent-bcd. */
class IsoBankHostTest {

    private static final Dialect BANK = Dialects.builtIn().get("agent-bcd");
    private static final String TERMINAL = "TERM0002";
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Test-only MAC key shared by client and host. */
    private static final SymmetricKey TEST_MAK = SymmetricKey.fromHex(KeyAlgorithm.SM4, "0123456789ABCDEFFEDCBA9876543210");
    /** Test-only zone master key shared by client and host. */
    private static final SymmetricKey TEST_ZMK = SymmetricKey.fromHex(KeyAlgorithm.SM4, "00112233445566778899AABBCCDDEEFF");
    static final String NORMAL_CARD = "6228480402564890018";
    static final String ACCOUNTS_CSV = """
            card_number,name,id_number,state,balance_fen
            6228480402564890018,张三,11010519491231002X,NORMAL,100
            6228480000000000011,李四,440524188001010014,CLOSED,0
            6228480000000000029,王五,440524188001010022,FROZEN,0
            6228480000000000037,赵六,440524188001010030,NOT_ACTIVATED,0
            6228480000000000045,钱七,440524188001010049,LOST,0
            """;

    @TempDir
    Path dir;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final AtomicInteger traces = new AtomicInteger();
    private final List<IsoMessage> lateAnswers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Accounts accounts;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
    }

    private IsoBankHost host() throws IOException {
        return host(IsoBankFaults.NONE);
    }

    private IsoBankHost host(IsoBankFaults faults) throws IOException {
        return host(BANK, TEST_MAK, faults);
    }

    private IsoBankHost host(Dialect dialect, SymmetricKey macKey, IsoBankFaults faults) throws IOException {
        accounts = Accounts.parse(ACCOUNTS_CSV, "test");
        IsoBankHost host = IsoBankHost.start(new IsoBankHost.Config(dialect, accounts, dir.resolve("ledger.log")).macKey(macKey)
                .faults(faults).seed(12L));
        closeables.add(host);
        return host;
    }

    private IsoClient client(IsoBankHost host, SymmetricKey key) {
        return client(BANK, host, key);
    }

    private IsoClient client(Dialect dialect, IsoBankHost host, SymmetricKey key) {
        IsoClient client = IsoClient.start(new IsoClient.Config(dialect, host.address()).macKeys(MacKeys.single(key))
                .echoInterval(Duration.ZERO).reconnectDelay(Duration.ofMillis(20), Duration.ofMillis(100))
                .lateResponses(lateAnswers::add));
        closeables.add(client);
        assertThat(client.awaitConnected(WAIT)).as("connected").isTrue();
        return client;
    }

    private IsoClient client(IsoBankHost host) {
        return client(host, TEST_MAK);
    }

    private IsoMessage stamped(String type) {
        return BANK.newMessage(type).set(11, String.format("%06d", traces.incrementAndGet())).set(41, TERMINAL);
    }

    private IsoMessage credit(String card, long amountFen, String reference) {
        return stamped("credit").set(2, card).set(103, card).set(4, String.format("%012d", amountFen))
                .set(37, ReferenceCodec.toRrn(reference));
    }

    private IsoMessage inquiry(String reference) {
        return stamped("status-inquiry").set(37, ReferenceCodec.toRrn(reference));
    }

    private IsoMessage reversal(String reference, String originalTrace) {
        return stamped("reversal").set(37, ReferenceCodec.toRrn(reference)).set("61.1", "0200").set("61.2", originalTrace);
    }

    private IsoMessage verification(String card, String name, String idNumber) {
        return stamped("account-verification").set(2, card).set("48.1", name).set("48.2", "01").set("48.3", idNumber);
    }

    private static ExchangeOutcome send(IsoClient client, IsoMessage request) {
        return client.send(request).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    private static IsoMessage answered(IsoClient client, IsoMessage request) {
        ExchangeOutcome outcome = send(client, request);
        assertThat(outcome).isInstanceOf(ExchangeOutcome.Answered.class);
        return ((ExchangeOutcome.Answered) outcome).response();
    }

    private static String code(IsoClient client, IsoMessage request) {
        return answered(client, request).get(39);
    }

    private long balance(String card) {
        return accounts.find(card).orElseThrow().balanceFen();
    }

    @Test
    void approvesACreditPaysItAndListsItInTheLedger() throws IOException {
        IsoBankHost host = host();
        IsoClient client = client(host);

        assertThat(code(client, credit(NORMAL_CARD, 9_000, "OC000000000000000001"))).isEqualTo("00");

        assertThat(balance(NORMAL_CARD)).isEqualTo(9_100);
        IsoBankLedger ledger = host.ledger();
        assertThat(ledger.payments()).containsExactly(new IsoBankLedger.Entry("OC000000000000000001", "000000000001", 9_000));
        assertThat(ledger.paidSumFen()).isEqualTo(9_000);
        assertThat(ledger.reversals()).isEmpty();
        assertThat(ledger.duplicatesRefused()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "unknown card, 6228480000000000052, 14",
            "closed, 6228480000000000011, B2",
            "frozen, 6228480000000000029, B3",
            "not activated, 6228480000000000037, B4",
            "lost, 6228480000000000045, 41"})
    void refusesACreditToAnAccountThatTakesNoneAndAnInquiryRepeatsTheRefusal(String state, String card, String expected)
            throws IOException {
        IsoBankHost host = host();
        IsoClient client = client(host);

        assertThat(code(client, credit(card, 500, "OC000000000000000002"))).isEqualTo(expected);
        assertThat(code(client, inquiry("OC000000000000000002"))).isEqualTo(expected);

        assertThat(host.ledger().payments()).isEmpty();
        if (accounts.find(card).isPresent()) {
            assertThat(balance(card)).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "holder matches, 6228480402564890018, 张三, 11010519491231002X, 00",
            "name differs, 6228480402564890018, 张四, 11010519491231002X, B1",
            "identity differs, 6228480402564890018, 张三, 110105194912310038, B1",
            "unknown card, 6228480000000000052, 张三, 11010519491231002X, 14",
            "closed, 6228480000000000011, 李四, 440524188001010014, B2",
            "frozen, 6228480000000000029, 王五, 440524188001010022, B3",
            "not activated, 6228480000000000037, 赵六, 440524188001010030, B4",
            "lost, 6228480000000000045, 钱七, 440524188001010049, 41"})
    void verifiesTheHolderAgainstTheAccountAndMovesNoMoney(String what, String card, String name, String idNumber,
                                                          String expected) throws IOException {
        IsoBankHost host = host();
        IsoClient client = client(host);

        assertThat(code(client, verification(card, name, idNumber))).isEqualTo(expected);

        assertThat(balance(NORMAL_CARD)).isEqualTo(100);
        assertThat(host.ledger().payments()).isEmpty();
    }

    @Test
    void aCreditWhoseRrnWasPaidIsRefusedAsADuplicateAndNeverPaidAgain() throws IOException {
        IsoBankHost host = host();
        IsoClient client = client(host);

        assertThat(code(client, credit(NORMAL_CARD, 9_000, "OC123456789012345678"))).isEqualTo("00");
        assertThat(code(client, credit(NORMAL_CARD, 9_000, "OC123456789012345678"))).isEqualTo("94");
        assertThat(code(client, credit(NORMAL_CARD, 1, "OC123456789012345678"))).as("another amount, same RRN").isEqualTo("94");

        assertThat(balance(NORMAL_CARD)).isEqualTo(9_100);
        IsoBankLedger ledger = host.ledger();
        assertThat(ledger.payments()).hasSize(1);
        assertThat(ledger.duplicatesRefused()).extracting(IsoBankLedger.Entry::reference, IsoBankLedger.Entry::amountFen)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("OC123456789012345678", 9_000L),
                        org.assertj.core.groups.Tuple.tuple("OC123456789012345678", 1L));
    }

    @Test
    void anInquiryFindsAPaidCreditWithItsAmountAndNotOneNeverSent() throws IOException {
        IsoBankHost host = host();
        IsoClient client = client(host);
        code(client, credit(NORMAL_CARD, 9_000, "OC000000000000000003"));

        IsoMessage found = answered(client, inquiry("OC000000000000000003"));
        IsoMessage notFound = answered(client, inquiry("OC000000000000000004"));

        assertThat(found.get(39)).isEqualTo("00");
        assertThat(found.get(4)).isEqualTo("000000009000");
        assertThat(notFound.get(39)).isEqualTo("25");
        assertThat(host.ledger().payments()).hasSize(1);
    }

    @Test
    void aReversalUndoesACreditOnceAndAnInquiryThenFindsNothingStanding() throws IOException {
        IsoBankHost host = host();
        IsoClient client = client(host);
        IsoMessage credit = credit(NORMAL_CARD, 9_000, "OC000000000000000005");
        code(client, credit);

        assertThat(code(client, reversal("OC000000000000000005", credit.get(11)))).isEqualTo("00");
        assertThat(code(client, reversal("OC000000000000000005", credit.get(11)))).as("repeated").isEqualTo("00");
        assertThat(code(client, inquiry("OC000000000000000005"))).isEqualTo("25");

        assertThat(balance(NORMAL_CARD)).isEqualTo(100);
        IsoBankLedger ledger = host.ledger();
        assertThat(ledger.payments()).hasSize(1);
        assertThat(ledger.reversals()).extracting(IsoBankLedger.Entry::reference).containsExactly("OC000000000000000005");
        assertThat(ledger.reversedSumFen()).isEqualTo(9_000);
    }

    @Test
    void aReversalOfNoCreditOrOfAnotherTraceFindsNoOriginal() throws IOException {
        IsoBankHost host = host();
        IsoClient client = client(host);
        IsoMessage credit = credit(NORMAL_CARD, 9_000, "OC000000000000000006");
        code(client, credit);

        assertThat(code(client, reversal("OC000000000000000007", "000001"))).isEqualTo("25");
        assertThat(code(client, reversal("OC000000000000000006", "999999"))).as("61 names another trace").isEqualTo("25");

        assertThat(balance(NORMAL_CARD)).isEqualTo(9_100);
        assertThat(host.ledger().reversals()).isEmpty();
    }

    @Test
    void aReversedCreditMayBeSentAgainUnderItsReferenceAndIsPaidOnce() throws IOException {
        IsoBankHost host = host();
        IsoClient client = client(host);
        IsoMessage first = credit(NORMAL_CARD, 9_000, "OC000000000000000008");
        code(client, first);
        code(client, reversal("OC000000000000000008", first.get(11)));

        assertThat(code(client, credit(NORMAL_CARD, 9_000, "OC000000000000000008"))).isEqualTo("00");
        assertThat(code(client, credit(NORMAL_CARD, 9_000, "OC000000000000000008"))).isEqualTo("94");

        assertThat(balance(NORMAL_CARD)).isEqualTo(9_100);
        assertThat(host.ledger().payments()).hasSize(2);
        assertThat(host.ledger().reversals()).hasSize(1);
    }

    @Test
    void aCreditUnderAWrongMacIsRefusedWithA0AndNothingIsPaid() throws IOException {
        IsoBankHost host = host();
        IsoClient client = client(host, SymmetricKey.fromHex(KeyAlgorithm.SM4, "00000000000000000000000000000001"));

        ExchangeOutcome outcome = send(client, credit(NORMAL_CARD, 9_000, "OC000000000000000009"));

        // the refusal is unsigned (the key is what is wrong), so the client cannot trust it: unknown, with A0 to read
        assertThat(outcome).isInstanceOfSatisfying(ExchangeOutcome.Unknown.class,
                unknown -> assertThat(unknown.untrustedResponse()).hasValueSatisfying(r -> assertThat(r.get(39)).isEqualTo("A0")));
        assertThat(balance(NORMAL_CARD)).isEqualTo(100);
        assertThat(host.ledger().payments()).isEmpty();
        assertThat(code(client(host), inquiry("OC000000000000000009"))).isEqualTo("25");
    }

    @Test
    void answersSignOnAndEcho() throws IOException {
        IsoBankHost host = host();
        IsoClient client = client(host);

        assertThat(code(client, stamped("sign-on"))).isEqualTo("00");
        assertThat(code(client, stamped("echo"))).isEqualTo("00");
    }

    @Test
    void aRestartedBankReadsItsLedgerBackAndStillRefusesToPayTwice() throws IOException {
        IsoBankHost host = host();
        IsoClient client = client(host);
        code(client, credit(NORMAL_CARD, 9_000, "OC000000000000000010"));
        IsoMessage reversed = credit(NORMAL_CARD, 300, "OC000000000000000011");
        code(client, reversed);
        code(client, reversal("OC000000000000000011", reversed.get(11)));
        code(client, credit("6228480000000000011", 500, "OC000000000000000012"));
        code(client, credit(NORMAL_CARD, 9_000, "OC000000000000000010"));
        IsoBankLedger before = host.ledger();
        closeables.remove(client);
        client.close();
        host.close();
        // a crash in the middle of the next line: it was never answered, so it is dropped
        Files.writeString(dir.resolve("ledger.log"), "PAID 0000000000", StandardCharsets.US_ASCII, StandardOpenOption.APPEND);

        IsoBankHost restarted = host();
        IsoClient again = client(restarted);

        assertThat(restarted.ledger()).isEqualTo(before);
        assertThat(balance(NORMAL_CARD)).as("replayed onto the accounts").isEqualTo(9_100);
        assertThat(code(again, credit(NORMAL_CARD, 9_000, "OC000000000000000010"))).isEqualTo("94");
        assertThat(code(again, inquiry("OC000000000000000010"))).isEqualTo("00");
        assertThat(code(again, inquiry("OC000000000000000011"))).isEqualTo("25");
        assertThat(code(again, inquiry("OC000000000000000012"))).isEqualTo("B2");
        assertThat(Files.readString(dir.resolve("ledger.log"))).doesNotContain("PAID 0000000000\n").endsWith("\n");
    }

    @Test
    void aCreditWhoseAnswerIsDroppedIsPaidAllTheSameAndAnInquiryFindsIt() throws IOException {
        IsoBankHost host = host(IsoBankFaults.NONE.withDropAnswer(1.0));
        IsoClient client = client(host);

        ExchangeOutcome outcome = client.send(credit(NORMAL_CARD, 9_000, "OC000000000000000013"), Duration.ofMillis(300))
                .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();

        assertThat(outcome).isInstanceOfSatisfying(ExchangeOutcome.Unknown.class,
                unknown -> assertThat(unknown.reason()).isEqualTo(ExchangeOutcome.UnknownReason.TIMED_OUT));
        assertThat(host.ledger().payments()).extracting(IsoBankLedger.Entry::reference).containsExactly("OC000000000000000013");
        host.faults(IsoBankFaults.NONE);
        IsoMessage found = answered(client, inquiry("OC000000000000000013"));
        assertThat(found.get(39)).isEqualTo("00");
        assertThat(found.get(4)).isEqualTo("000000009000");
        assertThat(code(client, credit(NORMAL_CARD, 9_000, "OC000000000000000013"))).as("sent again").isEqualTo("94");
        assertThat(balance(NORMAL_CARD)).isEqualTo(9_100);
    }

    @Test
    void aBusyBankAnswersC2AndActsOnNothing() throws IOException {
        IsoBankHost host = host(IsoBankFaults.NONE.withBusy(1.0));
        IsoClient client = client(host);

        assertThat(code(client, credit(NORMAL_CARD, 9_000, "OC000000000000000014"))).isEqualTo("C2");

        assertThat(host.ledger().payments()).isEmpty();
        host.faults(IsoBankFaults.NONE);
        assertThat(code(client, inquiry("OC000000000000000014"))).isEqualTo("25");
    }

    @Test
    void aLateAnswerIsHeldBackAfterThePaymentIsMade() throws IOException {
        IsoBankHost host = host(IsoBankFaults.NONE.withLate(1.0, Duration.ofMillis(300)));
        IsoClient client = client(host);

        ExchangeOutcome outcome = send(client, credit(NORMAL_CARD, 9_000, "OC000000000000000015"));

        assertThat(outcome).isInstanceOfSatisfying(ExchangeOutcome.Answered.class, answered -> {
            assertThat(answered.response().get(39)).isEqualTo("00");
            assertThat(answered.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        });
        assertThat(host.ledger().payments()).hasSize(1);
    }

    @Test
    void theSeedIsKeptSoARunCanBeReplayed() throws IOException {
        assertThat(host().seed()).isEqualTo(12L);
    }

    @Test
    void speaksAgentAscii87ByItsOwnMessageTypesAndCodes() throws IOException {
        Dialect ascii = Dialects.builtIn().get("agent-ascii87");
        SymmetricKey x919Key = SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789ABCDEFFEDCBA9876543210");
        IsoBankHost host = host(ascii, x919Key, IsoBankFaults.NONE);
        IsoClient client = client(ascii, host, x919Key);
        String rrn = ReferenceCodec.toRrn("OC000000000000000016");
        java.util.function.Function<String, IsoMessage> stampedAscii = type -> ascii.newMessage(type)
                .set(7, "1207120000").set(11, String.format("%06d", traces.incrementAndGet())).set(32, "12345678").set(41, TERMINAL);

        assertThat(code(client, stampedAscii.apply("credit").set(2, NORMAL_CARD).set(4, "000000009000").set(37, rrn)))
                .isEqualTo("00");
        assertThat(code(client, stampedAscii.apply("credit").set(2, NORMAL_CARD).set(4, "000000009000").set(37, rrn)))
                .isEqualTo("94");
        assertThat(code(client, stampedAscii.apply("credit").set(2, "6228480000000000029").set(4, "000000000100")
                .set(37, ReferenceCodec.toRrn("OC000000000000000017")))).as("frozen, in this dialect's code").isEqualTo("N3");
        assertThat(code(client, stampedAscii.apply("status-inquiry").set(37, rrn))).isEqualTo("00");
        assertThat(code(client, stampedAscii.apply("reversal").set(37, rrn).set("90.1", "0200").set("90.2", "000001")
                .set("90.3", "1207120000").set("90.4", "00012345678").set("90.5", "00000000000"))).isEqualTo("00");

        assertThat(balance(NORMAL_CARD)).isEqualTo(100);
        assertThat(host.ledger().reversals()).extracting(IsoBankLedger.Entry::reference).containsExactly("OC000000000000000016");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "names the credit as it went, 0200, TRACE, 1207120000, 00012345678, 00",
            "another trace, 0200, 999999, 1207120000, 00012345678, 12",
            "another transmission time, 0200, TRACE, 1207120001, 00012345678, 12",
            "another acquirer, 0200, TRACE, 1207120000, 00087654321, 12",
            "another original MTI, 0100, TRACE, 1207120000, 00012345678, 12"})
    void anAscii87ReversalMustNameItsOriginalIn90_andIsRefusedWhenItDoesNot(String what, String mti, String trace,
                                                                          String transmission, String acquirer,
                                                                          String expected) throws IOException {
        Dialect ascii = Dialects.builtIn().get("agent-ascii87");
        SymmetricKey x919Key = SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789ABCDEFFEDCBA9876543210");
        IsoBankHost host = host(ascii, x919Key, IsoBankFaults.NONE);
        IsoClient client = client(ascii, host, x919Key);
        String rrn = ReferenceCodec.toRrn("OC000000000000000031");
        IsoMessage credit = ascii.newMessage("credit").set(7, "1207120000").set(11, "000031").set(32, "12345678")
                .set(41, TERMINAL).set(2, NORMAL_CARD).set(4, "000000009000").set(37, rrn);
        assertThat(code(client, credit)).isEqualTo("00");
        IsoMessage reversal = ascii.newMessage("reversal").set(7, "1207120100").set(11, "000032").set(32, "12345678")
                .set(41, TERMINAL).set(37, rrn).set("90.1", mti).set("90.2", trace.equals("TRACE") ? "000031" : trace)
                .set("90.3", transmission).set("90.4", acquirer).set("90.5", "00000000000");

        assertThat(code(client, reversal)).as(what).isEqualTo(expected);
        assertThat(code(client, ascii.newMessage("reversal").set(7, "1207120200").set(11, "000033").set(32, "12345678")
                .set(41, TERMINAL).set(37, rrn))).as("no 90 at all").isEqualTo("30");

        assertThat(host.ledger().reversals()).hasSize(expected.equals("00") ? 1 : 0);
        assertThat(balance(NORMAL_CARD)).isEqualTo(expected.equals("00") ? 100 : 9_100);
    }

    /** Signs on with the dialect's sign-on and takes the working MAC key under {@link #TEST_ZMK}. */
    private static final class SignOnForKeys implements SessionOpener {
        final AtomicInteger signOns = new AtomicInteger();
        final Dialect dialect;

        SignOnForKeys(Dialect dialect) {
            this.dialect = dialect;
        }

        @Override
        public CompletionStage<Optional<SymmetricKey>> open(Session session) {
            SignOn signOn = dialect.signOn().orElseThrow();
            IsoMessage request = dialect.newMessage(signOn.messageType()).set(7, "1207120000")
                    .set(11, String.format("%06d", 800_000 + signOns.incrementAndGet())).set(32, "12345678").set(41, TERMINAL);
            return session.send(request, WAIT).thenApply(outcome -> Optional.of(signOn.macKeyFrom(
                    ((ExchangeOutcome.Answered) outcome).response(), TEST_ZMK)));
        }

        @Override
        public boolean asksToSignOnAgain(IsoMessage answer) {
            return answer.has(39) && dialect.codes().meaningOf(answer.get(39)) == cn.onecard.iso8583.ResultCode.MAC_ERROR;
        }
    }

    private IsoBankHost keyedHost() throws IOException {
        return keyedHost(BANK);
    }

    private IsoBankHost keyedHost(Dialect dialect) throws IOException {
        accounts = Accounts.parse(ACCOUNTS_CSV, "test");
        IsoBankHost host = IsoBankHost.start(new IsoBankHost.Config(dialect, accounts, dir.resolve("ledger.log"))
                .zoneMasterKey(TEST_ZMK).seed(12L));
        closeables.add(host);
        return host;
    }

    @Test
    void agentAscii87HandsOutATripleDesMacKeyIn48_underAnSm4ZoneMasterKey() throws IOException {
        Dialect ascii = Dialects.builtIn().get("agent-ascii87");
        IsoBankHost host = keyedHost(ascii);
        IsoClient client = signingOnClient(host, new SignOnForKeys(ascii), ascii);

        IsoMessage credit = ascii.newMessage("credit").set(7, "1207120000").set(11, "000051").set(32, "12345678")
                .set(41, TERMINAL).set(2, NORMAL_CARD).set(4, "000000009000").set(37, ReferenceCodec.toRrn("OC000000000000000051"));

        assertThat(code(client, credit)).isEqualTo("00");
        assertThat(host.ledger().payments()).hasSize(1);
    }

    private IsoClient signingOnClient(IsoBankHost host, SignOnForKeys opener) {
        return signingOnClient(host, opener, BANK);
    }

    private IsoClient signingOnClient(IsoBankHost host, SignOnForKeys opener, Dialect dialect) {
        IsoClient client = IsoClient.start(new IsoClient.Config(dialect, host.address()).sessions(opener).connections(2)
                .echoInterval(Duration.ZERO).reconnectDelay(Duration.ofMillis(20), Duration.ofMillis(100)));
        closeables.add(client);
        assertThat(client.awaitConnected(WAIT)).as("signed on").isTrue();
        return client;
    }

    @Test
    void handsOutWorkingKeysAtEachSignOn_andChecksEachConnectionUnderItsOwn() throws IOException {
        IsoBankHost host = keyedHost();
        SignOnForKeys opener = new SignOnForKeys(BANK);
        IsoClient client = signingOnClient(host, opener);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (client.connectionsOpen() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }

        assertThat(code(client, credit(NORMAL_CARD, 9_000, "OC000000000000000040"))).isEqualTo("00");
        assertThat(code(client, credit(NORMAL_CARD, 1_000, "OC000000000000000041"))).isEqualTo("00");
        IsoClient unsignedClient = client(host, TEST_MAK);
        ExchangeOutcome unsigned = send(unsignedClient, credit(NORMAL_CARD, 500, "OC000000000000000042"));

        assertThat(opener.signOns).as("one per connection").hasValue(2);
        assertThat(unsigned).as("a connection that never signed on has no key at the bank").isInstanceOfSatisfying(
                ExchangeOutcome.Unknown.class, u -> assertThat(u.untrustedResponse().orElseThrow().get(39)).isEqualTo("A0"));
        assertThat(host.ledger().payments()).hasSize(2);
    }

    @Test
    void aHostThatLostItsSessions_refusesWithA0_andTheSignedOnAgainConnectionIsServed() throws IOException {
        IsoBankHost host = keyedHost();
        SignOnForKeys opener = new SignOnForKeys(BANK);
        IsoClient client = signingOnClient(host, opener);
        long signedOnBy = System.nanoTime() + WAIT.toNanos();
        while (client.connectionsOpen() < 2 && System.nanoTime() < signedOnBy) {
            Thread.onSpinWait();
        }
        int signedOn = opener.signOns.get();

        host.forgetSessions();
        ExchangeOutcome refused = send(client, credit(NORMAL_CARD, 9_000, "OC000000000000000043"));

        assertThat(refused).isInstanceOf(ExchangeOutcome.Unknown.class);
        assertThat(host.ledger().payments()).as("refused before acting").isEmpty();
        long deadline = System.nanoTime() + WAIT.toNanos();
        ExchangeOutcome again;
        do {
            again = send(client, credit(NORMAL_CARD, 9_000, "OC000000000000000043"));
        } while (!(again instanceof ExchangeOutcome.Answered) && System.nanoTime() < deadline);
        assertThat(again).isInstanceOfSatisfying(ExchangeOutcome.Answered.class,
                answered -> assertThat(answered.response().get(39)).isEqualTo("00"));
        assertThat(opener.signOns.get()).isGreaterThan(signedOn);
    }

    private static ExchangeOutcome sendWithin(IsoClient client, IsoMessage request, Duration timeout) {
        return client.send(request, timeout).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    @Test
    void anAnswerSentTwiceIsTakenOnceAndTheCreditPaidOnce() throws Exception {
        IsoBankHost host = host(IsoBankFaults.NONE.withAnswerTwice(1.0));
        IsoClient client = client(host);

        assertThat(code(client, credit(NORMAL_CARD, 9_000, "OC000000000000000018"))).isEqualTo("00");

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (lateAnswers.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(lateAnswers).singleElement().satisfies(copy -> assertThat(copy.get(39)).isEqualTo("00"));
        assertThat(host.ledger().payments()).hasSize(1);
        assertThat(balance(NORMAL_CARD)).isEqualTo(9_100);
    }

    @Test
    void aConnectionClosedInTheMiddleOfAnAnswerLeavesTheCreditPaidForAnInquiryToFind() throws IOException {
        IsoBankHost host = host(IsoBankFaults.NONE.withCutAnswer(1.0));
        IsoClient client = client(host);

        ExchangeOutcome outcome = sendWithin(client, credit(NORMAL_CARD, 9_000, "OC000000000000000019"), Duration.ofSeconds(5));

        assertThat(outcome).isInstanceOfSatisfying(ExchangeOutcome.Unknown.class,
                unknown -> assertThat(unknown.reason()).isEqualTo(ExchangeOutcome.UnknownReason.CONNECTION_LOST));
        assertThat(host.ledger().payments()).extracting(IsoBankLedger.Entry::reference).containsExactly("OC000000000000000019");
        host.faults(IsoBankFaults.NONE);
        assertThat(code(client(host), inquiry("OC000000000000000019"))).as("asked on a new connection").isEqualTo("00");
    }

    @Test
    void aGarbledAnswerIsNotTrustedAndTheCreditStaysPaid() throws IOException {
        IsoBankHost host = host(IsoBankFaults.NONE.withGarbleAnswer(1.0));
        IsoClient client = client(host);

        ExchangeOutcome outcome = sendWithin(client, credit(NORMAL_CARD, 9_000, "OC000000000000000020"), Duration.ofMillis(500));

        assertThat(outcome).isInstanceOf(ExchangeOutcome.Unknown.class);
        assertThat(host.ledger().payments()).hasSize(1);
    }

    @Test
    void refusedConnectionsAreClosedAtOnce() throws IOException {
        IsoBankHost host = host(IsoBankFaults.NONE.withRefuseConnections(true));

        try (java.net.Socket socket = new java.net.Socket(host.address().getAddress(), host.address().getPort())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
        }
    }
}
