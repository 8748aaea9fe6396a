package cn.onecard.gateway.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.BankReport;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.testing.InMemoryFileBank.Fault;
import cn.onecard.adapters.testing.InMemoryFileBank;
import cn.onecard.gateway.ledger.DispatchEvent;
import cn.onecard.gateway.ledger.DispatchWriter;
import cn.onecard.gateway.testing.Ledger.Item;
import cn.onecard.gateway.testing.Ledger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batch-file bank's cycle, alone: the real ledger in an embedded PostgreSQL, an in-memory file bank
 * that keeps its own books, the clock moved by the test, each cycle run by the test. Whatever the
 * bank does, every item is paid at most once (the bank's own ledger says so), an unclear or overdue
 * file is sent again as it is, and giving up, refusals and unencodable items are transitions of
 * their own.
 */
class FileBankCycleTest {

    private static final Duration DEADLINE = Duration.ofHours(2);
    private static Ledger ledger;

    private InMemoryFileBank bank;
    private BankCycle cycle;

    @BeforeAll
    static void startLedger() {
        ledger = Ledger.start();
    }

    @AfterAll
    static void stopLedger() {
        ledger.close();
    }

    @BeforeEach
    void freshBank() {
        // each test its own bank code: the ledger is shared, the banks' dispatches are not
        String code = "F" + Long.toString(System.nanoTime() % 1_000_000, 36).toUpperCase();
        bank = new InMemoryFileBank(code, 1_000, DEADLINE);
        cycle = ledger.cycle(bank);
    }

    /** Submits LYB items and routes them to this test's bank. */
    private String submit(long... amounts) {
        Item[] items = new Item[amounts.length];
        for (int i = 0; i < amounts.length; i++) {
            items[i] = Item.on(Ledger.LYB_BIN, amounts[i]);
        }
        String batchId = ledger.submit(items);
        ledger.routeTo(batchId, bank.bankCode());
        return batchId;
    }

    private void run() throws Exception {
        assertThat(cycle.runOnce()).as("the node holds the bank's lease").isTrue();
    }

    /**
     * The bank's own audit after every test: the ledger agrees with the bank's books, and no reference
     * was taken in two files (this bank answers the second "duplicate record"; one that checks only
     * file ids would pay it twice).
     */
    @AfterEach
    void auditedByTheBank() {
        ledger.auditThroughTheBanksBooks(bank.bankCode(), bank.paidByReference());
        assertThat(bank.referencesTakenAgainInAnotherFile()).as("references the bank took in two files").isEmpty();
    }

    @Test
    void aBatch_isPaidOnce_reportedOnce_andSummarisedComplete() throws Exception {
        bank.outcomes(instruction -> instruction.amountFen() == 9_100 ? BankOutcome.BANK_ACCOUNT_CLOSED : BankOutcome.PAID);
        String batchId = submit(9_000, 9_100, 9_200);

        run(); // prepares and sends
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("SENT");
        assertThat(ledger.itemStates(batchId)).containsOnly("DISPATCHED:");
        run(); // takes the results

        assertThat(ledger.itemStates(batchId)).containsExactly("PAID:PAID", "FAILED:BANK_ACCOUNT_CLOSED", "PAID:PAID");
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("SETTLED");
        assertThat(ledger.batchState(batchId)).isEqualTo("COMPLETED");
        assertThat(ledger.entitledSeqs(batchId)).as("the failed item released its entitlement").containsExactly(1, 3);
        assertThat(ledger.reports(batchId)).containsExactly(Map.entry("item-0", List.of("PAID:PAID")),
                Map.entry("item-1", List.of("FAILED:BANK_ACCOUNT_CLOSED")), Map.entry("item-2", List.of("PAID:PAID")));
        assertThat(ledger.lastSummary(batchId)).contains("\"complete\":true").contains("\"PAID\":{\"count\":2,\"amountFen\":18200}");
        assertThat(bank.sends()).hasSize(1);
        assertThat(ledger.count("select count(*) from dispatch_events e join dispatches d using (dispatch_pk) where d.bank_code = ?",
                bank.bankCode())).as("prepared, sending, sent, settled").isEqualTo(4);
        assertThat(ledger.count("select count(*) from batch_events e join batches b using (batch_pk) where b.batch_id = ?",
                batchId)).as("received to in progress to completed").isEqualTo(2);
    }

    @Test
    void aFileThatNeverArrived_isSentAgainAsItIs_afterThePause_andPaidOnce() throws Exception {
        bank.script(Fault.LOST_BEFORE_ARRIVAL);
        String batchId = submit(5_000, 5_100);

        run();
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("PREPARED");
        run();
        assertThat(bank.sends()).as("not before the pause").hasSize(1);
        ledger.clock().advance(Ledger.SETTINGS.retryPause());
        run();
        run();

        assertThat(bank.sends()).hasSize(2);
        assertThat(bank.sends()).extracting(Dispatch::dispatchId).containsOnly(bank.sends().getFirst().dispatchId());
        assertThat(bank.sends().get(1).instructions()).isEqualTo(bank.sends().get(0).instructions());
        assertThat(bank.sends()).extracting(Dispatch::sendAttempt).containsExactly(1, 2);
        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        assertThat(ledger.jdbc().queryForList("select detail from alerts where kind = 'DISPATCH_NOT_SENT' and bank_code = ?",
                String.class, bank.bankCode())).as("the operator sees the unclear upload, tried again")
                .singleElement().asString().contains("ended unclear");
    }

    @Test
    void aFileThatArrivedThoughTheSendSeemedToFail_isSentAgain_andTheBankAnswersItsFirstAnswer_payingOnce() throws Exception {
        bank.script(Fault.LOST_AFTER_ARRIVAL);
        bank.answering(false); // its results are slow: the resend comes first
        String batchId = submit(5_200, 5_300);

        run();
        ledger.clock().advance(Ledger.SETTINGS.retryPause());
        bank.answering(true);
        run(); // the same file again: the bank knows its id and writes its first answer again
        run();

        assertThat(bank.sends()).extracting(Dispatch::sendAttempt).containsExactly(1, 2);
        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        assertThat(bank.paidByReference()).hasSize(2);
    }

    @Test
    void aFileThatArrivedThoughTheSendSeemedToFail_isSettledByItsResults_withoutAResend() throws Exception {
        bank.script(Fault.LOST_AFTER_ARRIVAL);
        String batchId = submit(5_400);

        run();
        run(); // its results came: settled, the resend due after the pause is off

        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("SETTLED");
        ledger.clock().advance(Ledger.SETTINGS.retryPause());
        run();
        assertThat(bank.sends()).hasSize(1);
    }

    @Test
    void aRecordTheBankAnswersDuplicate_leavesItsItemUnknown_andTheFileSettled_withoutChasingIt() throws Exception {
        bank.outcomes(instruction -> instruction.amountFen() == 4_400 ? BankOutcome.BANK_DUPLICATE_RECORD : BankOutcome.PAID);
        String batchId = submit(4_300, 4_400);

        run();
        run();
        ledger.clock().advance(DEADLINE.multipliedBy(2));
        run();

        assertThat(ledger.itemStates(batchId)).containsExactly("PAID:PAID", "UNKNOWN:BANK_DUPLICATE_RECORD");
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("SETTLED");
        assertThat(bank.sends()).as("the bank answered every record: nothing to chase").hasSize(1);
        assertThat(ledger.batchState(batchId)).isEqualTo("AWAITING_REVIEW");
        assertThat(ledger.count("select count(*) from alerts where kind = 'OUTCOME_UNKNOWN' and bank_code = ?", bank.bankCode()))
                .as("nothing more is asked of the bank: a person settles the item").isEqualTo(1);
    }

    @Test
    void aFileNotSent_isAlerted_andTriedAgainAfterThePause() throws Exception {
        bank.script(Fault.NOT_SENT, Fault.NOT_SENT);
        String batchId = submit(4_000);

        run();
        ledger.clock().advance(Ledger.SETTINGS.retryPause().minusSeconds(1));
        run();
        assertThat(bank.sends()).hasSize(1);
        ledger.clock().advance(Duration.ofSeconds(1));
        run();
        ledger.clock().advance(Ledger.SETTINGS.retryPause());
        run();
        run();

        assertThat(bank.sends()).extracting(Dispatch::sendAttempt).containsExactly(1, 2, 3);
        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        assertThat(ledger.count("select count(*) from alerts where kind = 'DISPATCH_NOT_SENT' and bank_code = ?",
                bank.bankCode())).as("raised once while open").isEqualTo(1);
    }

    @Test
    void resultsThatNeverCome_areChasedWithTheSameFile_thenGivenUpAsUnknown_withoutAFakeResult_andALateResultSettles()
            throws Exception {
        bank.answering(false);
        String batchId = submit(3_000, 3_100);

        run();
        ledger.clock().advance(DEADLINE);
        run(); // overdue: the same file again (one resend allowed)
        assertThat(bank.sends()).hasSize(2);
        ledger.clock().advance(DEADLINE);
        run(); // overdue again: given up

        assertThat(ledger.itemStates(batchId)).containsOnly("UNKNOWN:BANK_RESULT_MISSING");
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("GIVEN_UP");
        assertThat(ledger.batchState(batchId)).isEqualTo("AWAITING_REVIEW");
        assertThat(ledger.count("select count(*) from alerts where kind = 'RESULTS_MISSING' and bank_code = ?", bank.bankCode()))
                .isEqualTo(1);
        assertThat(ledger.count("select count(*) from result_files where bank_code = ?", bank.bankCode()))
                .as("giving up is no result file").isZero();
        assertThat(ledger.lastSummary(batchId)).contains("\"complete\":false");
        ledger.clock().advance(DEADLINE.multipliedBy(5));
        run();
        assertThat(bank.sends()).as("never sent again once given up").hasSize(2);

        // the bank's answer turns up after all
        String dispatchId = bank.sends().getFirst().dispatchId();
        bank.queue(bank.answerTo(dispatchId));
        run();

        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("SETTLED");
        assertThat(ledger.batchState(batchId)).isEqualTo("COMPLETED");
        assertThat(ledger.reports(batchId).get("item-0")).containsExactly("UNKNOWN:BANK_RESULT_MISSING", "PAID:PAID");
    }

    @Test
    void aFileRefusedWhole_withAReasonThatProvesNothingWasPaid_failsItsItemsWithTheBanksCode_andReleasesThem()
            throws Exception {
        bank.refuseFiles(BankOutcome.BANK_FILE_DATE_INVALID);
        String batchId = submit(2_000, 2_100);

        run();
        run();

        assertThat(ledger.itemStates(batchId)).containsOnly("FAILED:BANK_FILE_DATE_INVALID");
        assertThat(ledger.jdbc().queryForList("select distinct bank_result_code from items i join batches b using (batch_pk) "
                + "where b.batch_id = ?", String.class, batchId)).containsExactly("R" + BankOutcome.BANK_FILE_DATE_INVALID.number());
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("REFUSED");
        assertThat(ledger.entitledSeqs(batchId)).as("entitlements released: a corrected batch may pay them").isEmpty();
        assertThat(ledger.count("select count(*) from alerts where kind = 'DISPATCH_REFUSED' and bank_code = ?", bank.bankCode()))
                .isEqualTo(1);
        assertThat(ledger.batchState(batchId)).isEqualTo("COMPLETED");
        assertThat(bank.paidByReference()).isEmpty();
    }

    @Test
    void aFileRefusedBecauseTheBankCouldNotVerifyIt_isSentAgain() throws Exception {
        bank.refuseFiles(BankOutcome.BANK_FILE_SIGNATURE_INVALID);
        String batchId = submit(2_500);
        run();
        run();
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("PREPARED");
        assertThat(ledger.itemStates(batchId)).containsOnly("DISPATCHED:");

        bank.refuseFiles(null);
        ledger.clock().advance(Ledger.SETTINGS.retryPause());
        run(); // the same file again: the bank did not take the id of a file it could not verify
        run();
        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        assertThat(bank.sends()).extracting(Dispatch::sendAttempt).containsExactly(1, 2);
        assertThat(ledger.count("select count(*) from alerts where kind = 'DISPATCH_REFUSED' and bank_code = ?", bank.bankCode()))
                .isEqualTo(1);
    }

    @Test
    void aRefusalWithAReasonTheBankDoesNotList_provesNothing_andGivesTheItemsUpAsUnknown() throws Exception {
        bank.refuseFiles(BankOutcome.BANK_FILE_REASON_UNMAPPED);
        String batchId = submit(2_600);
        run();
        run();
        assertThat(ledger.itemStates(batchId)).containsOnly("UNKNOWN:BANK_FILE_REASON_UNMAPPED");
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("GIVEN_UP");
        assertThat(ledger.entitledSeqs(batchId)).as("an unknown item keeps its entitlement").hasSize(1);
    }

    /** A bank whose layout cannot write some names: the one bad item fails, the rest go in a new dispatch. */
    @Test
    void aDispatchThatCanNeverBeWritten_failsTheItemsItCannotCarry_withTheirOwnCode_andSendsTheOthersAnew() throws Exception {
        InMemoryFileBank picky = bank;
        picky.unwritable(instruction -> instruction.holderName().contains("𠀀"));
        BankCycle pickyCycle = ledger.cycle(picky);
        String batchId = ledger.submit(Item.on(Ledger.LYB_BIN, 1_000), new Item(Ledger.LYB_BIN, 1_100, "张𠀀"),
                Item.on(Ledger.LYB_BIN, 1_200));
        ledger.routeTo(batchId, picky.bankCode());

        pickyCycle.runOnce(); // the first dispatch cannot be written: abandoned; the other items wait for the next
        assertThat(ledger.itemStates(batchId)).containsExactly("VALIDATED:", "FAILED:PAYMENT_NOT_ENCODABLE", "VALIDATED:");
        pickyCycle.runOnce(); // a new dispatch of the two others
        pickyCycle.runOnce();

        assertThat(ledger.itemStates(batchId)).containsExactly("PAID:PAID", "FAILED:PAYMENT_NOT_ENCODABLE", "PAID:PAID");
        assertThat(ledger.dispatchStates(picky.bankCode())).containsExactly("ABANDONED", "SETTLED");
        assertThat(ledger.entitledSeqs(batchId)).containsExactly(1, 3);
        assertThat(ledger.count("select count(*) from alerts where kind = 'DISPATCH_NOT_ENCODABLE' and bank_code = ?",
                picky.bankCode())).isEqualTo(1);
        assertThat(picky.sends()).hasSize(2);
        assertThat(picky.sends().get(1).instructions()).extracting(PaymentInstruction::bankReference)
                .as("the same references in the new dispatch").isSubsetOf(picky.sends().get(0).instructions().stream()
                        .map(PaymentInstruction::bankReference).toList());
    }

    @Test
    void theSameResultTwice_isCountedOnce_andAlerted() throws Exception {
        String batchId = submit(1_000, 1_100);
        run();
        run();
        int events = ledger.count("select count(*) from item_events e join batches b using (batch_pk) where b.batch_id = ?", batchId);
        int outbox = ledger.count("select count(*) from callback_outbox o join batches b using (batch_pk) where b.batch_id = ?",
                batchId);

        bank.queue(bank.answerTo(bank.sends().getFirst().dispatchId()));
        run();

        assertThat(ledger.alerts("DUPLICATE_RESULT_FILE")).isPositive();
        assertThat(ledger.count("select count(*) from item_events e join batches b using (batch_pk) where b.batch_id = ?", batchId))
                .isEqualTo(events);
        assertThat(ledger.count("select count(*) from callback_outbox o join batches b using (batch_pk) where b.batch_id = ?",
                batchId)).isEqualTo(outbox);
    }

    @Test
    void aResultContradictingASettledItem_changesNothing_andIsAlerted() throws Exception {
        String batchId = submit(6_000, 8_000);
        run();
        run();
        Dispatch sent = bank.sends().getFirst();
        PaymentInstruction first = sent.instructions().getFirst();

        bank.queue(new BankReport.Results("RET_forged", sent.dispatchId(), List.of(
                new ItemOutcome(first.bankReference(), BankOutcome.BANK_ACCOUNT_FROZEN, "E003", first.amountFen()),
                new ItemOutcome(sent.instructions().get(1).bankReference(), BankOutcome.PAID, "0000", 1)),
                "sm3-forged-" + System.nanoTime()));
        run();

        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        assertThat(ledger.count("select conflicting_count from result_files where source = 'RET_forged'"))
                .as("a contradiction and a wrong amount").isEqualTo(2);
        assertThat(ledger.count("select count(*) from alerts where kind = 'RESULT_CONFLICT' and source = 'RET_forged'"))
                .isEqualTo(1);
    }

    @Test
    void aSendLeftUnderWayByANodeThatStopped_isSentAgainAsItIs() throws Exception {
        bank.answering(false);
        String batchId = submit(7_000);
        run();
        // as a node leaves it that recorded a resend's start and stopped before its outcome
        ledger.jdbc().update("update dispatches set state = 'PREPARED', next_action_at = ? where bank_code = ?",
                java.sql.Timestamp.from(ledger.clock().instant()), bank.bankCode());
        long dispatchPk = ledger.jdbc().queryForObject("select dispatch_pk from dispatches where bank_code = ?", Long.class,
                bank.bankCode());
        ledger.dispatches().record(dispatchPk, new DispatchEvent.SendStarted(), BankCycle.rulesFor(bank.capabilities(),
                Ledger.SETTINGS), DEADLINE, DispatchWriter.Cause.of("a node that then stopped"));

        run(); // the next holder finds it under way: unclear, so the same file again after the pause
        assertThat(ledger.dispatchStates(bank.bankCode())).containsExactly("PREPARED");
        assertThat(ledger.jdbc().queryForObject("select last_send_result from dispatches where bank_code = ?", String.class,
                bank.bankCode())).startsWith("UNKNOWN: the node sending it stopped");
        ledger.clock().advance(Ledger.SETTINGS.retryPause());
        bank.answering(true);
        run(); // the bank answers the known file id with its first answer
        run();

        assertThat(ledger.itemStates(batchId)).containsOnly("PAID:PAID");
        assertThat(bank.sends()).extracting(Dispatch::sendAttempt).containsExactly(1, 3);
        assertThat(bank.sends()).extracting(Dispatch::dispatchId).containsOnly(bank.sends().getFirst().dispatchId());
    }

    @Test
    void anotherNodesLease_keepsThisNodeFromTheBank() throws Exception {
        submit(1_500);
        BankCycle other = ledger.cycle(bank, Ledger.SETTINGS, "other-node");
        assertThat(other.runOnce()).isTrue();
        assertThat(cycle.runOnce()).as("the other node holds the lease").isFalse();
        assertThat(bank.sends()).hasSize(1);
    }

    @Test
    void cutOffs_holdItemsUntilTheNextCutOff() throws Exception {
        // Ledger.START is 10:00 in Asia/Shanghai; the bank takes files at 15:00
        InMemoryFileBank scheduled = new InMemoryFileBank(bank.bankCode(), cn.onecard.adapters.BankCapabilities.batchFile(1_000,
                List.of(java.time.LocalTime.of(15, 0)), DEADLINE));
        bank = scheduled; // audited after the test
        ledger.clock().set(Ledger.START);
        BankCycle scheduledCycle = ledger.cycle(scheduled);
        String batchId = ledger.submit(Item.on(Ledger.LYB_BIN, 1_700));
        ledger.routeTo(batchId, scheduled.bankCode());

        scheduledCycle.runOnce();
        assertThat(scheduled.sends()).as("before the cut-off").isEmpty();
        ledger.clock().advance(Duration.ofHours(5));
        scheduledCycle.runOnce();
        assertThat(scheduled.sends()).as("at the cut-off").hasSize(1);
        ledger.clock().set(Ledger.START);
    }
}
