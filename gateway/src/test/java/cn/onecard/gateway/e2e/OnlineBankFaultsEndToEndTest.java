package cn.onecard.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.gateway.testing.Await;
import cn.onecard.gateway.testing.BankBooks;
import cn.onecard.gateway.testing.GatewayNode;
import cn.onecard.gateway.testing.SimulatedWorld;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each fault an online bank simulator can inject, one at a time, against the gateway's ISO 8583 and
 * HTTP adapters in the simulators' own process: answers dropped, late, twice, cut, garbled, busy,
 * connections reset, answers unsigned or wrongly signed. Whatever the fault, the batch settles with
 * nothing left in flight, and the bank's own books are audited against the gateway's ledger: every
 * item the gateway holds paid is paid at the bank, and exactly once; no item the gateway holds failed
 * is paid there; an item the bank paid that the gateway still calls unknown is the only other case.
 */
class OnlineBankFaultsEndToEndTest {

    private static final String PERIOD = "202611";
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(120);

    private static SimulatedWorld world;
    private static GatewayNode gateway;

    @BeforeAll
    static void startWorld() {
        world = SimulatedWorld.start(4242L, 12_000, true);
        // unclear answers are asked after until the bank's word comes, as a bank's operators would
        gateway = world.startGateway(world.newDataDir("main"), Map.of("onecard.dispatch.inquiries-max", "30",
                "onecard.dispatch.reversals-max", "30"));
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

    @ParameterizedTest(name = "{1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "P30 | HNNX | {\"dropAnswer\": 0.3}",
        "P31 | HNNX | {\"late\": 0.3, \"lateByMillis\": 1500}",
        "P32 | HNNX | {\"answerTwice\": 0.3}",
        "P33 | HNNX | {\"cutAnswer\": 0.2}",
        "P34 | HNNX | {\"garbleAnswer\": 0.2}",
        "P35 | HNNX | {\"busy\": 0.3}",
        "P36 | ZYB | {\"dropAnswer\": 0.3}",
        "P37 | ZYB | {\"late\": 0.3, \"lateByMillis\": 1500}",
        "P38 | ZYB | {\"resetConnection\": 0.2}",
        "P39 | ZYB | {\"malformedAnswer\": 0.2}",
        "P40 | ZYB | {\"unsignedAnswer\": 0.2, \"badlySignedAnswer\": 0.2}",
        "P41 | ZYB | {\"busy\": 0.3}",
    })
    void aBankFault_settlesEveryItemOnce_andTheBanksBooksAgree(String programme, String bank, String faults) {
        world.bankFaults(bank, faults);
        String batchId = world.submit(gateway, "api", programme, PERIOD, 160, 0.05, (bank + faults).hashCode())
                .get("batchId").asString();

        Await.until("nothing of " + batchId + " in flight", SETTLE_TIMEOUT, () -> count("select count(*) from items i "
                + "join batches b using (batch_pk) where b.batch_id = ? and i.state in ('RECEIVED', 'VALIDATED', 'DISPATCHED')",
                batchId) == 0);
        world.clearBankFaults();

        for (String code : SimulatedWorld.ONLINE_BANKS) {
            auditedThroughTheBanksBooks(code, batchId);
        }
        assertThat(count("select count(*) from items i join batches b using (batch_pk) where b.batch_id = ? "
                + "and i.bank_code = ? and i.state = 'PAID'", batchId, bank)).as("the faulty bank still paid items").isPositive();
    }

    /** The bank's standing payments against the gateway's items of this bank, reference by reference. */
    private static void auditedThroughTheBanksBooks(String bank, String batchId) {
        BankBooks.audit(world, gateway, bank);
        assertThat(count("select count(*) from items i join batches b using (batch_pk) where b.batch_id = ? and i.bank_code = ? "
                + "and i.state = 'FAILED' and i.code is null", batchId, bank)).as(bank + ": every failed item has its code").isZero();
    }

    private static int count(String sql, Object... arguments) {
        return gateway.jdbc().queryForObject(sql, Integer.class, arguments);
    }
}
