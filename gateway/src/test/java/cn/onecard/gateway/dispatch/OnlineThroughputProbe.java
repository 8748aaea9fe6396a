package cn.onecard.gateway.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.gateway.testing.GatewayTestSupport;
import cn.onecard.gateway.testing.People;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.Dialects;
import cn.onecard.iso8583.IsoServer;
import cn.onecard.iso8583.MacKeys;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A load driver, not a test (surefire runs it only when named): one batch of {@code probe.items}
 * items (60,000 by default) for an ISO 8583 bank (agent-bcd, MAC on every message, accounts
 * verified before each credit) whose host answers at once in this process over loopback, paid
 * through the gateway's own dispatcher with every state change committed; prints the rate from the
 * first item paid to the last. {@code probe.in-flight-max} and {@code probe.connections} set the
 * bank's limits. Command in docs/performance.md.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OnlineThroughputProbe {
    private static final Dialect BCD = Dialects.builtIn().get("agent-bcd");
    private static final SymmetricKey MAC_KEY = SymmetricKey.generate(KeyAlgorithm.SM4);
    static final IsoBankThroughTheGatewayTest.Host HOST = new IsoBankThroughTheGatewayTest.Host();
    static IsoServer server;
    private static final People people = new People(7L);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        GatewayTestSupport.register(registry);
        server = IsoServer.start(new IsoServer.Config(BCD).bind(new InetSocketAddress("127.0.0.1", 0))
                .macKeys(MacKeys.single(MAC_KEY)), (request, peer) -> HOST.handle(request));
        String bank = IsoBankThroughTheGatewayTest.registerIsoBank(registry, server, MAC_KEY);
        // the bank's limits as configured for it (in-flight-max 256 and 2 connections by default)
        for (String limit : new String[] {"in-flight-max", "connections"}) {
            String value = System.getProperty("probe." + limit);
            if (value != null) {
                registry.add(bank + "iso8583." + limit, () -> value);
            }
        }
        registry.add("onecard.dispatch.cycle-period", () -> "100ms");
        registry.add("onecard.dispatch.actions-per-cycle-max", () -> System.getProperty("probe.actions", "100000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void rate() throws Exception {
        int items = Integer.getInteger("probe.items", 60000);
        IsoBankThroughTheGatewayTest.submitBatch(port, people, items);
        long start = System.nanoTime();
        long firstPaid = 0;
        while (true) {
            int paid = jdbc.queryForObject("select count(*) from items where state = 'PAID'", Integer.class);
            if (paid > 0 && firstPaid == 0) {
                firstPaid = System.nanoTime();
            }
            // the intake holds the few the generated people repeat (duplicates across the batch); the rest are paid
            int moving = jdbc.queryForObject("select count(*) from items where state in ('RECEIVED', 'VALIDATED', 'DISPATCHED')",
                    Integer.class);
            if (paid > 0 && moving == 0) {
                assertThat(jdbc.queryForObject("select count(*) from items where state not in ('PAID', 'HELD')", Integer.class))
                        .as("every item not held is paid").isZero();
                assertThat(HOST.creditsByRrn.values()).as("each credited once").allMatch(count -> count.get() == 1);
                items = paid;
                break;
            }
            System.out.printf("PROBE %d paid after %.1f s%n", paid, (System.nanoTime() - start) / 1e9);
            Thread.sleep(500);
        }
        double seconds = (System.nanoTime() - firstPaid) / 1e9;
        System.out.printf("PROBE %d items paid in %.1f s from the first to the last: %.0f items/s%n", items, seconds,
                items / seconds);
        // each item from its claim into a dispatch to its payment committed: waiting for its turn in its set included
        Map<String, Object> latency = jdbc.queryForMap("select percentile_cont(0.5) within group (order by ms) as p50, "
                + "percentile_cont(0.99) within group (order by ms) as p99 from (select extract(epoch from p.at - d.at) * 1000 "
                + "as ms from item_events d join item_events p on p.batch_pk = d.batch_pk and p.seq = d.seq "
                + "where d.to_state = 'DISPATCHED' and p.to_state = 'PAID') as paid");
        System.out.printf("PROBE claimed to paid, committed: p50 %.0f ms, p99 %.0f ms%n", latency.get("p50"), latency.get("p99"));
        // the limit beneath: one-row transactions, each committed (and forced to disk) on its own
        jdbc.execute("create table probe_commits (n bigint)");
        long commitsStart = System.nanoTime();
        int commits = 0;
        while (System.nanoTime() - commitsStart < 3_000_000_000L) {
            jdbc.update("insert into probe_commits values (?)", commits++);
        }
        System.out.printf("PROBE bare PostgreSQL single-row commits: %.0f per second%n",
                commits / ((System.nanoTime() - commitsStart) / 1e9));
    }
}
