package cn.onecard.simulators.treasury;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.crypto.Sm2PrivateKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

class CallbackReceiverTest {

    /** A clock the test moves by hand, so that windows are tested without waiting. */
    static final class ManualClock extends Clock {
        volatile Instant now = Instant.parse("2026-11-23T01:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @TempDir
    Path dir;

    private final Sm2KeyPair gatewayKeys = Sm2.generateKeyPair();
    private final ManualClock clock = new ManualClock();
    private final HttpClient http = HttpClient.newHttpClient();
    private ResultBook book;
    private CallbackReceiver receiver;
    private TreasuryServer server;
    private GatewayScript gateway;

    @BeforeEach
    void start() throws IOException {
        BatchGenerator generator = new BatchGenerator(TreasuryFixtures.population(9, 5_000), dir.resolve("batches"));
        try (GeneratedBatch batch = generator.generate(TreasuryFixtures.spec("CB-1", "P29", 50, 0.2, 9))) {
            book = new ResultBook();
            book.register(batch.manifest());
            gateway = GatewayScript.correct(batch.manifest());
        }
        receiver = new CallbackReceiver(book, gatewayKeys.publicKey(), "onecard-gateway", clock, dir.resolve("callbacks.jsonl"));
        server = TreasuryServer.start(new InetSocketAddress("127.0.0.1", 0), receiver, Map.of());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(ObjectNode body, Sm2PrivateKey key, long timestampMillis, String nonce) throws Exception {
        byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
        RequestSigning.Headers headers = RequestSigning.sign("onecard-gateway", key, timestampMillis, nonce, bytes);
        return http.send(HttpRequest.newBuilder(URI.create(server.callbackUrl()))
                .header(RequestSigning.CLIENT, headers.client())
                .header(RequestSigning.TIMESTAMP, headers.timestamp())
                .header(RequestSigning.NONCE, headers.nonce())
                .header(RequestSigning.SIGNATURE, headers.signature())
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(ObjectNode body) throws Exception {
        return post(body, gatewayKeys.privateKey(), clock.millis(), RequestSigning.newNonce());
    }

    @Test
    void signedCallbacks_areAcknowledged_andAuditPasses() throws Exception {
        for (ObjectNode body : gateway.bodies(20)) {
            assertThat(post(body).statusCode()).isEqualTo(200);
        }
        assertThat(new Auditor(Expectations.plausible(), clock).audit(book).passed()).isTrue();
        assertThat(book.callbacks()).isEqualTo(4);
    }

    @Test
    void aCallbackSignedByAnotherKey_isRefused401_counted_andNotFiled() throws Exception {
        HttpResponse<String> response = post(gateway.resultsBody(1, gateway.results), Sm2.generateKeyPair().privateKey(), clock.millis(),
                RequestSigning.newNonce());
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("\"code\":\"SIGNATURE_INVALID\"");
        assertThat(book.badSignatures()).isEqualTo(1);
        assertThat(book.callbacks()).isZero();
        AuditReport report = new Auditor(Expectations.plausible(), clock).audit(book);
        assertThat(report.issues()).extracting(AuditReport.Issue::check).contains(Auditor.BAD_SIGNATURE, Auditor.MISSING_RESULT);
    }

    @Test
    void aTamperedBody_isRefused401() throws Exception {
        ObjectNode body = gateway.resultsBody(1, gateway.results);
        byte[] signed = Json.MAPPER.writeValueAsBytes(body);
        RequestSigning.Headers headers = RequestSigning.sign("onecard-gateway", gatewayKeys.privateKey(), clock.millis(),
                RequestSigning.newNonce(), signed);
        byte[] tampered = new String(signed, StandardCharsets.UTF_8).replaceFirst("\"amountFen\":\\d+", "\"amountFen\":1").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.callbackUrl()))
                .header(RequestSigning.CLIENT, headers.client()).header(RequestSigning.TIMESTAMP, headers.timestamp())
                .header(RequestSigning.NONCE, headers.nonce()).header(RequestSigning.SIGNATURE, headers.signature())
                .POST(HttpRequest.BodyPublishers.ofByteArray(tampered)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(book.badSignatures()).isEqualTo(1);
    }

    @Test
    void staleTimestamps_andReplayedNonces_areRefused() throws Exception {
        ObjectNode body = gateway.resultsBody(1, gateway.results.subList(0, 5));
        assertThat(post(body, gatewayKeys.privateKey(), clock.millis() - Duration.ofMinutes(6).toMillis(), RequestSigning.newNonce())
                .body()).contains("TIMESTAMP_OUT_OF_WINDOW");
        String nonce = RequestSigning.newNonce();
        assertThat(post(body, gatewayKeys.privateKey(), clock.millis(), nonce).statusCode()).isEqualTo(200);
        HttpResponse<String> replay = post(gateway.resultsBody(2, gateway.results.subList(5, 10)), gatewayKeys.privateKey(), clock.millis(), nonce);
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(replay.body()).contains("NONCE_REPLAYED");
        assertThat(book.record("CB-1").sequences.get(2)).isFalse();
    }

    @Test
    void aRepeatedSequence_isAcknowledged_andCountedOnce() throws Exception {
        GatewayScript.Result first = gateway.results.getFirst();
        assertThat(post(gateway.resultsBody(1, List.of(first))).statusCode()).isEqualTo(200);
        // the same sequence again, now (wrongly) saying something else: a repeat is a no-op
        gateway.replace(first.itemId(), "FAILED", "BANK_ACCOUNT_CLOSED");
        assertThat(post(gateway.resultsBody(1, List.of(gateway.result(first.itemId())))).statusCode()).isEqualTo(200);
        assertThat(book.repeats()).isEqualTo(1);
        assertThat(book.callbacks()).isEqualTo(1);
        ResultBook.BatchRecord record = book.record("CB-1");
        int position = record.position(first.itemId());
        assertThat(book.name(record.state[position])).isEqualTo(first.state());
        assertThat(record.finalReports[position]).isEqualTo((byte) 1);
    }

    @Test
    void aTreasuryDown_answers503UntilItsTimeIsUp() throws Exception {
        receiver.faults(new ReceiverFaults(Duration.ofMinutes(1), 0, 1));
        assertThat(post(gateway.resultsBody(1, gateway.results)).statusCode()).isEqualTo(503);
        clock.now = clock.now.plus(Duration.ofSeconds(61));
        assertThat(post(gateway.resultsBody(1, gateway.results)).statusCode()).isEqualTo(200);
        assertThat(book.record("CB-1").sequences.get(1)).isTrue();
    }

    @Test
    void aDroppedConnection_getsNoAnswer_andFilesNothing() throws Exception {
        receiver.faults(new ReceiverFaults(Duration.ZERO, 1.0, 1));
        assertThatThrownBy(() -> post(gateway.resultsBody(1, gateway.results))).isInstanceOf(IOException.class);
        assertThat(book.callbacks()).isZero();
        receiver.faults(ReceiverFaults.none());
        assertThat(post(gateway.resultsBody(1, gateway.results)).statusCode()).isEqualTo(200);
    }

    @Test
    void anErrorFault_answers500_filesNothing_andCounts() throws Exception {
        receiver.faults(new ReceiverFaults(Duration.ZERO, 0, 1.0, 0, 1));
        ObjectNode body = gateway.resultsBody(1, gateway.results);
        HttpResponse<String> response = post(body);
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).contains("\"code\":\"INTERNAL_ERROR\"");
        assertThat(book.callbacks()).isZero();
        assertThat(book.record("CB-1").sequences.get(1)).isFalse();

        receiver.faults(ReceiverFaults.none());
        assertThat(post(body).statusCode()).as("the same callback, sent again").isEqualTo(200);
        AuditReport.Counters counters = new Auditor(Expectations.plausible(), clock).audit(book).counters();
        assertThat(counters.answeredWithError()).isEqualTo(1);
        assertThat(counters.callbacks()).isEqualTo(1);
        assertThat(counters.repeats()).as("nothing was filed the first time").isZero();
    }

    @Test
    void aLostAcknowledgement_filesTheCallback_givesNoAnswer_andTheResendIsARepeat() throws Exception {
        receiver.faults(new ReceiverFaults(Duration.ZERO, 0, 0, 1.0, 1));
        ObjectNode body = gateway.resultsBody(1, gateway.results);
        assertThatThrownBy(() -> post(body)).isInstanceOf(IOException.class);
        assertThat(book.callbacks()).as("filed although unanswered").isEqualTo(1);
        assertThat(book.record("CB-1").sequences.get(1)).isTrue();

        receiver.faults(ReceiverFaults.none());
        assertThat(post(body).statusCode()).isEqualTo(200);
        AuditReport.Counters counters = new Auditor(Expectations.plausible(), clock).audit(book).counters();
        assertThat(counters.acknowledgementsLost()).isEqualTo(1);
        assertThat(counters.repeats()).isEqualTo(1);
        assertThat(counters.callbacks()).isEqualTo(1);
        ResultBook.BatchRecord record = book.record("CB-1");
        for (int position = 0; position < record.size(); position++) {
            assertThat(record.finalReports[position]).as("item %s reported final once", record.itemId(position)).isEqualTo((byte) 1);
        }
    }

    @Test
    void faultShares_areDrawnFromTheSeed_soARunIsRepeatable() throws Exception {
        List<Integer> first = statusesUnder(new ReceiverFaults(Duration.ZERO, 0, 0.5, 0, 42), 1);
        List<Integer> again = statusesUnder(new ReceiverFaults(Duration.ZERO, 0, 0.5, 0, 42), 100);
        assertThat(again).isEqualTo(first);
        assertThat(first).contains(200, 500);
    }

    /** Statuses of 20 callbacks (sequences from {@code firstSequence}) under these faults. */
    private List<Integer> statusesUnder(ReceiverFaults faults, int firstSequence) throws Exception {
        receiver.faults(faults);
        List<Integer> statuses = new java.util.ArrayList<>();
        for (int n = 0; n < 20; n++) {
            statuses.add(post(gateway.resultsBody(firstSequence + n, gateway.results.subList(0, 1))).statusCode());
        }
        return statuses;
    }

    @Test
    void badShares_areRefused() {
        assertThatThrownBy(() -> new ReceiverFaults(Duration.ZERO, 0, 1.5, 0, 1)).hasMessageContaining("errorShare");
        assertThatThrownBy(() -> new ReceiverFaults(Duration.ZERO, 0, 0, -0.1, 1)).hasMessageContaining("lostAckShare");
        assertThatThrownBy(() -> new ReceiverFaults(Duration.ZERO, Double.NaN, 1)).hasMessageContaining("dropShare");
    }

    @Test
    void theJournal_replaysToTheSameAudit() throws Exception {
        post(gateway.resultsBody(1, gateway.results), Sm2.generateKeyPair().privateKey(), clock.millis(), RequestSigning.newNonce());
        List<ObjectNode> bodies = gateway.bodies(20);
        // the first body: answered 500, then filed with its acknowledgement lost, then a repeat
        receiver.faults(new ReceiverFaults(Duration.ZERO, 0, 1.0, 0, 1));
        post(bodies.getFirst());
        receiver.faults(new ReceiverFaults(Duration.ZERO, 0, 0, 1.0, 1));
        assertThatThrownBy(() -> post(bodies.getFirst())).isInstanceOf(IOException.class);
        receiver.faults(ReceiverFaults.none());
        for (ObjectNode body : bodies) {
            post(body);
        }
        ResultBook replayed = new ResultBook();
        replayed.registerAll(dir.resolve("batches"));
        replayed.replay(dir.resolve("callbacks.jsonl"));
        Auditor auditor = new Auditor(Expectations.plausible(), clock);
        assertThat(auditor.audit(replayed)).isEqualTo(auditor.audit(book));
        assertThat(auditor.audit(replayed).counters().answeredWithError()).isEqualTo(1);
        assertThat(auditor.audit(replayed).counters().acknowledgementsLost()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("callbacks.jsonl"))).contains("{\"refused\":\"SIGNATURE_INVALID\"}");
    }

    @Test
    void aBodyThatIsNoCallback_isRefused400() throws Exception {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("type", "SOMETHING");
        assertThat(post(body).statusCode()).isEqualTo(400);
    }
}
