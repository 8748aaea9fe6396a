package cn.onecard.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.gateway.testing.Await;
import cn.onecard.gateway.testing.GatewayNode;
import cn.onecard.gateway.testing.SimulatedWorld;
import cn.onecard.gateway.testing.Walls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A gateway stopped in the middle of a batch (one bank's file sent and its results not yet taken, the
 * other bank's file refused and waiting) and a new node started on the same data directory: the
 * batch completes from the ledger, nothing lost and nothing paid twice.
 */
class GatewayRestartEndToEndTest {

    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(90);

    private static SimulatedWorld world;

    @BeforeAll
    static void startWorld() {
        world = SimulatedWorld.start(77L, 6_000);
    }

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
    }

    private record DispatchRow(String dispatchId, String bankCode, String state, int sendAttempts) {
    }

    private static List<DispatchRow> dispatches(GatewayNode gateway) {
        return gateway.jdbc().query("select dispatch_id, bank_code, state, send_attempts from dispatches order by dispatch_pk",
                (row, n) -> new DispatchRow(row.getString(1), row.getString(2), row.getString(3), row.getInt(4)));
    }

    @Test
    void gatewayStoppedWithFilesAtTheBanks_restartsOnItsData_andFinishesTheBatchWithoutPayingTwice() {
        Path dataDir = world.newDataDir("restarted");
        // a new node takes the banks' leases once the old one's have expired
        GatewayNode before = world.startGateway(dataDir, Map.of("onecard.node-id", "node-before", "onecard.dispatch.lease-ttl", "2s"));
        world.bankFaults("ABC", "{\"resultDelayMillis\": 2000}");
        world.closeBank("LYB");
        JsonNode submitted = world.submit(before, "api", "P40", "202611", 200, 0.1, 4);
        String batchId = submitted.get("batchId").asString();
        Await.until("ABC's file is sent and LYB's refused", SETTLE_TIMEOUT, () -> {
            List<DispatchRow> rows = dispatches(before);
            return rows.stream().anyMatch(row -> row.bankCode().equals("ABC") && row.state().equals("SENT"))
                    && rows.stream().anyMatch(row -> row.bankCode().equals("LYB") && row.sendAttempts() >= 1);
        });
        assertThat(before.jdbc().queryForObject("select count(*) from items where state = 'PAID'", Integer.class))
                .as("nothing settled before the stop").isZero();
        List<DispatchRow> atStop = dispatches(before);

        before.close();
        world.openBank("LYB");
        GatewayNode after = world.startGateway(dataDir, Map.of("onecard.node-id", "node-after", "onecard.dispatch.lease-ttl", "2s"));

        Walls.awaitSettled(after, batchId, SETTLE_TIMEOUT);
        Walls.Accounting accounting = Walls.assertAccountedForOnce(world, after, batchId);

        assertThat(accounting.paidCountByBank()).allSatisfy((bank, paid) -> assertThat(paid).as(bank).isPositive());
        assertThat(dispatches(after)).as("the same files, under the same ids, finished by the new node")
                .extracting(DispatchRow::dispatchId).containsExactlyElementsOf(atStop.stream().map(DispatchRow::dispatchId).toList());
        for (DispatchRow dispatch : atStop) {
            assertThat(world.bankLedger(dispatch.bankCode()).get("filesSeen").valueStream().map(JsonNode::asString)
                    .filter(dispatch.dispatchId()::equals)).as("%s took %s once", dispatch.bankCode(), dispatch.dispatchId()).hasSize(1);
        }
        assertThat(after.jdbc().queryForList("select owner from leases where name like 'bank:%'", String.class))
                .containsOnly("node-after");
        assertThat(after.jdbc().queryForObject("select count(*) from items where state = 'UNKNOWN'", Integer.class)).isZero();
        after.close(); // another gateway on the same banks would take result files it never asked for
    }

    /**
     * Leases are in the database's time: a node whose clock runs two hours ahead (it would have leased
     * the banks until two hours from now by its own clock) still loses them to the next node as soon as
     * the database says its lease ran out.
     */
    @Test
    void aNodeWhoseClockRunsAhead_losesItsBanksToTheNextNode_onceTheDatabaseSaysItsLeaseRanOut() {
        Path dataDir = world.newDataDir("skewed");
        java.time.Clock twoHoursAhead = java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofHours(2));
        GatewayNode ahead = world.startGateway(dataDir, Map.of("onecard.node-id", "node-ahead", "onecard.dispatch.lease-ttl", "2s"),
                twoHoursAhead);
        // another database on the same banks: its batch and dispatch keys (so its references and file ids) start past
        // the other test's
        ahead.jdbc().queryForObject("select setval(pg_get_serial_sequence('batches', 'batch_pk'), 5000)", Long.class);
        ahead.jdbc().queryForObject("select setval(pg_get_serial_sequence('dispatches', 'dispatch_pk'), 5000)", Long.class);
        SimulatedWorld.BANKS.forEach(bank -> world.bankFaults(bank, "{\"resultDelayMillis\": 3000}"));
        try {
            // by inbox file: a node two hours off refuses signed requests, whose timestamps are the treasury's
            String batchId = world.submit(ahead, "file", "P41", "202611", 60, 0.0, 41).get("batchId").asString();
            Await.until("both banks' files are sent by the node ahead", SETTLE_TIMEOUT, () -> dispatches(ahead).stream()
                    .filter(row -> row.state().equals("SENT")).map(DispatchRow::bankCode).distinct().count() == 2);
            assertThat(ahead.jdbc().queryForList("select owner from leases where name like 'bank:%'", String.class))
                    .containsOnly("node-ahead");
            ahead.close();

            GatewayNode next = world.startGateway(dataDir, Map.of("onecard.node-id", "node-next", "onecard.dispatch.lease-ttl", "2s"));
            Walls.awaitSettled(next, batchId, SETTLE_TIMEOUT);
            Walls.assertAccountedForOnce(world, next, batchId);
            assertThat(next.jdbc().queryForList("select owner from leases where name like 'bank:%'", String.class))
                    .containsOnly("node-next");
            next.close();
        } finally {
            world.clearBankFaults();
        }
    }
}
