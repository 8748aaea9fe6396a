package cn.onecard.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.adapters.BankAdapter;
import cn.onecard.gateway.dispatch.BankCycle;
import cn.onecard.gateway.dispatch.BankReports;
import cn.onecard.gateway.intake.BatchIntake;
import cn.onecard.gateway.intake.BatchParser;
import cn.onecard.gateway.intake.IntakeStats;
import cn.onecard.gateway.intake.Nonces;
import cn.onecard.gateway.ledger.Alerts;
import cn.onecard.gateway.ledger.BankReferences;
import cn.onecard.gateway.ledger.BatchWriter;
import cn.onecard.gateway.ledger.DispatchWriter;
import cn.onecard.gateway.ledger.ItemWriter;
import cn.onecard.gateway.ledger.Leases;
import cn.onecard.gateway.ledger.ReportOutbox;
import cn.onecard.gateway.results.CallbackHosts;
import cn.onecard.gateway.validation.BankRouting;
import cn.onecard.gateway.validation.ItemChecks;
import cn.onecard.gateway.validation.SubsidyCatalogue;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's ledger without Spring: an embedded PostgreSQL with the ledger's schema, the writers,
 * the intake and bank cycles built by hand, on a clock the test moves. Batches come in through the
 * real intake (as inbox files do); banks are in-memory adapters; each cycle is run by the test, so
 * nothing waits on the wall clock.
 */
public final class Ledger implements AutoCloseable {

    public static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    public static final Instant START = Instant.parse("2026-11-23T02:00:00Z");
    public static final String CLIENT_ID = "test-treasury";
    public static final String LYB_BIN = "623595";
    public static final String ABC_BIN = "622848";
    public static final String ONLINE_BIN = "621700";
    /** Limits of the cycles the tests run: a retry pause of a minute, one resend, two inquiries, one reversal. */
    public static final BankCycle.Settings SETTINGS = new BankCycle.Settings(Duration.ofSeconds(30), Duration.ofMinutes(1), 1, 2,
            1, Duration.ofSeconds(30), 1_000, Duration.ofHours(1));

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final EmbeddedPostgres postgres;
    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final ManualClock clock = new ManualClock(START);
    private final ReportOutbox outbox;
    private final ItemWriter items;
    private final BatchWriter batches;
    private final DispatchWriter dispatches;
    private final Alerts alerts;
    private final BatchIntake intake;
    private final People people = new People(20261123L);
    private int batchNumber;

    private Ledger(EmbeddedPostgres postgres) {
        this.postgres = postgres;
        this.dataSource = postgres.getPostgresDatabase();
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        this.jdbc = new JdbcTemplate(dataSource);
        this.outbox = new ReportOutbox(JSON, clock, ZONE, 1_000);
        this.items = new ItemWriter(outbox, clock);
        this.batches = new BatchWriter(outbox, clock);
        this.alerts = new Alerts(dataSource, clock);
        this.dispatches = new DispatchWriter(dataSource, items, batches, alerts, clock,
                new DispatchWriter.Durations(SETTINGS.retryPause()));
        SubsidyCatalogue catalogue;
        try (InputStream in = Ledger.class.getResourceAsStream("/onecard/catalogue.properties")) {
            catalogue = SubsidyCatalogue.read(in, "catalogue.properties");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BankRouting routing = BankRouting.of(Map.of("LYB", List.of(LYB_BIN), "ABC", List.of(ABC_BIN), "ONL", List.of(ONLINE_BIN)));
        this.intake = new BatchIntake(dataSource, new BatchParser(100_000), new ItemChecks(routing), catalogue, items, batches,
                clock, ZONE, 64L << 20, new IntakeStats(), new CallbackHosts(Map.of(CLIENT_ID, List.of("127.0.0.1")),
                        java.net.InetAddress::getAllByName));
    }

    public static Ledger start() {
        try {
            return new Ledger(EmbeddedPostgres.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
        }
    }

    public ManualClock clock() {
        return clock;
    }

    public JdbcTemplate jdbc() {
        return jdbc;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public DispatchWriter dispatches() {
        return dispatches;
    }

    public ItemWriter items() {
        return items;
    }

    public BatchWriter batches() {
        return batches;
    }

    /** A cycle of {@code bank} run by this node ({@code test-node}), with {@link #SETTINGS}. */
    public BankCycle cycle(BankAdapter bank) {
        return cycle(bank, SETTINGS, "test-node");
    }

    public BankCycle cycle(BankAdapter bank, BankCycle.Settings settings, String node) {
        return new BankCycle(bank, dispatches, reports(bank, settings), new Leases(dataSource, node), clock, ZONE, settings);
    }

    public BankReports reports(BankAdapter bank, BankCycle.Settings settings) {
        return new BankReports(dataSource, items, dispatches, batches, alerts, clock, bank.bankCode(),
                BankCycle.rulesFor(bank.capabilities(), settings), bank.capabilities().resultDeadline());
    }

    /** One item of a batch to submit; {@code idNumber} null: a person of its own. */
    public record Item(String bin, long amountFen, String name, String idNumber) {
        public Item(String bin, long amountFen, String name) {
            this(bin, amountFen, name, null);
        }

        public static Item on(String bin, long amountFen) {
            return new Item(bin, amountFen, "李四");
        }

        /** The same item for this person. */
        public Item forPerson(String person) {
            return new Item(bin, amountFen, name, person);
        }
    }

    /** A valid identity number no other item of the tests uses. */
    public String newPerson() {
        return people.idNumber();
    }

    /** Submits a batch of programme P29 through the intake, as a verified inbox file; returns its id. */
    public String submit(Item... batchItems) {
        String batchId = "B" + (++batchNumber) + "-" + System.nanoTime();
        List<Map<String, Object>> list = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < batchItems.length; i++) {
            Item item = batchItems[i];
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("itemId", "item-" + i);
            json.put("name", item.name());
            json.put("idNumber", item.idNumber() != null ? item.idNumber() : people.idNumber());
            json.put("cardNumber", people.card(item.bin(), 19));
            json.put("amountFen", item.amountFen());
            list.add(json);
            total += item.amountFen();
        }
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("batchId", batchId);
        batch.put("programCode", "P29");
        batch.put("programName", "困难残疾人生活补贴");
        batch.put("period", "202611");
        batch.put("payerAccount", "4103000001");
        batch.put("callbackUrl", "http://127.0.0.1:9/callbacks");
        batch.put("itemCount", list.size());
        batch.put("totalAmountFen", total);
        batch.put("items", list);
        byte[] body = JSON.writeValueAsString(batch).getBytes(StandardCharsets.UTF_8);
        intake.submit(CLIENT_ID, BatchIntake.Source.API, BatchIntake.Format.JSON, new ByteArrayInputStream(body));
        return batchId;
    }

    /**
     * Routes the batch's items to {@code bankCode}: each test's own in-memory bank, so that tests
     * sharing the ledger never take each other's items.
     */
    public void routeTo(String batchId, String bankCode) {
        jdbc.update("update items i set bank_code = ? from batches b where b.batch_pk = i.batch_pk and b.batch_id = ?",
                bankCode, batchId);
    }

    /** The batch's items as {@code STATE:CODE}, in batch order. */
    public List<String> itemStates(String batchId) {
        return jdbc.queryForList("select i.state || ':' || coalesce(i.code, '') from items i join batches b using (batch_pk) "
                + "where b.batch_id = ? order by seq", String.class, batchId);
    }

    public String batchState(String batchId) {
        return jdbc.queryForObject("select state from batches where batch_id = ?", String.class, batchId);
    }

    /** The dispatches holding (or having held) the batch's items, as {@code STATE}, oldest first. */
    public List<String> dispatchStates(String bankCode) {
        return jdbc.queryForList("select state from dispatches where bank_code = ? order by dispatch_pk", String.class, bankCode);
    }

    public int count(String sql, Object... arguments) {
        return jdbc.queryForObject(sql, Integer.class, arguments);
    }

    /**
     * Audits the ledger through a bank's own books: every reference the bank holds as paid is PAID in
     * the ledger with the same amount, or not settled there yet (DISPATCHED, UNKNOWN), never failed or
     * withdrawn; one the bank paid and then reversed (0) is not PAID; every item of the bank PAID in the
     * ledger was paid by the bank, to the fen.
     */
    public void auditThroughTheBanksBooks(String bankCode, Map<String, Long> paidAtBank) {
        Map<String, String> states = new HashMap<>();
        Map<String, Long> amounts = new HashMap<>();
        jdbc.query("select batch_pk, seq, state, amount_fen from items where bank_code = ?", row -> {
            String reference = BankReferences.of(row.getLong(1), row.getInt(2));
            states.put(reference, row.getString(3));
            amounts.put(reference, row.getLong(4));
        }, bankCode);
        paidAtBank.forEach((reference, paid) -> {
            assertThat(states).as("the bank paid %s, an item of its own", reference).containsKey(reference);
            if (paid == 0) {
                assertThat(states.get(reference)).as("%s was reversed at the bank", reference).isNotEqualTo("PAID");
            } else {
                assertThat(states.get(reference)).as("%s was paid at the bank", reference).isIn("PAID", "DISPATCHED", "UNKNOWN");
                assertThat(paid).as("%s paid once, its own amount", reference).isEqualTo(amounts.get(reference));
            }
        });
        states.forEach((reference, state) -> {
            if (state.equals("PAID")) {
                assertThat(paidAtBank.get(reference)).as("%s is PAID in the ledger", reference).isEqualTo(amounts.get(reference));
            }
        });
    }

    /** Open alerts of a kind. */
    public int alerts(String kind) {
        return count("select count(*) from alerts where kind = ?", kind);
    }

    /** Items of the batch holding their person's entitlement, by position. */
    public List<Integer> entitledSeqs(String batchId) {
        return jdbc.queryForList("select e.seq from entitlements e join batches b using (batch_pk) where b.batch_id = ? "
                + "order by e.seq", Integer.class, batchId);
    }

    /** RESULTS reports of the batch in the outbox: item id to its states in order. */
    public Map<String, List<String>> reports(String batchId) {
        Map<String, List<String>> reports = new LinkedHashMap<>();
        for (String payload : jdbc.queryForList("select o.payload from callback_outbox o join batches b using (batch_pk) "
                + "where b.batch_id = ? and o.kind = 'RESULTS' order by o.sequence", String.class, batchId)) {
            JSON.readTree(payload).get("items").forEach(item -> reports.computeIfAbsent(item.get("itemId").asString(),
                    k -> new ArrayList<>()).add(item.get("state").asString() + ":" + item.get("code").asString()));
        }
        return reports;
    }

    /** The batch's last SUMMARY report, as JSON text; null when it has none. */
    public String lastSummary(String batchId) {
        List<String> summaries = jdbc.queryForList("select o.payload from callback_outbox o join batches b using (batch_pk) "
                + "where b.batch_id = ? and o.kind = 'SUMMARY' order by o.sequence desc limit 1", String.class, batchId);
        return summaries.isEmpty() ? null : summaries.getFirst();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
