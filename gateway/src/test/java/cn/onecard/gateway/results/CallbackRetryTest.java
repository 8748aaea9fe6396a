package cn.onecard.gateway.results;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.gateway.ledger.AlertKind;
import cn.onecard.gateway.ledger.Alerts;
import cn.onecard.gateway.ledger.BatchWriter;
import cn.onecard.gateway.ledger.ItemState;
import cn.onecard.gateway.ledger.ReportOutbox;
import cn.onecard.gateway.ledger.ReportedItem;
import cn.onecard.gateway.testing.ManualClock;
import com.sun.net.httpserver.HttpServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * "A treasury that is down for an hour loses nothing" (issue 4), in simulated time: the outbox and
 * the sender run on the ledger's schema in an embedded PostgreSQL, with a clock the test moves, against
 * a treasury endpoint that refuses every callback for more than an hour and then takes them. No sleeps:
 * each attempt is made when the test moves the clock to the time the row says it is due.
 */
class CallbackRetryTest {

    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final Instant START = Instant.parse("2026-11-23T01:00:00Z");
    private static final Duration OUTAGE = Duration.ofMinutes(65);

    /** One request as the treasury's endpoint saw it. */
    record Received(String body, String timestamp, String nonce, boolean signatureValid, int answered) {
    }

    /** A treasury endpoint that answers 503 while {@code down}, else 200, and keeps every request. */
    static final class Treasury implements AutoCloseable {
        private final HttpServer server;
        final List<Received> received = new CopyOnWriteArrayList<>();
        volatile boolean down = true;

        Treasury(Sm2KeyPair gatewayKeys) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/callbacks", exchange -> {
                try (exchange) {
                    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    String timestamp = exchange.getRequestHeaders().getFirst("X-OneCard-Timestamp");
                    String nonce = exchange.getRequestHeaders().getFirst("X-OneCard-Nonce");
                    String signature = exchange.getRequestHeaders().getFirst("X-OneCard-Signature");
                    boolean valid = signature != null && gatewayKeys.publicKey().verify(
                            (timestamp + "\n" + nonce + "\n" + body).getBytes(StandardCharsets.UTF_8),
                            Base64.getDecoder().decode(signature));
                    int status = down ? 503 : 200;
                    received.add(new Received(body, timestamp, nonce, valid, status));
                    exchange.sendResponseHeaders(status, -1);
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/callbacks";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private record Row(int sequence, String kind, String payload, int attempts, Instant nextAttemptAt, Instant deliveredAt,
            String lastError) {
    }

    private static EmbeddedPostgres postgres;
    private static DataSource dataSource;

    private final Sm2KeyPair gatewayKeys = Sm2.generateKeyPair();
    private final ManualClock clock = new ManualClock(START);
    private final JsonMapper json = JsonMapper.builder().build();
    private Treasury treasury;
    private BatchWriter batches;
    private CallbackSender sender;
    private long batchPk;

    @BeforeAll
    static void startDatabase() throws IOException {
        postgres = EmbeddedPostgres.start();
        dataSource = postgres.getPostgresDatabase();
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    @AfterAll
    static void stopDatabase() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void batchWithItsReportsInTheOutbox() throws Exception {
        treasury = new Treasury(gatewayKeys);
        ReportOutbox outbox = new ReportOutbox(json, clock, ZONE, 2);
        BatchWriter batches = new BatchWriter(outbox, clock);
        this.batches = batches;
        sender = senderListing(List.of("127.0.0.1"), InetAddress::getAllByName);
        String batchId = "RETRY-" + System.nanoTime();
        List<ReportedItem> items = List.of(
                new ReportedItem("0001", ItemState.PAID, "PAID", 9_000, "LYB", "OC00000000010000001", START.atOffset(ZoneOffset.UTC)),
                new ReportedItem("0002", ItemState.FAILED, "BANK_ACCOUNT_CLOSED", 9_100, "LYB", "OC00000000010000002",
                        START.atOffset(ZoneOffset.UTC)),
                new ReportedItem("0003", ItemState.REJECTED, "CARD_NUMBER_LUHN", 9_200, null, null, START.atOffset(ZoneOffset.UTC)));
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            batchPk = insertBatch(connection, batchId, items);
            outbox.enqueueResults(connection, batchPk, batchId, items);
            batches.itemsChanged(connection, batchPk, "test: every item final");
            connection.commit();
        }
    }

    @AfterEach
    void stop() throws SQLException {
        sender.close();
        treasury.close();
        // a test that failed half-way leaves nothing due for the next one's sender
        try (Connection connection = dataSource.getConnection();
                PreparedStatement settle = connection.prepareStatement("update callback_outbox set delivered_at = now() "
                        + "where delivered_at is null")) {
            settle.executeUpdate();
        }
    }

    private long insertBatch(Connection connection, String batchId, List<ReportedItem> items) throws SQLException {
        long pk;
        Timestamp now = Timestamp.from(START);
        try (PreparedStatement insert = connection.prepareStatement("insert into batches (client_id, batch_id, program_code, "
                + "program_name, period, payer_account, callback_url, item_count, total_amount_fen, content_sm3, source, state, "
                + "received_at, updated_at) values ('test-treasury', ?, 'P29', '困难残疾人生活补贴', '202611', '4103000001', ?, ?, ?, "
                + "'\\x00'::bytea, 'API', 'IN_PROGRESS', ?, ?) returning batch_pk")) {
            insert.setString(1, batchId);
            insert.setString(2, treasury.url());
            insert.setInt(3, items.size());
            insert.setLong(4, items.stream().mapToLong(ReportedItem::amountFen).sum());
            insert.setTimestamp(5, now);
            insert.setTimestamp(6, now);
            try (ResultSet rows = insert.executeQuery()) {
                rows.next();
                pk = rows.getLong(1);
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("insert into items (batch_pk, seq, item_id, holder_name, "
                + "id_number, card_number, amount_fen, household_head, state, code, bank_code, updated_at) "
                + "values (?, ?, ?, '张*', '110105********002X', '622848*********0011', ?, false, ?, ?, ?, ?)")) {
            for (int i = 0; i < items.size(); i++) {
                ReportedItem item = items.get(i);
                insert.setLong(1, pk);
                insert.setInt(2, i + 1);
                insert.setString(3, item.itemId());
                insert.setLong(4, item.amountFen());
                insert.setString(5, item.state().name());
                insert.setString(6, item.code());
                insert.setString(7, item.bankCode());
                insert.setTimestamp(8, now);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        return pk;
    }

    private List<Row> rows() throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("select sequence, kind, payload, attempts, next_attempt_at, "
                        + "delivered_at, last_error from callback_outbox where batch_pk = ? order by sequence")) {
            select.setLong(1, batchPk);
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    Timestamp delivered = result.getTimestamp(6);
                    rows.add(new Row(result.getInt(1), result.getString(2), result.getString(3), result.getInt(4),
                            result.getTimestamp(5).toInstant(), delivered == null ? null : delivered.toInstant(), result.getString(7)));
                }
            }
        }
        return rows;
    }

    private String batchState() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("select state from batches where batch_pk = ?")) {
            select.setLong(1, batchPk);
            try (ResultSet result = select.executeQuery()) {
                result.next();
                return result.getString(1);
            }
        }
    }

    /** The schedule docs/api.md promises, written out independently: 1 s doubling, at most 5 minutes. */
    private static Duration promisedDelay(int failures) {
        long seconds = 1;
        for (int n = 1; n < failures && seconds < 300; n++) {
            seconds *= 2;
        }
        return Duration.ofSeconds(Math.min(seconds, 300));
    }

    @Test
    void aTreasuryDownForMoreThanAnHour_isTriedOnTheCappedSchedule_withTheSamePayload_andGetsEachMessageOnce() throws Exception {
        treasury.down = true;
        List<Row> queued = rows();
        assertThat(queued).extracting(Row::kind).containsExactly("RESULTS", "RESULTS", "SUMMARY");
        String firstPayload = queued.getFirst().payload();

        List<Duration> delays = new ArrayList<>();
        while (clock.instant().isBefore(START.plus(OUTAGE))) {
            int requestsBefore = treasury.received.size();
            assertThat(sender.deliverDue()).as("nothing acknowledged while the treasury is down").isZero();
            assertThat(treasury.received).as("one attempt, of the batch's first message only").hasSize(requestsBefore + 1);
            Row head = rows().getFirst();
            assertThat(head.attempts()).isEqualTo(delays.size() + 1);
            assertThat(head.lastError()).isEqualTo("HTTP 503");
            assertThat(head.deliveredAt()).isNull();
            Duration delay = Duration.between(clock.instant(), head.nextAttemptAt());
            assertThat(delay).as("the delay after failure %d", head.attempts()).isEqualTo(promisedDelay(head.attempts()));
            delays.add(delay);

            // not a moment early: a millisecond before it is due, nothing is sent
            clock.set(head.nextAttemptAt().minusMillis(1));
            assertThat(sender.deliverDue()).isZero();
            assertThat(treasury.received).as("nothing sent before its time").hasSize(requestsBefore + 1);
            clock.set(head.nextAttemptAt());
        }

        // an hour and more of refusals: 9 doublings up to 256 s (511 s in all), then every 5 minutes
        assertThat(delays).startsWith(Stream.of(1, 2, 4, 8, 16, 32, 64, 128, 256).map(Duration::ofSeconds).toArray(Duration[]::new));
        assertThat(delays.subList(9, delays.size())).isNotEmpty().containsOnly(Duration.ofMinutes(5));
        assertThat(delays.stream().reduce(Duration.ZERO, Duration::plus)).isGreaterThanOrEqualTo(OUTAGE);
        int refusals = delays.size();
        assertThat(refusals).isEqualTo(9 + (int) Math.ceil((OUTAGE.toSeconds() - 511) / 300.0));
        assertThat(rows().subList(1, 3)).as("later messages wait for the first").allSatisfy(row -> {
            assertThat(row.attempts()).isZero();
            assertThat(row.deliveredAt()).isNull();
        });

        treasury.down = false;
        Instant upAt = clock.instant();
        assertThat(sender.deliverDue()).as("the first, then the rest in order").isEqualTo(3);

        List<Row> delivered = rows();
        assertThat(delivered).allSatisfy(row -> {
            assertThat(row.deliveredAt()).isEqualTo(upAt);
            assertThat(row.lastError()).isNull();
        });
        assertThat(delivered).extracting(Row::attempts).containsExactly(refusals + 1, 1, 1);
        assertThat(delivered).extracting(Row::payload).as("the stored payloads never change")
                .containsExactlyElementsOf(queued.stream().map(Row::payload).toList());

        List<Received> requests = List.copyOf(treasury.received);
        assertThat(requests).hasSize(refusals + 3);
        assertThat(requests.subList(0, refusals + 1)).as("every attempt carries the same payload, signed anew")
                .allSatisfy(request -> {
                    assertThat(request.body()).isEqualTo(firstPayload);
                    assertThat(request.signatureValid()).isTrue();
                });
        assertThat(requests).extracting(Received::nonce).doesNotHaveDuplicates();
        assertThat(requests.subList(refusals, refusals + 3)).extracting(Received::answered).containsOnly(200);
        assertThat(requests.subList(refusals, refusals + 3)).extracting(request -> json.readTree(request.body()).get("sequence").asInt())
                .containsExactly(1, 2, 3);
        assertThat(requests.subList(refusals, refusals + 3)).extracting(Received::timestamp)
                .as("signed at the time of the attempt").containsOnly(Long.toString(upAt.toEpochMilli()));
        assertThat(batchState()).as("the complete summary acknowledged").isEqualTo("REPORTED");

        // delivered once: nothing more is sent, however long the clock runs on
        clock.set(upAt.plus(Duration.ofHours(2)));
        assertThat(sender.deliverDue()).isZero();
        assertThat(treasury.received).hasSize(refusals + 3);
    }

    /** A sender whose client lists {@code hosts} as its callback hosts. */
    private CallbackSender senderListing(List<String> hosts, CallbackHosts.Resolver resolver) {
        return new CallbackSender(dataSource, clock, "onecard-gateway", gatewayKeys.privateKey(), "test-node", batches,
                new CallbackHosts(Map.of("test-treasury", hosts), resolver), new Alerts(dataSource, clock));
    }

    private List<String> alerts(AlertKind kind) throws SQLException {
        List<String> sources = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("select source from alerts where kind = ?")) {
            select.setString(1, kind.name());
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    sources.add(result.getString(1));
                }
            }
        }
        return sources;
    }

    @Test
    void aCallbackHostDroppedFromTheListAfterIntake_isNotSentTo_alerts_andIsDeliveredOnceListedAgain() throws Exception {
        treasury.down = false;
        sender.close();
        sender = senderListing(List.of("treasury.example.net"), InetAddress::getAllByName);
        int alertsBefore = alerts(AlertKind.CALLBACK_NOT_ALLOWED).size();

        assertThat(sender.deliverDue()).isZero();
        assertThat(treasury.received).as("nothing sent to a host no longer listed").isEmpty();
        Row head = rows().getFirst();
        assertThat(head.deliveredAt()).isNull();
        assertThat(head.lastError()).startsWith("callback host not allowed");
        assertThat(alerts(AlertKind.CALLBACK_NOT_ALLOWED)).hasSize(alertsBefore + 1);

        sender.close();
        sender = senderListing(List.of("127.0.0.1"), InetAddress::getAllByName);
        clock.set(head.nextAttemptAt());
        assertThat(sender.deliverDue()).isEqualTo(3);
        assertThat(treasury.received).as("each message once").hasSize(3);
    }

    @Test
    void aListedNameThatNowResolvesToLoopback_isNotSentTo() throws Exception {
        treasury.down = false;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement rename = connection.prepareStatement("update batches set callback_url = ? where batch_pk = ?")) {
            rename.setString(1, "http://treasury.example.net:" + URI.create(treasury.url()).getPort() + "/callbacks");
            rename.setLong(2, batchPk);
            rename.executeUpdate();
        }
        sender.close();
        // the name was public at intake; DNS now points it at this machine
        sender = senderListing(List.of("treasury.example.net"),
                host -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})});

        assertThat(sender.deliverDue()).isZero();
        assertThat(treasury.received).isEmpty();
        assertThat(rows().getFirst().lastError()).contains("resolves to 127.0.0.1");
    }

    @Test
    void aMessageLeasedByANodeThatDied_isTakenOverOnlyOnceTheDatabaseSaysTheLeaseRanOut_whateverThisNodesClockSays()
            throws Exception {
        // a node claimed the first message and died before any answer: its lease holds the row for an hour
        setLease("clock_timestamp() + interval '1 hour'");
        treasury.down = false;

        assertThat(sender.deliverDue()).as("leased by another node").isZero();
        clock.set(START.plus(Duration.ofDays(30)));
        assertThat(sender.deliverDue()).as("this node's clock running ahead does not end another node's lease").isZero();
        assertThat(treasury.received).isEmpty();

        setLease("clock_timestamp() - interval '1 millisecond'");
        clock.set(START);
        assertThat(sender.deliverDue()).as("the database says the lease ran out, even with this node's clock behind")
                .isEqualTo(3);
        assertThat(rows()).extracting(Row::attempts).containsExactly(1, 1, 1);
        assertThat(treasury.received).extracting(request -> json.readTree(request.body()).get("sequence").asInt())
                .containsExactly(1, 2, 3);
    }

    private void setLease(String until) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement lease = connection.prepareStatement("update callback_outbox set lease_owner = 'dead-node', "
                        + "lease_until = " + until + " where batch_pk = ? and sequence = 1")) {
            lease.setLong(1, batchPk);
            lease.executeUpdate();
        }
    }

    static Stream<Integer> failureCounts() {
        return Stream.concat(IntStream.rangeClosed(0, 40).boxed(), Stream.of(1_000, 1 << 20, Integer.MAX_VALUE - 1, Integer.MAX_VALUE));
    }

    @ParameterizedTest
    @MethodSource("failureCounts")
    void theBackoff_doublesFromOneSecond_isCappedAtFiveMinutes_andNeverShrinks(int failures) {
        Duration delay = CallbackSender.backoff(failures);
        assertThat(delay).isEqualTo(promisedDelay(Math.max(failures, 1)));
        assertThat(delay).isBetween(CallbackSender.BACKOFF_FIRST, CallbackSender.BACKOFF_MAX);
        if (failures < Integer.MAX_VALUE) {
            assertThat(CallbackSender.backoff(failures + 1)).isGreaterThanOrEqualTo(delay);
        }
    }
}
