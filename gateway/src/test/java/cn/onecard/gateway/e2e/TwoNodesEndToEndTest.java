package cn.onecard.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.gateway.testing.GatewayNode;
import cn.onecard.gateway.testing.SimulatedWorld;
import cn.onecard.gateway.testing.Walls;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Two gateway nodes on one database, both running their bank cycles and callback senders: batches
 * taken by either node are paid once (each bank's cycle runs on the node holding its lease) and each
 * callback is delivered in sequence.
 */
class TwoNodesEndToEndTest {

    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(90);

    private static SimulatedWorld world;
    private static GatewayNode nodeA;
    private static GatewayNode nodeB;

    @BeforeAll
    static void startWorld() {
        world = SimulatedWorld.start(88L, 6_000);
        nodeA = world.startGateway(world.newDataDir("a"), Map.of("onecard.node-id", "node-a"));
        nodeB = world.startGateway(world.newDataDir("b"), Map.of("onecard.node-id", "node-b",
                "spring.datasource.url", nodeA.jdbcUrl(), "spring.datasource.username", "postgres",
                "spring.datasource.password", nodeA.databasePassword()));
    }

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void batchesTakenByEitherNode_arePaidOnce_withEachBankWorkedByOneNode() {
        JsonNode byApiToA = world.submit(nodeA, "api", "P41", "202611", 150, 0.1, 1);
        JsonNode byApiToB = world.submit(nodeB, "api", "P42", "202611", 150, 0.1, 2);
        JsonNode byFileToB = world.submit(nodeB, "file", "P43", "202611", 150, 0.1, 3);
        List<String> batchIds = List.of(byApiToA.get("batchId").asString(), byApiToB.get("batchId").asString(),
                byFileToB.get("batchId").asString());

        for (String batchId : batchIds) {
            Walls.awaitSettled(nodeA, batchId, SETTLE_TIMEOUT);
        }
        for (String batchId : batchIds) {
            // either node answers for every batch: they share the ledger
            Walls.assertAccountedForOnce(world, batchId.equals(batchIds.get(0)) ? nodeB : nodeA, batchId);
        }

        assertThat(nodeA.jdbc().queryForList("select owner from leases where name like 'bank:%'", String.class))
                .as("each bank's lease held by one of the nodes").hasSize(2).allSatisfy(owner -> assertThat(owner).isIn("node-a", "node-b"));
        assertThat(nodeA.jdbc().queryForObject("select max(send_attempts) from dispatches", Integer.class))
                .as("no file sent twice").isEqualTo(1);
        for (String bank : SimulatedWorld.BANKS) {
            JsonNode ledger = world.bankLedger(bank);
            assertThat(ledger.get("filesSeen").valueStream().map(JsonNode::asString).distinct().count())
                    .as("%s saw each file id once", bank).isEqualTo(ledger.get("filesSeenCount").asLong());
            assertThat(ledger.get("resultsWrittenCount").asLong()).as("%s answered each file once: no file sent twice", bank)
                    .isEqualTo(ledger.get("filesSeenCount").asLong());
            assertThat(ledger.get("referencesPaidMoreThanOnce").asLong()).isZero();
        }
        assertThat(nodeA.jdbc().queryForObject("select count(*) from callback_outbox where delivered_at is null", Integer.class))
                .isZero();
        JsonNode report = world.report(batchIds.toArray(String[]::new));
        assertThat(report.get("passed").asBoolean()).as("%s", report.get("issues")).isTrue();
    }
}
