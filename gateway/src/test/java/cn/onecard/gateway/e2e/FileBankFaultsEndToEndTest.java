package cn.onecard.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.gateway.testing.Await;
import cn.onecard.gateway.testing.GatewayNode;
import cn.onecard.gateway.testing.SimulatedWorld;
import cn.onecard.gateway.testing.Walls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Each fault a file bank can inject, in its own test, against the gateway's SFTP adapters: late
 * results, results in parts, corrupt results, the same result twice, records left out, a bank
 * closed for the day. Whatever the fault, every item settles once, the sums agree at every wall and
 * no bank pays a reference twice. The gateway's result deadline is {@link SimulatedWorld#RESULT_DEADLINE}
 * with one resend.
 */
class FileBankFaultsEndToEndTest {

    private static final String PERIOD = "202611";
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

    private static SimulatedWorld world;
    private static GatewayNode gateway;

    @BeforeAll
    static void startWorld() {
        world = SimulatedWorld.start(42L, 12_000);
        gateway = world.startGateway(world.newDataDir("main"), Map.of());
    }

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
    }

    @AfterEach
    void clearFaults() {
        world.clearBankFaults();
    }

    private static void bothBanks(String faultsJson) {
        SimulatedWorld.BANKS.forEach(bank -> world.bankFaults(bank, faultsJson));
    }

    /** A batch of good items and a few the banks fail, by API; each test its own programme. */
    private static String submit(String programme, int items) {
        return world.submit(gateway, "api", programme, PERIOD, items, 0.1, programme.hashCode()).get("batchId").asString();
    }

    private record Sent(String dispatchId, String bankCode, int items, int sendAttempts, String state) {
    }

    private static List<Sent> dispatchesOf(String batchId) {
        return gateway.jdbc().query("select d.dispatch_id, d.bank_code, d.item_count, d.send_attempts, d.state from dispatches d "
                        + "where d.dispatch_pk in (select i.dispatch_pk from items i join batches b using (batch_pk) where b.batch_id = ?) "
                        + "order by d.dispatch_pk",
                (row, n) -> new Sent(row.getString(1), row.getString(2), row.getInt(3), row.getInt(4), row.getString(5)), batchId);
    }

    private static int count(String sql, Object... arguments) {
        return gateway.jdbc().queryForObject(sql, Integer.class, arguments);
    }

    private static int itemsIn(String batchId, String state) {
        return count("select count(*) from items i join batches b using (batch_pk) where b.batch_id = ? and i.state = ?",
                batchId, state);
    }

    private static int alerts(String kind, Sent dispatch) {
        return count("select count(*) from alerts where kind = ? and source like ?", kind, "%" + dispatch.dispatchId() + "%");
    }

    private static List<String> resultsWritten(String bank, Sent dispatch) {
        List<String> names = new ArrayList<>();
        world.bankLedger(bank).get("resultsWritten").forEach(name -> {
            if (name.asString().contains(dispatch.dispatchId())) {
                names.add(name.asString());
            }
        });
        return names;
    }

    private static void filesSeenOnce(Sent dispatch) {
        JsonNode ledger = world.bankLedger(dispatch.bankCode());
        long seen = Stream.of(ledger.get("filesSeen")).flatMap(array -> array.valueStream())
                .filter(id -> id.asString().equals(dispatch.dispatchId())).count();
        assertThat(seen).as("%s took file id %s once", dispatch.bankCode(), dispatch.dispatchId()).isEqualTo(1);
    }

    @Test
    void resultsLaterThanTheDeadline_areChasedByTheSameFile_andTheBanksReplayWithoutPayingAgain() {
        bothBanks("{\"resultDelayMillis\": 4500}");
        String batchId = submit("P30", 60);

        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);
        List<Sent> dispatches = dispatchesOf(batchId);
        // the bank answers the resent file id with its original result: wait for that copy too, then count
        for (Sent dispatch : dispatches) {
            Await.until("the gateway took the replayed result of " + dispatch.dispatchId(), SETTLE_TIMEOUT,
                    () -> count("select count(*) from result_files where dispatch_id = ?", dispatch.dispatchId()) == 2);
        }
        Walls.assertAccountedForOnce(world, gateway, batchId);

        assertThat(dispatches).hasSize(2).allSatisfy(dispatch -> {
            assertThat(dispatch.sendAttempts()).as("sent once, resent once when overdue").isEqualTo(2);
            filesSeenOnce(dispatch);
            assertThat(resultsWritten(dispatch.bankCode(), dispatch)).as("the original answer, then the same again").hasSize(2);
            assertThat(count("select coalesce(sum(applied_count), 0) from result_files where dispatch_id = ?",
                    dispatch.dispatchId())).as("outcomes applied once").isEqualTo(dispatch.items());
        });
        assertThat(itemsIn(batchId, "UNKNOWN")).isZero();
    }

    @Test
    void resultsInParts_areAppliedPartByPart() {
        bothBanks("{\"partialResult\": 1.0, \"followUpDelayMillis\": 300}");
        String batchId = submit("P32", 60);

        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);
        Walls.assertAccountedForOnce(world, gateway, batchId);

        for (Sent dispatch : dispatchesOf(batchId)) {
            assertThat(resultsWritten(dispatch.bankCode(), dispatch)).as("two parts").hasSize(2)
                    .anySatisfy(name -> assertThat(name).contains("_P2"));
            assertThat(count("select count(*) from result_files where dispatch_id = ?", dispatch.dispatchId())).isEqualTo(2);
            assertThat(count("select sum(record_count) from result_files where dispatch_id = ?", dispatch.dispatchId()))
                    .as("the parts hold every record once").isEqualTo(dispatch.items());
            assertThat(dispatch.sendAttempts()).as("nothing was overdue").isEqualTo(1);
        }
    }

    @Test
    void corruptResults_areSetAsideWithAnAlert_thenTheResentFileIsAnsweredWhole() throws IOException {
        bothBanks("{\"corruptResult\": 1.0}");
        String batchId = submit("P33", 40);

        Await.until("both banks' first results are refused as corrupt or unverified", SETTLE_TIMEOUT,
                () -> dispatchesOf(batchId).size() == 2 && dispatchesOf(batchId).stream().allMatch(dispatch ->
                        alerts("RESULT_FILE_CORRUPT", dispatch) + alerts("RESULT_FILE_UNVERIFIED", dispatch) > 0));
        assertThat(itemsIn(batchId, "PAID")).as("nothing settled from a corrupt file").isZero();
        world.clearBankFaults(); // the bank's next copy is sound

        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);
        Walls.assertAccountedForOnce(world, gateway, batchId);
        for (Sent dispatch : dispatchesOf(batchId)) {
            assertThat(dispatch.sendAttempts()).as("resent after the deadline").isEqualTo(2);
            filesSeenOnce(dispatch);
            Path error = world.bankRoot(dispatch.bankCode()).resolve("out/error");
            try (Stream<Path> files = Files.list(error)) {
                List<String> names = files.map(file -> file.getFileName().toString())
                        .filter(name -> name.contains(dispatch.dispatchId())).toList();
                assertThat(names).as("the corrupt file and its reason in out/error/").anySatisfy(name -> assertThat(name).endsWith(".reason"))
                        .hasSizeGreaterThanOrEqualTo(2);
            }
        }
        assertThat(itemsIn(batchId, "UNKNOWN")).isZero();
    }

    @Test
    void theSameResultFileTwice_raisesAnAlert_andNothingIsCountedTwice() {
        bothBanks("{\"duplicateResult\": 1.0, \"followUpDelayMillis\": 300}");
        String batchId = submit("P34", 40);

        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);
        int outbox = count("select count(*) from callback_outbox o join batches b using (batch_pk) where b.batch_id = ?", batchId);
        int events = count("select count(*) from item_events e join batches b using (batch_pk) where b.batch_id = ?", batchId);
        List<Sent> dispatches = dispatchesOf(batchId);
        for (Sent dispatch : dispatches) {
            Await.until("the duplicate of " + dispatch.dispatchId() + "'s result is alerted", SETTLE_TIMEOUT,
                    () -> alerts("DUPLICATE_RESULT_FILE", dispatch) == 1);
        }

        Walls.assertAccountedForOnce(world, gateway, batchId);
        assertThat(count("select count(*) from callback_outbox o join batches b using (batch_pk) where b.batch_id = ?", batchId))
                .as("nothing new reported").isEqualTo(outbox);
        assertThat(count("select count(*) from item_events e join batches b using (batch_pk) where b.batch_id = ?", batchId))
                .as("no item moved again").isEqualTo(events);
        for (Sent dispatch : dispatches) {
            assertThat(resultsWritten(dispatch.bankCode(), dispatch)).as("written twice by the bank").hasSize(2);
            assertThat(count("select count(*) from result_files where dispatch_id = ?", dispatch.dispatchId()))
                    .as("recorded once").isEqualTo(1);
        }
    }

    @Test
    void recordsLeftOutOfTheFirstAnswer_areChased_andSettleFromTheReplayedWholeAnswer() {
        bothBanks("{\"lostRecords\": 0.3}");
        String batchId = submit("P35", 60);

        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);
        Walls.assertAccountedForOnce(world, gateway, batchId);

        List<Sent> dispatches = dispatchesOf(batchId);
        assertThat(dispatches).as("a file whose answer lost records is sent again")
                .anySatisfy(dispatch -> assertThat(dispatch.sendAttempts()).isEqualTo(2));
        for (Sent dispatch : dispatches) {
            filesSeenOnce(dispatch);
            assertThat(count("select coalesce(sum(applied_count), 0) from result_files where dispatch_id = ?",
                    dispatch.dispatchId())).as("each outcome applied once").isEqualTo(dispatch.items());
        }
        assertThat(itemsIn(batchId, "UNKNOWN")).isZero();
    }

    @Test
    void bankClosedForTheDay_refusesTheFile_whichIsSentAgainAndPaidOnceItOpens() {
        world.closeBank("LYB");
        String batchId = submit("P37", 40);

        Await.until("the file for LYB has been refused at least twice", SETTLE_TIMEOUT, () -> dispatchesOf(batchId).stream()
                .anyMatch(dispatch -> dispatch.bankCode().equals("LYB") && dispatch.sendAttempts() >= 2));
        Await.until("ABC's items settle meanwhile", SETTLE_TIMEOUT, () -> count("select count(*) from items i join batches b "
                + "using (batch_pk) where b.batch_id = ? and i.bank_code = 'ABC' and i.state in ('VALIDATED', 'DISPATCHED')",
                batchId) == 0);
        Sent lyb = dispatchesOf(batchId).stream().filter(dispatch -> dispatch.bankCode().equals("LYB")).findFirst().orElseThrow();
        // waiting for the next try, or in it: the cycle keeps trying while the bank is closed
        assertThat(lyb.state()).as("not sent while the bank is closed").isIn("PREPARED", "SENDING");
        assertThat(gateway.jdbc().queryForObject("select last_send_result from dispatches where dispatch_id = ?", String.class,
                lyb.dispatchId())).startsWith("NOT_SENT");
        assertThat(count("select count(*) from items i join batches b using (batch_pk) where b.batch_id = ? "
                + "and i.bank_code = 'LYB' and i.state = 'PAID'", batchId)).isZero();
        assertThat(world.bankLedger("LYB").get("filesSeen").valueStream().map(JsonNode::asString)).doesNotContain(lyb.dispatchId());

        world.openBank("LYB");

        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);
        Walls.assertAccountedForOnce(world, gateway, batchId);
        filesSeenOnce(lyb);
        assertThat(itemsIn(batchId, "UNKNOWN")).isZero();
    }

    @Test
    void bankClosedForAWhile_thenLate_stillGetsItsOneResendBeforeAnyItemIsGivenUp() {
        world.closeBank("ABC");
        String batchId = submit("P39", 30);
        Await.until("the file for ABC has been refused three times", SETTLE_TIMEOUT, () -> dispatchesOf(batchId).stream()
                .anyMatch(dispatch -> dispatch.bankCode().equals("ABC") && dispatch.sendAttempts() >= 3));
        // opens, but answers later than the deadline: a resend, not a give-up, is due at the deadline
        world.bankFaults("ABC", "{\"resultDelayMillis\": 4500}");

        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);

        Sent abc = dispatchesOf(batchId).stream().filter(dispatch -> dispatch.bankCode().equals("ABC")).findFirst().orElseThrow();
        assertThat(alerts("RESULTS_MISSING", abc)).as("no item given up while the bank was only slow (dispatch sent %d times)",
                abc.sendAttempts()).isZero();
        assertThat(count("select count(*) from item_events e join batches b using (batch_pk) where b.batch_id = ? "
                + "and e.to_state = 'UNKNOWN'", batchId)).as("no item ever UNKNOWN").isZero();
        Walls.assertAccountedForOnce(world, gateway, batchId);
    }
}
