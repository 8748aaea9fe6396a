package cn.onecard.adapters.iso8583;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.BankReport;
import cn.onecard.adapters.Dispatch;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Answers that come after their exchange timed out: a late approval or refusal of a credit, and a
 * late approval of a reversal, become reports of the item's dispatch, handed over by collect() once
 * taken; anything that does not settle the item (busy) is left to the inquiry.
 */
class IsoBankLateAnswersTest {

    private static final Dialect BCD = Dialects.builtIn().get("agent-bcd");
    private static final SymmetricKey TEST_MAK = SymmetricKey.fromHex(KeyAlgorithm.SM4, "0123456789ABCDEFFEDCBA9876543210");
    private static final Duration TIMEOUT = Duration.ofMillis(200);
    /** How long the host sits on each answer: past the adapter's timeout. */
    private static final long ANSWER_DELAY_MILLIS = 500;

    private volatile String creditCode = "00";
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

    private IsoBankAdapter slowBank() {
        server = IsoServer.start(new IsoServer.Config(BCD).bind(new InetSocketAddress("127.0.0.1", 0))
                .macKeys(MacKeys.single(TEST_MAK)), (request, peer) -> {
                    Thread.sleep(ANSWER_DELAY_MILLIS);
                    return BCD.responseTo(request).set(39, request.mti().equals("0200") ? creditCode : "00");
                });
        adapter = new IsoBankAdapter(new IsoBankConfig("ISO", BCD, server.address(), TEST_MAK, "ONECARD1", "ONECARD00000001",
                "41030000", "4103000001", 1, 64, TIMEOUT, Duration.ZERO, false, true, 0, Duration.ofMinutes(1), null,
                Duration.ZERO), Clock.systemUTC());
        assertThat(adapter.awaitConnected(Duration.ofSeconds(5))).isTrue();
        return adapter;
    }

    private static Dispatch dispatch(String reference, long amountFen) {
        return new Dispatch("D" + reference.substring(2), "ISO", LocalDate.of(2026, 12, 7), 1,
                List.of(new PaymentInstruction(reference, "6228480402564890018", "张三", "11010519491231002X", amountFen, "P29")));
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
    }

    private List<BankReport> collected(IsoBankAdapter bank, int count) {
        return collected(bank, count, Duration.ofSeconds(10));
    }

    /** Collects until {@code count} reports came, or the wait is over. */
    private List<BankReport> collected(IsoBankAdapter bank, int count, Duration wait) {
        List<BankReport> reports = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (reports.size() < count && System.nanoTime() < deadline) {
            bank.collect(reports::add);
            Thread.onSpinWait();
        }
        return reports;
    }

    @Test
    void aLateApproval_isReportedOnce_forTheCreditsDispatch() {
        IsoBankAdapter bank = slowBank();
        Dispatch credit = dispatch("OC000000000300000001", 4_200);

        assertThat(await(bank.send(credit))).isInstanceOf(SendReceipt.Unknown.class);
        List<BankReport> reports = collected(bank, 1);

        assertThat(reports).singleElement().isInstanceOfSatisfying(BankReport.Results.class, results -> {
            assertThat(results.dispatchId()).isEqualTo(credit.dispatchId());
            assertThat(results.outcomes()).containsExactly(new ItemOutcome("OC000000000300000001", BankOutcome.PAID, "00", 4_200));
            assertThat(results.source()).contains("late credit answer");
        });
        List<BankReport> again = new ArrayList<>();
        bank.collect(again::add);
        assertThat(again).as("handed over once taken").isEmpty();
    }

    @Test
    void aLateRefusal_isReportedWithItsCode_andABusyAnswer_isLeftToTheInquiry() {
        IsoBankAdapter bank = slowBank();
        creditCode = "B2";
        assertThat(await(bank.send(dispatch("OC000000000300000002", 500)))).isInstanceOf(SendReceipt.Unknown.class);
        List<BankReport> refused = collected(bank, 1);
        creditCode = "C2";
        assertThat(await(bank.send(dispatch("OC000000000300000003", 600)))).isInstanceOf(SendReceipt.Unknown.class);
        List<BankReport> busy = collected(bank, 1, Duration.ofMillis(3 * ANSWER_DELAY_MILLIS));

        assertThat(refused).singleElement().isInstanceOfSatisfying(BankReport.Results.class, results -> assertThat(
                results.outcomes()).containsExactly(new ItemOutcome("OC000000000300000002", BankOutcome.BANK_ACCOUNT_CLOSED, "B2", 500)));
        assertThat(busy).as("busy proves nothing of an unclear credit").isEmpty();
    }

    @Test
    void aReportTheGatewayCouldNotTake_isOfferedAgain() {
        IsoBankAdapter bank = slowBank();
        await(bank.send(dispatch("OC000000000300000004", 700)));
        List<BankReport> failedOnce = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (failedOnce.isEmpty() && System.nanoTime() < deadline) {
            bank.collect(report -> {
                failedOnce.add(report);
                throw new IllegalStateException("the ledger is down");
            });
        }

        List<BankReport> taken = collected(bank, 1);

        assertThat(taken).containsExactlyElementsOf(failedOnce);
    }

    @Test
    void aLateApprovalOfAReversal_reportsThePaymentReversed() {
        IsoBankAdapter bank = slowBank();
        Dispatch credit = dispatch("OC000000000300000005", 800);
        await(bank.send(credit));
        collected(bank, 1);

        assertThat(await(bank.reverse(credit))).isInstanceOf(ReversalAnswer.Unknown.class);
        List<BankReport> reports = collected(bank, 1);

        assertThat(reports).singleElement().isInstanceOfSatisfying(BankReport.Results.class, results -> assertThat(
                results.outcomes()).containsExactly(new ItemOutcome("OC000000000300000005", BankOutcome.BANK_PAYMENT_REVERSED,
                "00", 800)));
    }
}
