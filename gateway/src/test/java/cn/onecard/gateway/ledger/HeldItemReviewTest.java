package cn.onecard.gateway.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.adapters.testing.InMemoryFileBank;
import cn.onecard.gateway.testing.Ledger.Item;
import cn.onecard.gateway.testing.Ledger;
import cn.onecard.gateway.validation.ItemCode;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A held item's two exits, ready for the operators' review that comes later: released, it is paid
 * like any validated item; rejected, it is final and reported. Through the item writer and the batch
 * machine, on the real ledger.
 */
class HeldItemReviewTest {

    private static Ledger ledger;

    @BeforeAll
    static void startLedger() {
        ledger = Ledger.start();
    }

    @AfterAll
    static void stopLedger() {
        ledger.close();
    }

    private record Held(String batchId, long batchPk) {
    }

    /** A batch naming one person twice: the second item is held as a duplicate in the batch. */
    private Held batchWithAHeldItem(String bank) {
        String person = ledger.newPerson();
        String batchId = ledger.submit(Item.on(Ledger.LYB_BIN, 1_000).forPerson(person), Item.on(Ledger.LYB_BIN, 1_500).forPerson(person));
        ledger.routeTo(batchId, bank);
        assertThat(ledger.itemStates(batchId)).containsExactly("VALIDATED:", "HELD:DUPLICATE_IN_BATCH");
        long batchPk = ledger.jdbc().queryForObject("select batch_pk from batches where batch_id = ?", Long.class, batchId);
        return new Held(batchId, batchPk);
    }

    private void review(Held held, ItemEvent decision) throws Exception {
        try (Connection connection = ledger.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            ItemWriter.Changes changes = ledger.items().review(connection, held.batchPk(), 2, decision, "review by test");
            assertThat(changes.moved()).isEqualTo(1);
            for (long batchPk : changes.batchesToRetally()) {
                ledger.batches().itemsChanged(connection, batchPk, "review by test");
            }
            connection.commit();
        }
    }

    @Test
    void aReleasedItem_isPaidLikeAnyOther() throws Exception {
        InMemoryFileBank bank = new InMemoryFileBank("RV1", 100, Duration.ofHours(1));
        Held held = batchWithAHeldItem(bank.bankCode());
        ledger.cycle(bank).runOnce();
        ledger.cycle(bank).runOnce();
        assertThat(ledger.batchState(held.batchId())).isEqualTo("AWAITING_REVIEW");

        review(held, new ItemEvent.Released());
        assertThat(ledger.itemStates(held.batchId())).containsExactly("PAID:PAID", "VALIDATED:");
        assertThat(ledger.batchState(held.batchId())).as("an item in flight again").isEqualTo("IN_PROGRESS");

        ledger.cycle(bank).runOnce();
        ledger.cycle(bank).runOnce();
        assertThat(ledger.itemStates(held.batchId())).containsExactly("PAID:PAID", "PAID:PAID");
        assertThat(ledger.batchState(held.batchId())).isEqualTo("COMPLETED");
        assertThat(ledger.entitledSeqs(held.batchId())).as("the person's one entitlement stays with the first item")
                .containsExactly(1);
        assertThat(ledger.reports(held.batchId()).get("item-1")).containsExactly("HELD:DUPLICATE_IN_BATCH", "PAID:PAID");
    }

    @Test
    void aRejectedItem_isFinalAndReported() throws Exception {
        Held held = batchWithAHeldItem("RV2");

        review(held, new ItemEvent.RejectedOnReview(ItemCode.REJECTED_ON_REVIEW));

        assertThat(ledger.itemStates(held.batchId())).containsExactly("VALIDATED:", "REJECTED:REJECTED_ON_REVIEW");
        assertThat(ledger.batchState(held.batchId())).isEqualTo("IN_PROGRESS");
        assertThat(ledger.reports(held.batchId()).get("item-1")).containsExactly("HELD:DUPLICATE_IN_BATCH",
                "REJECTED:REJECTED_ON_REVIEW");
    }

    @Test
    void aReviewOfAnItemThatIsNotHeld_changesNothing() throws Exception {
        Held held = batchWithAHeldItem("RV3");
        try (Connection connection = ledger.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            assertThat(ledger.items().review(connection, held.batchPk(), 1, new ItemEvent.Released(), "review by test").moved())
                    .isZero();
            connection.commit();
        }
        assertThat(ledger.itemStates(held.batchId())).containsExactly("VALIDATED:", "HELD:DUPLICATE_IN_BATCH");
    }
}
