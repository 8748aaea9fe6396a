package cn.onecard.adapters.iso8583;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.adapters.AccountCheck;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.InquiryAnswer;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.ReversalAnswer;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.Dialects;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.IsoServer;
import cn.onecard.iso8583.MacKeys;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ISO 8583 bank adapter against a small host written here (agent-bcd, MAC'd both ways), whose
 * own book counts what it paid: each exchange becomes exactly one contract answer, a credit sent
 * again is the same credit to the bank, and nothing that does not prove an outcome is a refusal.
 */
class IsoBankAdapterTest {

    private static final Dialect BCD = Dialects.builtIn().get("agent-bcd");
    private static final SymmetricKey TEST_MAK = SymmetricKey.fromHex(KeyAlgorithm.SM4, "0123456789ABCDEFFEDCBA9876543210");
    private static final String CARD = "6228480402564890018";

    /** The host's book: what it paid and reversed, by RRN, and how it answers the next request. */
    private static final class Host {
        final Dialect dialect;
        final Map<String, Long> paid = new ConcurrentHashMap<>();
        final Map<String, Boolean> reversed = new ConcurrentHashMap<>();
        final AtomicInteger credits = new AtomicInteger();
        volatile String creditCode = "00";
        volatile String verificationCode = "00";
        volatile boolean silent;
        /** Pays each credit and loses its answer on the line. */
        volatile boolean loseCreditAnswers;
        final List<IsoMessage> reversals = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<IsoMessage> credited = new java.util.concurrent.CopyOnWriteArrayList<>();

        Host(Dialect dialect) {
            this.dialect = dialect;
        }

        IsoMessage handle(IsoMessage request) {
            if (silent) {
                return null;
            }
            IsoMessage answer = dialect.responseTo(request);
            String rrn = request.get(37);
            String processing = request.get(3);
            switch (request.mti()) {
                case "0200" -> {
                    credits.incrementAndGet();
                    if (paid.containsKey(rrn)) {
                        return answer.set(39, "94");
                    }
                    if (creditCode.equals("00")) {
                        paid.put(rrn, Long.parseLong(request.get(4)));
                        credited.add(request);
                    }
                    return loseCreditAnswers ? null : answer.set(39, creditCode);
                }
                case "0100" -> {
                    if (processing.equals("330000")) {
                        return answer.set(39, verificationCode);
                    }
                    Long amount = paid.get(rrn);
                    if (amount == null || reversed.containsKey(rrn)) {
                        return answer.set(39, "25");
                    }
                    return answer.set(4, String.format("%012d", amount)).set(39, "00");
                }
                case "0400", "0420" -> {
                    reversals.add(request);
                    if (!paid.containsKey(rrn)) {
                        return answer.set(39, "25");
                    }
                    reversed.put(rrn, true);
                    return answer.set(39, "00");
                }
                default -> {
                    return answer.set(39, "00");
                }
            }
        }
    }

    private Host host = new Host(BCD);
    private IsoServer server;
    private IsoBankAdapter adapter;

    @AfterEach
    void close() {
        if (adapter != null) {
            adapter.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private IsoBankAdapter adapterFor(InetSocketAddress address, SymmetricKey key, Duration timeout) {
        return adapterFor(BCD, address, key, timeout);
    }

    private IsoBankAdapter adapterFor(Dialect dialect, InetSocketAddress address, SymmetricKey key, Duration timeout) {
        adapter = new IsoBankAdapter(new IsoBankConfig("ISO", dialect, address, key, "ONECARD1", "ONECARD00000001", "41030000",
                "4103000001", 2, 64, timeout, Duration.ZERO, true, true, 0, Duration.ofMinutes(1), null, Duration.ZERO), Clock.systemUTC());
        return adapter;
    }

    private IsoBankAdapter started() {
        return started(Duration.ofSeconds(5));
    }

    private IsoBankAdapter started(Duration requestTimeout) {
        server = IsoServer.start(new IsoServer.Config(BCD).bind(new InetSocketAddress("127.0.0.1", 0))
                .macKeys(MacKeys.single(TEST_MAK)), (request, peer) -> host.handle(request));
        IsoBankAdapter started = adapterFor(server.address(), TEST_MAK, requestTimeout);
        assertThat(started.awaitConnected(Duration.ofSeconds(5))).isTrue();
        return started;
    }

    private static Dispatch dispatch(String reference, long amountFen, int attempt) {
        return new Dispatch("D" + reference.substring(2), "ISO", LocalDate.of(2026, 12, 7), attempt,
                List.of(new PaymentInstruction(reference, CARD, "张三", "11010519491231002X", amountFen, "P29")));
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
    }

    @Test
    void anApprovedCredit_isPaid_withTheAmountSent() {
        IsoBankAdapter bank = started();
        SendReceipt receipt = await(bank.send(dispatch("OC000000000100000001", 9_000, 1)));
        assertThat(receipt).isEqualTo(new SendReceipt.Answered(List.of(new ItemOutcome("OC000000000100000001",
                BankOutcome.PAID, "00", 9_000))));
        assertThat(host.paid).containsExactly(Map.entry(RetrievalReference.of("OC000000000100000001").orElseThrow(), 9_000L));
    }

    @Test
    void aCreditSentAgain_isTheSameCreditToTheBank_unknownUntilAsked_andPaidOnce() {
        IsoBankAdapter bank = started();
        Dispatch first = dispatch("OC000000000100000002", 9_100, 1);
        assertThat(await(bank.send(first))).isInstanceOf(SendReceipt.Answered.class);
        SendReceipt again = await(bank.send(dispatch("OC000000000100000002", 9_100, 2)));
        assertThat(again).as("a duplicate says nothing of the credit's fate").isInstanceOf(SendReceipt.Unknown.class);
        assertThat(await(bank.inquire(first))).isEqualTo(new InquiryAnswer.Found(List.of(new ItemOutcome(
                "OC000000000100000002", BankOutcome.PAID, "00", 9_100))));
        assertThat(host.credits).hasValue(2);
        assertThat(host.paid).hasSize(1);
    }

    @Test
    void refusalsMapToTheirOwnCodes_busyIsNotProcessed_andAMalfunctionIsUnknown() {
        IsoBankAdapter bank = started();
        Map<String, BankOutcome> refusals = Map.of("B2", BankOutcome.BANK_ACCOUNT_CLOSED, "B3", BankOutcome.BANK_ACCOUNT_FROZEN,
                "B4", BankOutcome.BANK_ACCOUNT_NOT_ACTIVATED, "14", BankOutcome.BANK_ACCOUNT_NOT_FOUND,
                "41", BankOutcome.BANK_CARD_STATUS_ABNORMAL, "C2", BankOutcome.BANK_BUSY);
        int seq = 10;
        for (Map.Entry<String, BankOutcome> refusal : refusals.entrySet()) {
            host.creditCode = refusal.getKey();
            String reference = "OC0000000001000000" + seq++;
            SendReceipt receipt = await(bank.send(dispatch(reference, 500, 1)));
            assertThat(receipt).as(refusal.getKey()).isEqualTo(new SendReceipt.Answered(List.of(new ItemOutcome(reference,
                    refusal.getValue(), refusal.getKey(), 500))));
        }
        host.creditCode = "96";
        assertThat(await(bank.send(dispatch("OC000000000100000099", 500, 1)))).isInstanceOf(SendReceipt.Unknown.class);
        assertThat(host.paid).isEmpty();
    }

    @Test
    void noAnswerInTime_isUnknown_neverARefusal_andAnInquiryThenFindsNothing() {
        IsoBankAdapter impatient = started(Duration.ofMillis(300));
        host.silent = true;
        Dispatch credit = dispatch("OC000000000100000003", 700, 1);
        assertThat(await(impatient.send(credit))).isInstanceOf(SendReceipt.Unknown.class);
        host.silent = false;
        assertThat(await(impatient.inquire(credit))).isEqualTo(new InquiryAnswer.NotFound());
    }

    @Test
    void anAnswerUnderAnotherMacKey_isUnknown() {
        server = IsoServer.start(new IsoServer.Config(BCD).bind(new InetSocketAddress("127.0.0.1", 0))
                .macKeys(MacKeys.single(TEST_MAK)), (request, peer) -> host.handle(request));
        SymmetricKey otherKey = SymmetricKey.fromHex(KeyAlgorithm.SM4, "00000000000000000000000000000001");
        IsoBankAdapter bank = adapterFor(server.address(), otherKey, Duration.ofMillis(800));
        assertThat(bank.awaitConnected(Duration.ofSeconds(5))).isTrue();
        SendReceipt receipt = await(bank.send(dispatch("OC000000000100000004", 800, 1)));
        assertThat(receipt).isInstanceOf(SendReceipt.Unknown.class);
        assertThat(host.paid).as("the host refused the request's MAC").isEmpty();
    }

    @Test
    void aHostThatIsNotThere_isNotSent() {
        IsoBankAdapter bank = adapterFor(new InetSocketAddress("127.0.0.1", 1), TEST_MAK, Duration.ofSeconds(1));
        assertThat(await(bank.send(dispatch("OC000000000100000005", 900, 1)))).isInstanceOf(SendReceipt.NotSent.class);
    }

    @Test
    void aReversal_undoesAPaidCredit_andAnUnknownOriginalIsNotFound() {
        IsoBankAdapter bank = started();
        Dispatch credit = dispatch("OC000000000100000006", 1_000, 1);
        await(bank.send(credit));
        assertThat(await(bank.reverse(credit))).isEqualTo(new ReversalAnswer.Reversed("00"));
        assertThat(await(bank.inquire(credit))).isEqualTo(new InquiryAnswer.NotFound());
        assertThat(await(bank.reverse(dispatch("OC000000000100000007", 1_000, 1)))).isEqualTo(new ReversalAnswer.OriginalNotFound());
    }

    @Test
    void verification_isValid_orInvalidWithItsCode_orUnknownWhenBusy() {
        IsoBankAdapter bank = started();
        Dispatch item = dispatch("OC000000000100000008", 1_100, 1);
        assertThat(await(bank.verify(item))).isEqualTo(new AccountCheck.Valid());
        host.verificationCode = "B1";
        assertThat(await(bank.verify(item))).isEqualTo(new AccountCheck.Invalid(BankOutcome.BANK_NAME_MISMATCH, "B1"));
        host.verificationCode = "C1";
        assertThat(await(bank.verify(item))).isInstanceOf(AccountCheck.Unknown.class);
        assertThat(host.paid).as("verification moves no money").isEmpty();
    }

    private IsoBankAdapter asciiBank(Duration requestTimeout) {
        Dialect ascii = Dialects.builtIn().get("agent-ascii87");
        SymmetricKey tdesKey = SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789ABCDEFFEDCBA9876543210");
        host = new Host(ascii);
        server = IsoServer.start(new IsoServer.Config(ascii).bind(new InetSocketAddress("127.0.0.1", 0))
                .macKeys(MacKeys.single(tdesKey)), (request, peer) -> host.handle(request));
        IsoBankAdapter bank = adapterFor(ascii, server.address(), tdesKey, requestTimeout);
        assertThat(bank.awaitConnected(Duration.ofSeconds(5))).isTrue();
        return bank;
    }

    @Test
    void theAsciiDialect_paysInquiresAndReverses_underTheSameRrn_naming90AsTheCreditWent() {
        IsoBankAdapter bank = asciiBank(Duration.ofMillis(300));
        host.loseCreditAnswers = true;
        Dispatch credit = dispatch("OC000000000100000020", 1_300, 1);
        assertThat(await(bank.send(credit))).isInstanceOf(SendReceipt.Unknown.class);
        assertThat(await(bank.inquire(credit))).isEqualTo(new InquiryAnswer.Found(List.of(new ItemOutcome(
                "OC000000000100000020", BankOutcome.PAID, "00", 1_300))));

        assertThat(await(bank.reverse(credit))).isEqualTo(new ReversalAnswer.Reversed("00"));

        IsoMessage original = host.credited.getFirst();
        IsoMessage reversal = host.reversals.getFirst();
        assertThat(reversal.get(37)).isEqualTo(original.get(37));
        assertThat(reversal.get("90.1")).isEqualTo("0200");
        assertThat(reversal.get("90.2")).as("the credit's trace").isEqualTo(original.get(11));
        assertThat(reversal.get("90.3")).as("its transmission time").isEqualTo(original.get(7));
        assertThat(reversal.get("90.4")).as("our acquirer id, in 11 digits").isEqualTo("00041030000");
        assertThat(reversal.get("90.5")).as("no forwarder").isEqualTo("00000000000");
        assertThat(reversal.get(11)).as("a trace of its own").isNotEqualTo(original.get(11));
        assertThat(host.paid).hasSize(1);
    }

    @Test
    void anAsciiReversalOfACreditThisNodeDidNotSend_isUnknown_andNotSentWithAMadeUp90() {
        IsoBankAdapter bank = asciiBank(Duration.ofSeconds(5));

        ReversalAnswer answer = await(bank.reverse(dispatch("OC000000000100000021", 1_300, 1)));

        assertThat(answer).isInstanceOf(ReversalAnswer.Unknown.class);
        assertThat(host.reversals).isEmpty();
    }

    @Test
    void aReferenceAnRrnCannotCarry_isNotEncodable_andNothingIsSent() {
        IsoBankAdapter bank = started();
        SendReceipt receipt = await(bank.send(dispatch("XY000000000100000009", 1_200, 1)));
        assertThat(receipt).isInstanceOf(SendReceipt.NotEncodable.class);
        assertThat(host.credits).hasValue(0);
    }
}
