package cn.onecard.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.gateway.testing.Await;
import cn.onecard.gateway.testing.BankBooks;
import cn.onecard.gateway.testing.GatewayNode;
import cn.onecard.gateway.testing.SimulatedWorld;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Chaos: one batch across all four banks while every simulator injects every fault it has at random,
 * drawn from one seed, printed first ({@code -Donecard.chaos.seed=N} replays the world and its fault
 * draws; answers racing on threads may still land in another order). Afterwards nothing is in
 * flight; every bank's own books agree with the gateway reference by reference (nothing paid twice,
 * nothing failed paid, nothing paid that the gateway does not hold paid or unknown); every failed or
 * unknown item has its code; and the treasury's own audit of its callbacks passes. 10,000 items in
 * the suite; the full size is {@code -Donecard.chaos.items=100000} (docs/online-banks.md).
 */
class ChaosEndToEndTest {

    private static final String PERIOD = "202611";

    private static SimulatedWorld world;

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void everyFaultOfEveryBankAtOnce_noItemLostOrPaidTwice() {
        long seed = Long.getLong("onecard.chaos.seed", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
        int items = Integer.getInteger("onecard.chaos.items", 10_000);
        System.out.println("CHAOS seed " + seed + ", " + items + " items (replay: -Donecard.chaos.seed=" + seed + ")");
        world = SimulatedWorld.start(seed, Math.max(12_000, items * 2), true);
        GatewayNode gateway = world.startGateway(world.newDataDir("chaos"), Map.of("onecard.dispatch.inquiries-max", "50",
                "onecard.dispatch.reversals-max", "50", "onecard.dispatch.resends-max", "3"));
        Map<String, String> faults = new LinkedHashMap<>();
        String fileBankFaults = "{\"resultDelayMillis\": 500, \"partialResult\": 0.2, \"followUpDelayMillis\": 300, "
                + "\"duplicateResult\": 0.2, \"lostRecords\": 0.05}";
        SimulatedWorld.BANKS.forEach(bank -> faults.put(bank, fileBankFaults));
        faults.put("HNNX", "{\"busy\": 0.05, \"late\": 0.05, \"lateByMillis\": 1500, \"dropAnswer\": 0.05, "
                + "\"answerTwice\": 0.05, \"cutAnswer\": 0.01, \"garbleAnswer\": 0.02}");
        faults.put("ZYB", "{\"busy\": 0.05, \"late\": 0.05, \"lateByMillis\": 1500, \"dropAnswer\": 0.05, "
                + "\"resetConnection\": 0.02, \"malformedAnswer\": 0.02, \"unsignedAnswer\": 0.02, \"badlySignedAnswer\": 0.02}");
        faults.forEach(world::bankFaults);

        String batchId = world.submit(gateway, "api", "P42", PERIOD, items, 0.05, seed).get("batchId").asString();
        Await.until("nothing of " + batchId + " in flight", Duration.ofMinutes(items > 20_000 ? 60 : 10), () -> count(gateway,
                "select count(*) from items i join batches b using (batch_pk) where b.batch_id = ? "
                        + "and i.state in ('RECEIVED', 'VALIDATED', 'DISPATCHED')", batchId) == 0);
        world.clearBankFaults();

        for (String bank : List.of("LYB", "ABC", "HNNX", "ZYB")) {
            int paidAtTheBank = BankBooks.audit(world, gateway, bank);
            System.out.println("CHAOS " + bank + ": " + paidAtTheBank + " paid at the bank, books agree");
            assertThat(paidAtTheBank).as(bank + " paid items through its faults").isPositive();
        }
        assertThat(count(gateway, "select count(*) from items i join batches b using (batch_pk) where b.batch_id = ? "
                + "and i.state in ('FAILED', 'UNKNOWN') and i.code is null", batchId)).as("every failed or unknown item has its code")
                .isZero();
        Await.until("the treasury has every result", Duration.ofMinutes(2), () -> count(gateway,
                "select count(*) from callback_outbox o join batches b using (batch_pk) where b.batch_id = ? "
                        + "and o.delivered_at is null", batchId) == 0);
        JsonNode audit = world.report(batchId);
        assertThat(audit.path("passed").asBoolean(false)).as("the treasury's own audit: " + audit.path("issues")).isTrue();
        System.out.println("CHAOS items by state: " + gateway.jdbc().queryForList("select i.state || ' ' || count(*) "
                + "from items i join batches b using (batch_pk) where b.batch_id = ? group by i.state", String.class, batchId));
    }

    private static int count(GatewayNode gateway, String sql, Object... arguments) {
        return gateway.jdbc().queryForObject(sql, Integer.class, arguments);
    }
}
