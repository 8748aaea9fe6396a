package cn.onecard.gateway.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.adapters.AccountCheck;
import cn.onecard.adapters.BankCapabilities;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.testing.InMemoryOnlineBank.QueryFault;
import cn.onecard.adapters.testing.InMemoryOnlineBank.SendFault;
import cn.onecard.adapters.testing.InMemoryOnlineBank;
import cn.onecard.gateway.ledger.AccountCheckCache;
import cn.onecard.gateway.ledger.BankReferences;
import cn.onecard.gateway.ledger.Leases;
import cn.onecard.gateway.testing.Ledger.Item;
import cn.onecard.gateway.testing.Ledger;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An online bank's cycle, alone, through the adapter contract and an in-memory online bank that keeps
 * its own books: answers reach the ledger without pretending to be files; an unclear credit is settled
 * by inquiry, then reversal where the bank has it, and only a definite "not found" sends the same
 * reference again; a bank without either gives the item up as UNKNOWN, never resending it; accounts
 * are verified before any credit where the bank verifies; many credits are in flight at once within
 * the bank's limits. The bank's ledger audits every test: nothing is paid twice.
 */
class OnlineBankCycleTest {

    private static Ledger ledger;

    @BeforeAll
    static void startLedger() {
        ledger = Ledger.start();
    }

    @AfterAll
    static void stopLedger() {
        ledger.close();
    }

    private static String code() {
        return "N" + Long.toString(System.nanoTime() % 1_000_000, 36).toUpperCase();
    }

    /** Submits items for the online bank's BIN and routes them to {@code bank}. */
    private static String submit(InMemoryOnlineBank bank, long... amounts) {
        Item[] items = new Item[amounts.length];
        for (int i = 0; i < amounts.length; i++) {
            items[i] = Item.on(Ledger.ONLINE_BIN, amounts[i]);
        }
        String batchId = ledger.submit(items);
        ledger.routeTo(batchId, bank.bankCode());
        return batchId;
    }

    private static void run(BankCycle cycle) throws Exception {
        assertThat(cycle.runOnce()).isTrue();
    }

    private static List<String> operations(InMemoryOnlineBank bank) {
        return bank.operations().stream().map(operation -> operation.replaceAll(" \\S+", "")).toList();
    }

    /** The ledger agrees with the bank's books, and no credit was asked twice of a reference the bank holds. */
    private static void auditedByTheBank(InMemoryOnlineBank bank) {
        ledger.auditThroughTheBanksBooks(bank.bankCode(), bank.paidByReference());
        assertThat(bank.creditsRequestedAgain()).as("credits asked again of a reference the bank holds").isZero();
    }

    @Test
    void answers_settleItemsInTheSameCycle_withoutAnyResultFile() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, true, false, 4, 0));
        bank.outcomes(instruction -> instruction.amountFen() == 2_200 ? BankOutcome.BANK_ACCOUNT_FROZEN : BankOutcome.PAID);
        String batchId = submit(bank, 2_000, 2_200);

        run(ledger.cycle(bank));

        assertThat(ledger.itemStates(batchId)).containsExactly("PAID:PAID", "FAILED:BANK_ACCOUNT_FROZEN");
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("SETTLED", "SETTLED");
        assertThat(ledger.count("select count(*) from result_files where bank_code = ?", bank.bankCode())).isZero();
        assertThat(ledger.batchState(batchId)).isEqualTo("COMPLETED");
        assertThat(ledger.entitledSeqs(batchId)).containsExactly(1);
        auditedByTheBank(bank);
    }

    @Test
    void aCreditWhoseAnswerWasLost_isSettledByInquiry_neverByASecondCredit() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, true, true, 4, 0));
        BankCycle cycle = ledger.cycle(bank);
        bank.scriptSends(SendFault.LOST_ANSWER);
        String batchId = submit(bank, 3_000);

        run(cycle);
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("INQUIRING");
        assertThat(ledger.itemStates(batchId)).as("still dispatched while the bank is asked").containsOnly("DISPATCHED:");
        run(cycle);
        assertThat(operations(bank)).as("no inquiry before the bank's deadline").containsExactly("send");
        ledger.clock().advance(bank.capabilities().resultDeadline());
        run(cycle);

        assertThat(operations(bank)).containsExactly("send", "inquire");
        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("SETTLED");
        assertThat(bank.creditsMade()).isEqualTo(1);
        auditedByTheBank(bank);
    }

    @Test
    void aCreditTheBankNeverGot_isFoundMissingByInquiry_andSentAgainUnderTheSameReference() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, true, false, 4, 0));
        BankCycle cycle = ledger.cycle(bank);
        bank.scriptSends(SendFault.LOST_REQUEST);
        String batchId = submit(bank, 3_100);

        run(cycle);
        ledger.clock().advance(bank.capabilities().resultDeadline());
        run(cycle); // not found: the same reference again, at once
        run(cycle);

        assertThat(operations(bank)).containsExactly("send", "inquire", "send");
        assertThat(bank.operations().get(2)).endsWith("#2");
        assertThat(bank.operations().get(0).split(" ")[1]).isEqualTo(bank.operations().get(2).split(" ")[1]);
        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        auditedByTheBank(bank);
    }

    @Test
    void inquiriesThatGetNoAnswer_leadToAReversal_whichFailsTheItemAndReleasesIt() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, true, true, 4, 0));
        BankCycle cycle = ledger.cycle(bank);
        bank.scriptSends(SendFault.LOST_ANSWER);
        bank.scriptInquiries(QueryFault.UNANSWERED, QueryFault.UNANSWERED);
        String batchId = submit(bank, 3_200);

        run(cycle);
        ledger.clock().advance(bank.capabilities().resultDeadline());
        run(cycle); // first inquiry: no answer
        ledger.clock().advance(Ledger.SETTINGS.retryPause());
        run(cycle); // second: no answer either, so the payment is reversed
        run(cycle);

        assertThat(operations(bank)).containsExactly("send", "inquire", "inquire", "reverse");
        assertThat(ledger.itemStates(batchId)).containsOnly("FAILED:BANK_PAYMENT_REVERSED");
        assertThat(ledger.entitledSeqs(batchId)).isEmpty();
        assertThat(bank.paidByReference().values()).as("credited, then reversed").containsOnly(0L);
        auditedByTheBank(bank);
    }

    /** Two resends allowed, and a short wait for the bank: an answer can come after the cycle stopped waiting. */
    private static final BankCycle.Settings SHORT_WAIT = new BankCycle.Settings(Duration.ofSeconds(30), Duration.ofMinutes(1),
            2, 5, 1, Duration.ofMillis(300), 1_000, Duration.ofMinutes(15));

    @Test
    void anInquiryAnswerThatComesAfterALaterSend_isStale_andNeverSendsTheCreditAgain() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, true, false, 4, 0));
        BankCycle cycle = ledger.cycle(bank, SHORT_WAIT, "test-node");
        bank.scriptSends(SendFault.LOST_REQUEST, SendFault.LOST_ANSWER);
        String batchId = submit(bank, 3_600);

        run(cycle); // send #1 is lost on its way
        ledger.clock().advance(bank.capabilities().resultDeadline());
        bank.holdQueryAnswers(true);
        run(cycle); // the bank answers "not found" about #1, after the cycle stopped waiting: unanswered
        bank.holdQueryAnswers(false);
        run(cycle);
        assertThat(operations(bank)).as("no second question while the first is open, before the pause")
                .containsExactly("send", "inquire");
        ledger.clock().advance(SHORT_WAIT.retryPause());
        run(cycle); // asked again: "not found", so #2 is due
        run(cycle); // send #2: credited, its answer lost
        assertThat(bank.operations()).hasSize(4).last().asString().endsWith("#2");
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("INQUIRING");

        bank.releaseQueryAnswers(); // "not found", true of #1 only, arrives now
        assertThat(ledger.dispatchStates(bank.bankCode())).as("an answer about an earlier send changes nothing")
                .containsExactly("INQUIRING");
        run(cycle);
        ledger.clock().advance(bank.capabilities().resultDeadline());
        run(cycle);

        assertThat(operations(bank)).containsExactly("send", "inquire", "inquire", "send", "inquire");
        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        assertThat(bank.creditsMade()).isEqualTo(1);
        auditedByTheBank(bank);
    }

    @Test
    void aReversalAnsweredAfterTheCycleStoppedWaiting_stillFailsTheItem_onTheBanksLateWord() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, false, true, 4, 0));
        BankCycle cycle = ledger.cycle(bank, SHORT_WAIT, "test-node");
        bank.scriptSends(SendFault.LOST_ANSWER);
        String batchId = submit(bank, 3_650);

        run(cycle); // credited, its answer lost
        ledger.clock().advance(bank.capabilities().resultDeadline());
        bank.holdQueryAnswers(true);
        run(cycle); // the bank reverses the credit; its answer outlives the cycle's wait, the only reversal allowed
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("GIVEN_UP");
        assertThat(ledger.itemStates(batchId)).containsOnly("UNKNOWN:BANK_OUTCOME_UNKNOWN");
        bank.releaseQueryAnswers();

        assertThat(ledger.itemStates(batchId)).containsOnly("FAILED:BANK_PAYMENT_REVERSED");
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("SETTLED");
        assertThat(ledger.entitledSeqs(batchId)).as("a reversed item's entitlement is released").isEmpty();
        assertThat(operations(bank)).containsExactly("send", "reverse");
        auditedByTheBank(bank);
    }

    @Test
    void aCreditAnsweredAfterItWasRecordedInterrupted_isSettledByTheLateAnswer() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, false, false, 4, 0));
        BankCycle cycle = ledger.cycle(bank, SHORT_WAIT, "test-node");
        String batchId = submit(bank, 3_700);
        bank.holdAnswers(true);

        run(cycle); // credited; the answer outlives the cycle's wait
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("GIVEN_UP");
        assertThat(ledger.itemStates(batchId)).containsOnly("UNKNOWN:BANK_OUTCOME_UNKNOWN");
        bank.releaseAnswers();

        assertThat(ledger.itemStates(batchId)).as("the bank's own word, late, still settles the item").containsOnly("PAID:PAID");
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("SETTLED");
        assertThat(operations(bank)).containsExactly("send");
        auditedByTheBank(bank);
    }

    /** Inquiries without end, a limit of ten minutes on an unclear payment. */
    private static final BankCycle.Settings UNCLEAR_TEN_MINUTES = new BankCycle.Settings(Duration.ofSeconds(30),
            Duration.ofMinutes(1), 2, 100, 1, Duration.ofSeconds(30), 1_000, Duration.ofMinutes(10));

    @Test
    void aPaymentUnclearPastTheLimit_isReportedUnknownWithAnAlert_andNeverGuessed() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, true, false, 4, 0));
        BankCycle cycle = ledger.cycle(bank, UNCLEAR_TEN_MINUTES, "test-node");
        bank.scriptSends(SendFault.LOST_ANSWER);
        QueryFault[] silent = new QueryFault[20];
        Arrays.fill(silent, QueryFault.UNANSWERED);
        bank.scriptInquiries(silent);
        String batchId = submit(bank, 3_250);

        run(cycle); // credited, its answer lost: unclear from now
        ledger.clock().advance(bank.capabilities().resultDeadline());
        for (int minute = 0; minute < 8; minute++) {
            run(cycle);
            ledger.clock().advance(UNCLEAR_TEN_MINUTES.retryPause());
        }
        assertThat(ledger.dispatchStates(bank.bankCode())).as("inside the limit it is still asked").containsExactly("INQUIRING");
        assertThat(ledger.itemStates(batchId)).containsOnly("DISPATCHED:");
        int asked = bank.operations().size();
        ledger.clock().advance(Duration.ofMinutes(2));
        run(cycle);

        assertThat(bank.operations()).as("past the limit nothing more is asked").hasSize(asked);
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("GIVEN_UP");
        assertThat(ledger.itemStates(batchId)).containsOnly("UNKNOWN:BANK_UNCLEAR_PAST_LIMIT");
        assertThat(ledger.reports(batchId).values()).singleElement().asList().containsExactly("UNKNOWN:BANK_UNCLEAR_PAST_LIMIT");
        assertThat(ledger.count("select count(*) from alerts where kind = 'OUTCOME_UNKNOWN' and bank_code = ?", bank.bankCode()))
                .isEqualTo(1);
        assertThat(ledger.entitledSeqs(batchId)).as("an unknown item keeps its entitlement").hasSize(1);
        ledger.clock().advance(Duration.ofHours(1));
        run(cycle);
        assertThat(bank.operations()).hasSize(asked);
        assertThat(bank.creditsMade()).as("credited once, and only the bank's word will say so").isEqualTo(1);
        auditedByTheBank(bank);
    }

    @Test
    void theUnclearClock_startsAgainWhenTheBankSaysItHasNothing() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, true, false, 4, 0));
        BankCycle cycle = ledger.cycle(bank, UNCLEAR_TEN_MINUTES, "test-node");
        bank.scriptSends(SendFault.LOST_REQUEST, SendFault.LOST_ANSWER);
        String batchId = submit(bank, 3_270);
        String since = "select unclear_since from dispatches where bank_code = ?";
        Function<String, List<Timestamp>> unclearSince = sql -> ledger.jdbc().query(sql,
                (row, index) -> row.getTimestamp(1), bank.bankCode());

        run(cycle); // lost on its way: unclear
        Timestamp first = unclearSince.apply(since).getFirst();
        assertThat(first).isNotNull();
        ledger.clock().advance(Duration.ofMinutes(9));
        run(cycle); // not found: no longer unclear, sent again at once
        run(cycle); // credited, its answer lost: unclear again, from now
        Timestamp second = unclearSince.apply(since).getFirst();
        assertThat(second).isNotNull().isNotEqualTo(first);
        ledger.clock().advance(Duration.ofMinutes(5));
        run(cycle); // fourteen minutes after the first send, five after the second: inquired, found paid

        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        assertThat(unclearSince.apply(since)).containsOnly((Timestamp) null);
        auditedByTheBank(bank);
    }

    @Test
    void aBankWithoutInquiryOrReversal_givesAnUnclearCreditUpAsUnknown_andNeverSendsItAgain() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, false, false, 4, 0));
        BankCycle cycle = ledger.cycle(bank);
        bank.scriptSends(SendFault.LOST_REQUEST);
        String batchId = submit(bank, 3_300);

        run(cycle);
        ledger.clock().advance(Duration.ofDays(1));
        run(cycle);

        assertThat(operations(bank)).containsExactly("send");
        assertThat(ledger.itemStates(batchId)).containsOnly("UNKNOWN:BANK_OUTCOME_UNKNOWN");
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("GIVEN_UP");
        assertThat(ledger.count("select count(*) from alerts where kind = 'OUTCOME_UNKNOWN' and bank_code = ?", bank.bankCode()))
                .isEqualTo(1);
        assertThat(ledger.entitledSeqs(batchId)).as("an unknown item keeps its entitlement").hasSize(1);
        auditedByTheBank(bank);
    }

    @Test
    void aDuplicateTransmissionAnswer_isSettledByInquiry() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, true, false, 4, 0));
        BankCycle cycle = ledger.cycle(bank);
        bank.scriptSends(SendFault.DUPLICATE_ANSWER);
        String batchId = submit(bank, 3_400);

        run(cycle);
        assertThat(ledger.itemStates(batchId)).containsOnly("DISPATCHED:");
        ledger.clock().advance(bank.capabilities().resultDeadline());
        run(cycle);

        assertThat(operations(bank)).containsExactly("send", "inquire");
        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        auditedByTheBank(bank);
    }

    @Test
    void aBusyBank_isSentTheSameReferenceAgainAfterThePause() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, true, false, 4, 0));
        BankCycle cycle = ledger.cycle(bank);
        bank.scriptSends(SendFault.BUSY, SendFault.NOT_SENT);
        String batchId = submit(bank, 3_500);

        run(cycle);
        ledger.clock().advance(Ledger.SETTINGS.retryPause());
        run(cycle);
        ledger.clock().advance(Ledger.SETTINGS.retryPause());
        run(cycle);

        assertThat(operations(bank)).containsExactly("send", "send", "send");
        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        auditedByTheBank(bank);
    }

    @Test
    void accountsTheBankRefuses_failWithTheirOwnCode_andNoCreditIsSent() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(true, true, false, 4, 0));
        BankCycle cycle = ledger.cycle(bank);
        bank.accounts(instruction -> switch ((int) instruction.amountFen()) {
            case 4_100 -> new AccountCheck.Invalid(BankOutcome.BANK_NAME_MISMATCH, "14");
            case 4_200 -> new AccountCheck.Unknown("scripted: no answer");
            default -> new AccountCheck.Valid();
        });
        String batchId = submit(bank, 4_000, 4_100, 4_200);

        run(cycle);

        assertThat(ledger.itemStates(batchId)).containsExactly("PAID:PAID", "FAILED:BANK_NAME_MISMATCH", "DISPATCHED:");
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("SETTLED", "ABANDONED", "PREPARED");
        // the three are verified together (their answers recorded in one transaction); the one valid is credited after
        assertThat(operations(bank)).as("verified, and only the valid account credited")
                .containsExactlyInAnyOrder("verify", "send", "verify", "verify").first().isEqualTo("verify");
        bank.accounts(instruction -> new AccountCheck.Valid());
        ledger.clock().advance(Ledger.SETTINGS.retryPause());
        run(cycle);
        assertThat(ledger.itemStates(batchId)).containsExactly("PAID:PAID", "FAILED:BANK_NAME_MISMATCH", "PAID:PAID");
        auditedByTheBank(bank);
    }

    @Test
    void manyCredits_areInFlightAtOnce_upToTheBanksLimitAndNoMore() throws Exception {
        int window = 4;
        int credits = window * 3;
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, true, false, window, 0));
        bank.holdAnswers(true);
        long[] amounts = new long[credits];
        Arrays.fill(amounts, 5_000);
        String batchId = submit(bank, amounts);
        BankCycle cycle = ledger.cycle(bank);

        java.util.concurrent.CompletableFuture<Boolean> running = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return cycle.runOnce();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        // the bank answers nothing until told: the cycle starts the first four and waits for a free place
        assertThat(bank.awaitSends(window, Duration.ofSeconds(30))).isTrue();
        for (int sent = window; sent < credits; sent++) {
            assertThat(bank.releaseOldestAnswer()).isTrue();
            assertThat(bank.awaitSends(sent + 1, Duration.ofSeconds(30))).as("a freed place takes the next credit").isTrue();
        }
        bank.releaseAnswers();
        assertThat(running.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        assertThat(bank.mostAnswersHeld()).as("the declared in-flight limit, reached and never passed").isEqualTo(window);
        assertThat(ledger.itemStates(batchId)).hasSize(credits).containsOnly("PAID:PAID");
        auditedByTheBank(bank);
    }

    @Test
    void theBanksDeclaredRate_limitsHowManyAreStartedPerPeriod() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), new BankCapabilities(BankCapabilities.Mode.ONLINE, false, true,
                false, 1, 3, 8, List.of(), Duration.ofSeconds(30)));
        String batchId = submit(bank, 6_000, 6_001, 6_002, 6_003, 6_004);
        BankCycle cycle = new BankCycle(bank, ledger.dispatches(), ledger.reports(bank, Ledger.SETTINGS),
                new Leases(ledger.dataSource(), "test-node"), ledger.clock(), Ledger.ZONE,
                Ledger.SETTINGS, Duration.ofHours(1));

        run(cycle);

        assertThat(operations(bank)).as("three per period, the rest wait").hasSize(3);
        assertThat(ledger.itemStates(batchId)).filteredOn(state -> state.startsWith("PAID")).hasSize(3);
        auditedByTheBank(bank);
    }

    @Test
    void anAnswerNamingAnotherAmount_isNotTrusted_andSettledByInquiry() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, true, false, 4, 0));
        BankCycle cycle = ledger.cycle(bank);
        bank.scriptSends(SendFault.ANSWER_WITH_ANOTHER_AMOUNT);
        String batchId = submit(bank, 7_000);

        run(cycle);
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("INQUIRING");
        ledger.clock().advance(bank.capabilities().resultDeadline());
        run(cycle);
        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        assertThat(operations(bank)).containsExactly("send", "inquire");
        auditedByTheBank(bank);
    }

    @Test
    void anAdapterThatThrows_leavesTheCreditUnclear_neverNotSent() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, true, false, 4, 0));
        BankCycle cycle = ledger.cycle(bank);
        bank.scriptSends(SendFault.THROWS_AFTER_CREDIT);
        String batchId = submit(bank, 7_100);

        run(cycle);
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("INQUIRING");
        ledger.clock().advance(bank.capabilities().resultDeadline());
        run(cycle);
        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        assertThat(bank.creditsMade()).isEqualTo(1);
        assertThat(operations(bank)).containsExactly("send", "inquire");
        auditedByTheBank(bank);
    }

    @Test
    void whileTheBanksCircuitIsOpen_noNewCreditStarts_butAnUnclearOneIsStillInquired() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, true, false, 4, 0));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        GuardedBank guarded = new GuardedBank(bank, CircuitBreaker.ofDefaults(bank.bankCode()), meters);
        BankCycle cycle = ledger.cycle(guarded);
        bank.scriptSends(SendFault.LOST_ANSWER);
        String unclear = submit(bank, 3_300);
        run(cycle);
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("INQUIRING");

        guarded.circuit().transitionToForcedOpenState();
        String waiting = submit(bank, 3_400);
        ledger.clock().advance(bank.capabilities().resultDeadline());
        run(cycle);
        assertThat(operations(bank)).as("the unclear credit inquired, no new one started").containsExactly("send", "inquire");
        assertThat(ledger.itemStates(unclear)).containsOnly("PAID:PAID");
        assertThat(ledger.itemStates(waiting)).as("waits for the circuit").containsOnly("DISPATCHED:");

        guarded.circuit().transitionToClosedState();
        run(cycle);
        assertThat(operations(bank)).containsExactly("send", "inquire", "send");
        assertThat(ledger.itemStates(waiting)).containsOnly("PAID:PAID");
        assertThat(meters.get("onecard.bank.operations").tag("operation", "send").tag("answer", "unknown").counter().count())
                .isEqualTo(1);
        assertThat(meters.get("onecard.bank.operations").tag("operation", "send").tag("answer", "answered").counter().count())
                .isEqualTo(1);
        auditedByTheBank(bank);
    }

    @Test
    void sendsThatProveNothing_openTheCircuit_andAnsweredOnesCloseItAgain() {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(false, true, false, 4, 0));
        CircuitBreaker circuit = CircuitBreaker.of(bank.bankCode(), CircuitBreakerConfig.custom().slidingWindowSize(4)
                .minimumNumberOfCalls(4).failureRateThreshold(50).permittedNumberOfCallsInHalfOpenState(2)
                .waitDurationInOpenState(java.time.Duration.ofMillis(1)).build());
        GuardedBank guarded = new GuardedBank(bank, circuit, new SimpleMeterRegistry());
        for (int i = 0; i < 4; i++) {
            bank.scriptSends(SendFault.LOST_ANSWER);
            guarded.send(new cn.onecard.adapters.Dispatch("D" + i, bank.bankCode(), java.time.LocalDate.of(2026, 12, 7), 1,
                    java.util.List.of(new cn.onecard.adapters.PaymentInstruction("OC0000000009" + String.format("%08d", i),
                            "6228480402564890018", "张三", "11010519491231002X", 100, "P29")))).toCompletableFuture().join();
        }
        assertThat(guarded.circuitOpen()).as("four unknown sends of four").isTrue();
        circuit.transitionToHalfOpenState();
        assertThat(guarded.circuitOpen()).isFalse();
        for (int i = 4; i < 6; i++) {
            guarded.send(new cn.onecard.adapters.Dispatch("D" + i, bank.bankCode(), java.time.LocalDate.of(2026, 12, 7), 1,
                    java.util.List.of(new cn.onecard.adapters.PaymentInstruction("OC0000000009" + String.format("%08d", i),
                            "6228480402564890018", "张三", "11010519491231002X", 100, "P29")))).toCompletableFuture().join();
        }
        assertThat(circuit.getState()).as("two answered probes").isEqualTo(CircuitBreaker.State.CLOSED);
    }

    /** The instruction of item {@code seq} of the batch, as the bank would be told it. */
    private static PaymentInstruction instruction(String batchId, int seq) {
        return ledger.jdbc().queryForObject("select i.batch_pk, i.card_number, i.holder_name, i.id_number, i.amount_fen, "
                + "b.program_code from items i join batches b using (batch_pk) where b.batch_id = ? and i.seq = ?",
                (row, n) -> new PaymentInstruction(BankReferences.of(row.getLong(1), seq), row.getString(2), row.getString(3),
                        row.getString(4), row.getLong(5), row.getString(6)), batchId, seq);
    }

    private static BankCycle cycleKeepingAccountChecks(InMemoryOnlineBank bank, AccountCheckCache checks) {
        return new BankCycle(bank, ledger.dispatches(), ledger.reports(bank, Ledger.SETTINGS),
                new Leases(ledger.dataSource(), "test-node"), ledger.clock(), Ledger.ZONE, Ledger.SETTINGS, checks,
                Duration.ofMinutes(10));
    }

    @Test
    void anAccountTheBankAnsweredLately_isNotAskedAgain_andItsRefusalStands() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(true, true, false, 4, 0));
        AccountCheckCache checks = new AccountCheckCache(ledger.dataSource(), ledger.clock());
        BankCycle cycle = cycleKeepingAccountChecks(bank, checks);
        String batchId = submit(bank, 7_000, 7_100, 7_200);
        // the bank's word on two of the accounts, a moment ago: valid, and the holder's name does not match
        checks.remember(bank.bankCode(), Map.of(instruction(batchId, 1), new AccountCheck.Valid(),
                instruction(batchId, 2), new AccountCheck.Invalid(BankOutcome.BANK_NAME_MISMATCH, "14")));

        run(cycle);

        assertThat(ledger.itemStates(batchId)).containsExactly("PAID:PAID", "FAILED:BANK_NAME_MISMATCH", "PAID:PAID");
        assertThat(operations(bank)).as("only the third account asked about; the refused one never credited")
                .containsExactlyInAnyOrder("send", "verify", "send");
        assertThat(checks.fresh(bank.bankCode(), Map.of(3, instruction(batchId, 3)), Duration.ofMinutes(10)))
                .as("the bank's answer on the third is kept").containsEntry(3, new AccountCheck.Valid());
        assertThat(ledger.count("select count(*) from dispatch_events e join dispatches d using (dispatch_pk) "
                + "where d.bank_code = ? and e.detail like 'accounts known from the bank''s earlier answer%'", bank.bankCode()))
                .as("the ledger says which were not asked").isEqualTo(1);
        auditedByTheBank(bank);
    }

    @Test
    void anAccountAnsweredLongerAgoThanTheKeptTime_isAskedAgain_andAnUnclearAnswerIsNotKept() throws Exception {
        InMemoryOnlineBank bank = new InMemoryOnlineBank(code(), InMemoryOnlineBank.capabilities(true, true, false, 4, 0));
        AccountCheckCache checks = new AccountCheckCache(ledger.dataSource(), ledger.clock());
        BankCycle cycle = cycleKeepingAccountChecks(bank, checks);
        bank.accounts(instruction -> instruction.amountFen() == 7_600 ? new AccountCheck.Unknown("scripted: no answer")
                : new AccountCheck.Valid());
        String batchId = submit(bank, 7_500, 7_600);
        checks.remember(bank.bankCode(), Map.of(instruction(batchId, 1), new AccountCheck.Valid()));
        ledger.clock().advance(Duration.ofMinutes(11));

        run(cycle);

        assertThat(operations(bank)).as("the stale answer is not trusted: asked again").containsExactlyInAnyOrder("verify",
                "send", "verify");
        assertThat(checks.fresh(bank.bankCode(), Map.of(2, instruction(batchId, 2)), Duration.ofMinutes(10))).isEmpty();
        assertThat(ledger.itemStates(batchId)).containsExactly("PAID:PAID", "DISPATCHED:");
    }
}
