package cn.onecard.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.gateway.testing.BankBooks;
import cn.onecard.gateway.testing.GatewayNode;
import cn.onecard.gateway.testing.SimulatedWorld;
import cn.onecard.iso8583.Dialects;
import cn.onecard.iso8583.ExchangeOutcome;
import cn.onecard.iso8583.IsoClient;
import cn.onecard.iso8583.MacKeys;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The online banks' benchmark in its full form, a load driver and not a test (surefire runs it only
 * when named; command in docs/performance.md): the simulators in their own process, their ISO 8583
 * bank (agent-bcd, SM4 MAC on every message, its books forced to disk) and their HTTP bank (SM2 on
 * every request and answer, TLS); one gateway per bank with only that bank configured, on its
 * embedded PostgreSQL with every state change committed, accounts verified before each credit. For
 * each bank: a batch with {@code probe.items} items for it (four times as many in all; the others'
 * cards are refused at intake, their banks not being configured), the rate from the first item paid
 * to the last, each item's time from its claim and from its send's start to its payment committed,
 * and the bank's own books audited against the gateway's. Then, in the same run, the limits beneath:
 * bare echo exchanges with the ISO 8583 bank (the same line, no ledger) and single-row commits on
 * the gateway's PostgreSQL. {@code probe.in-flight-max} and {@code probe.connections} set the
 * banks' limits in the gateway; {@code probe.banks} names the banks to run (both by default).
 */
class OnlineBanksBenchmarkProbe {

    private static final String PERIOD = "202612";

    @Test
    void benchmark() {
        int perBank = Integer.getInteger("probe.items", 20_000);
        long seed = Long.getLong("probe.seed", 20261208L);
        Map<String, String> limits = new HashMap<>();
        for (String code : SimulatedWorld.ONLINE_BANKS) {
            String kind = code.equals("HNNX") ? "iso8583." : "http.";
            for (String limit : new String[] {"in-flight-max", "connections"}) {
                String value = System.getProperty("probe." + limit);
                if (value != null && (kind.equals("iso8583.") || limit.equals("in-flight-max"))) {
                    limits.put("onecard.banks." + code + "." + kind + limit, value);
                }
            }
            limits.put("onecard.banks." + code + "." + kind + "request-timeout", "10s");
        }
        limits.put("onecard.dispatch.actions-per-cycle-max", "100000");
        limits.put("logging.level.cn.onecard", "WARN");
        System.out.printf("PROBE %d items per bank, seed %d, limits %s%n", perBank, seed, limits);
        try (SimulatedWorld world = SimulatedWorld.start(seed, Math.max(100_000, perBank * 4 * 5 / 4 * 2), true)) {
            String programme = "P29";
            for (String bank : System.getProperty("probe.banks", String.join(",", SimulatedWorld.ONLINE_BANKS)).split(",")) {
                try (GatewayNode gateway = world.startGatewayFor(Set.of(bank), world.newDataDir(bank), limits)) {
                    paidThrough(world, gateway, bank, programme, perBank * 4, seed);
                    if (bank.equals("HNNX")) {
                        bareEchoes(world, bank);
                    }
                    bareCommits(gateway);
                }
                programme = "P30";
            }
        }
    }

    private static void paidThrough(SimulatedWorld world, GatewayNode gateway, String bank, String programme, int items,
            long seed) {
        long submitted = System.nanoTime();
        String batchId = world.submit(gateway, "api", programme, PERIOD, items, 0.0, seed).get("batchId").asString();
        // polled once a second: a count over every item is load of its own
        while (true) {
            Map<String, Object> progress = gateway.jdbc().queryForMap("select count(*) filter (where state = 'PAID') as paid, "
                    + "count(*) filter (where state in ('RECEIVED', 'VALIDATED', 'DISPATCHED')) as moving from items");
            System.out.printf("PROBE %s: %s after %.0f s%n", bank, progress, (System.nanoTime() - submitted) / 1e9);
            if (((Number) progress.get("moving")).longValue() == 0) {
                break;
            }
            assertThat(System.nanoTime() - submitted).as("settled within 30 minutes").isLessThan(TimeUnit.MINUTES.toNanos(30));
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        Map<String, Object> rate = gateway.jdbc().queryForMap("select count(*) as paid, "
                + "extract(epoch from max(at) - min(at)) as seconds from item_events where to_state = 'PAID'");
        long paid = ((Number) rate.get("paid")).longValue();
        double seconds = ((Number) rate.get("seconds")).doubleValue();
        System.out.printf("PROBE %s: %d items paid in %.1f s from the first to the last: %.0f items/s%n", bank, paid, seconds,
                paid / seconds);
        // claimed: its wait for a turn in its set included; send started: that send's start committed, then the credit
        Map<String, Object> claimed = gateway.jdbc().queryForMap("select percentile_cont(0.5) within group (order by ms) as p50, "
                + "percentile_cont(0.99) within group (order by ms) as p99 from (select extract(epoch from p.at - d.at) * 1000 "
                + "as ms from item_events d join item_events p on p.batch_pk = d.batch_pk and p.seq = d.seq "
                + "where d.to_state = 'DISPATCHED' and p.to_state = 'PAID') as paid");
        Map<String, Object> sent = gateway.jdbc().queryForMap("select percentile_cont(0.5) within group (order by ms) as p50, "
                + "percentile_cont(0.99) within group (order by ms) as p99 from (select extract(epoch from p.at - s.at) * 1000 "
                + "as ms from items i join dispatch_events s on s.dispatch_pk = i.dispatch_pk and s.to_state = 'SENDING' "
                + "join item_events p on p.batch_pk = i.batch_pk and p.seq = i.seq and p.to_state = 'PAID') as paid");
        System.out.printf("PROBE %s: claimed to paid, committed: p50 %.0f ms, p99 %.0f ms; send started to paid: p50 %.0f ms, "
                + "p99 %.0f ms%n", bank, claimed.get("p50"), claimed.get("p99"), sent.get("p50"), sent.get("p99"));
        int standing = BankBooks.audit(world, gateway, bank);
        assertThat(gateway.jdbc().queryForObject("select count(*) from items where state not in ('PAID', 'REJECTED', 'HELD')",
                Integer.class)).as("every item of the bank paid").isZero();
        System.out.printf("PROBE %s: the bank's books hold %d payments, none twice, equal to the gateway's%n", bank, standing);
    }

    /** Echo exchanges with the bank's host over one connection, many in flight: the line and the host's framing and MAC. */
    private static void bareEchoes(SimulatedWorld world, String bank) {
        int inFlight = Integer.getInteger("probe.echo-in-flight", 256);
        SymmetricKey macKey = SymmetricKey.of(KeyAlgorithm.SM4, HexFormat.of().parseHex(world.isoMacKeyHex()));
        try (IsoClient client = IsoClient.start(new IsoClient.Config(Dialects.builtIn().get("agent-bcd"),
                world.isoBankAddress(bank)).connections(1).inFlightMax(inFlight).echoInterval(Duration.ZERO)
                .identityField("41", "ONECARD1").identityField("32", "00000000").macKeys(MacKeys.single(macKey)))) {
            assertThat(client.awaitConnected(Duration.ofSeconds(10))).isTrue();
            for (int round = 0; round < 2; round++) { // the first warms both sides up
                Semaphore slots = new Semaphore(inFlight);
                AtomicInteger answered = new AtomicInteger();
                AtomicInteger failed = new AtomicInteger();
                long[] micros = new long[2_000_000];
                AtomicLong taken = new AtomicLong();
                long start = System.nanoTime();
                long end = start + TimeUnit.SECONDS.toNanos(5);
                while (System.nanoTime() < end) {
                    slots.acquireUninterruptibly();
                    client.echo().whenComplete((outcome, failure) -> {
                        if (outcome instanceof ExchangeOutcome.Answered done) {
                            answered.incrementAndGet();
                            long index = taken.getAndIncrement();
                            if (index < micros.length) {
                                micros[(int) index] = done.elapsed().toNanos() / 1_000;
                            }
                        } else {
                            failed.incrementAndGet();
                        }
                        slots.release();
                    });
                }
                slots.acquireUninterruptibly(inFlight);
                double seconds = (System.nanoTime() - start) / 1e9;
                long[] sorted = Arrays.copyOf(micros, (int) Math.min(taken.get(), micros.length));
                Arrays.sort(sorted);
                if (round == 1) {
                    System.out.printf("PROBE bare iso8583 echoes with %s (one connection, %d in flight, SM4 MAC both ways): "
                            + "%.0f pairs/s, p50 %.2f ms, p99 %.2f ms, %d failed%n", bank, inFlight, answered.get() / seconds,
                            sorted[sorted.length / 2] / 1e3, sorted[(int) (sorted.length * 0.99)] / 1e3, failed.get());
                }
            }
        }
    }

    /** One-row transactions on the gateway's PostgreSQL, each committed (and forced to disk) on its own. */
    private static void bareCommits(GatewayNode gateway) {
        gateway.jdbc().execute("create table probe_commits (n bigint)");
        long start = System.nanoTime();
        int commits = 0;
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3)) {
            gateway.jdbc().update("insert into probe_commits values (?)", commits++);
        }
        System.out.printf("PROBE bare PostgreSQL single-row commits: %.0f per second%n", commits / ((System.nanoTime() - start) / 1e9));
    }
}
