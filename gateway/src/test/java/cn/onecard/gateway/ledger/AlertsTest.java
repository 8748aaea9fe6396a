package cn.onecard.gateway.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.gateway.testing.Ledger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An alert raised by many at once is stored once while it stays open. */
class AlertsTest {

    private static Ledger ledger;

    @BeforeAll
    static void startLedger() {
        ledger = Ledger.start();
    }

    @AfterAll
    static void stopLedger() {
        ledger.close();
    }

    @Test
    void theSameAlertRaisedAtOnceByManyThreads_isStoredOnce() throws Exception {
        Alerts alerts = new Alerts(ledger.dataSource(), Clock.systemUTC());
        for (int round = 0; round < 20; round++) {
            String source = "alerts-test-" + round;
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> raised = new ArrayList<>();
            try (ExecutorService threads = Executors.newFixedThreadPool(6)) {
                for (int thread = 0; thread < 6; thread++) {
                    raised.add(threads.submit(() -> {
                        start.await();
                        alerts.raise(null, AlertKind.TREASURY_INBOX_UNREACHABLE, source, "the same failure, seen by each");
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> each : raised) {
                    each.get();
                }
            }
            assertThat(ledger.count("select count(*) from alerts where source = ?", source)).as("round " + round).isEqualTo(1);
        }
    }
}
