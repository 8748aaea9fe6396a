package cn.onecard.simulators.treasury;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

class TreasuryControlTest {

    @TempDir
    Path dir;

    @Test
    void onlyABatchTheGatewayTook_isAudited_andARefusedOneIsNobodysEarlierPayment() throws Exception {
        Sm2KeyPair gatewayKeys = Sm2.generateKeyPair();
        Sm2KeyPair treasuryKeys = Sm2.generateKeyPair();
        AtomicInteger status = new AtomicInteger(409);
        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] answer = "{\"code\":\"BATCH_CONFLICT\",\"message\":\"known\",\"details\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        gateway.start();
        try {
            ResultBook book = new ResultBook();
            CallbackReceiver receiver = new CallbackReceiver(book, gatewayKeys.publicKey(), null, Clock.systemUTC(), null);
            BatchGenerator generator = new BatchGenerator(TreasuryFixtures.population(12, 20_000), dir.resolve("batches"));
            TreasuryControl control = new TreasuryControl(new TreasuryControl.Treasury("treasury-demo", treasuryKeys.privateKey(),
                    TreasuryFixtures.CALLBACK_URL, "4103000001", gatewayKeys.publicKey(), dir), generator, receiver,
                    new Auditor(Expectations.plausible(), Clock.systemUTC()), Clock.systemUTC());

            ObjectNode refused = Json.MAPPER.createObjectNode();
            refused.put("items", 300);
            refused.put("mode", "api");
            refused.put("apiUrl", "http://127.0.0.1:" + gateway.getAddress().getPort());
            refused.put("programme", "P29");
            refused.put("period", "202611");
            refused.put("batchId", "REFUSED-1");
            ObjectNode answer = control.generateAndSubmit(refused);
            assertThat(answer.get("httpStatus").asInt()).isEqualTo(409);
            assertThat(answer.get("handedOver").asBoolean()).isFalse();
            assertThat(book.knows("REFUSED-1")).isFalse();
            assertThat(dir.resolve("batches").resolve("REFUSED-1" + Manifest.SUFFIX)).doesNotExist();

            ObjectNode file = Json.MAPPER.createObjectNode();
            file.put("items", 300);
            file.put("mode", "file");
            file.put("inboxDir", Files.createDirectories(dir.resolve("inbox")).toString());
            file.put("programme", "P29");
            file.put("period", "202611");
            file.put("batchId", "FILE-2");
            file.put("badShare", 0.5);
            answer = control.generateAndSubmit(file);
            assertThat(answer.get("handedOver").asBoolean()).isTrue();
            assertThat(Path.of(answer.get("file").asString())).exists();
            assertThat(answer.get("kinds").has("DUPLICATE_ACROSS_BATCHES")).as("the refused batch is nobody's earlier payment").isFalse();
            assertThat(book.knows("FILE-2")).isTrue();
            AuditReport report = control.report(List.of("FILE-2"));
            assertThat(report.items()).isEqualTo(300);
            assertThat(report.issues()).extracting(AuditReport.Issue::check).contains(Auditor.MISSING_RESULT, Auditor.SUMMARY_MISSING);
        } finally {
            gateway.stop(0);
        }
    }

    @Test
    void aBatchIsInTheBookBeforeTheGatewayAnswers_soACallbackThatOvertakesTheAnswerCounts() throws Exception {
        Sm2KeyPair gatewayKeys = Sm2.generateKeyPair();
        Sm2KeyPair treasuryKeys = Sm2.generateKeyPair();
        ResultBook book = new ResultBook();
        // a gateway that reports items it rejects at intake before its 202 reaches the treasury
        java.util.concurrent.atomic.AtomicBoolean knownWhileSubmitting = new java.util.concurrent.atomic.AtomicBoolean();
        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            knownWhileSubmitting.set(book.knows("EARLY-3"));
            byte[] answer = "{\"batchId\":\"EARLY-3\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(202, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        gateway.start();
        try {
            CallbackReceiver receiver = new CallbackReceiver(book, gatewayKeys.publicKey(), null, Clock.systemUTC(), null);
            TreasuryControl control = new TreasuryControl(new TreasuryControl.Treasury("treasury-demo", treasuryKeys.privateKey(),
                    TreasuryFixtures.CALLBACK_URL, "4103000001", gatewayKeys.publicKey(), dir),
                    new BatchGenerator(TreasuryFixtures.population(12, 20_000), dir.resolve("batches")), receiver,
                    new Auditor(Expectations.plausible(), Clock.systemUTC()), Clock.systemUTC());
            ObjectNode request = Json.MAPPER.createObjectNode();
            request.put("items", 20);
            request.put("mode", "api");
            request.put("apiUrl", "http://127.0.0.1:" + gateway.getAddress().getPort());
            request.put("programme", "P29");
            request.put("period", "202611");
            request.put("batchId", "EARLY-3");

            ObjectNode answer = control.generateAndSubmit(request);

            assertThat(answer.get("handedOver").asBoolean()).isTrue();
            assertThat(knownWhileSubmitting.get()).as("registered before it was handed over").isTrue();
            assertThat(book.knows("EARLY-3")).isTrue();
        } finally {
            gateway.stop(0);
        }
    }

    @Test
    void faults_areSetThroughTheControlApi_andABadShareIsRefused() throws Exception {
        Sm2KeyPair gatewayKeys = Sm2.generateKeyPair();
        CallbackReceiver receiver = new CallbackReceiver(new ResultBook(), gatewayKeys.publicKey(), null, Clock.systemUTC(), null);
        TreasuryControl control = new TreasuryControl(new TreasuryControl.Treasury("treasury-demo", Sm2.generateKeyPair().privateKey(),
                TreasuryFixtures.CALLBACK_URL, "4103000001", gatewayKeys.publicKey(), dir), null, receiver,
                new Auditor(Expectations.plausible(), Clock.systemUTC()), Clock.systemUTC());
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        try (TreasuryServer server = TreasuryServer.start(new InetSocketAddress("127.0.0.1", 0), receiver, control.handlers())) {
            java.util.function.Function<String, java.net.http.HttpResponse<String>> post = body -> {
                try {
                    return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + TreasuryControl.FAULTS_PATH))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };

            var answer = post.apply("{\"downForMillis\": 2000, \"dropShare\": 0.1, \"errorShare\": 0.5, \"lostAckShare\": 0.25, \"seed\": 3}");
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(receiver.faults()).isEqualTo(new ReceiverFaults(java.time.Duration.ofSeconds(2), 0.1, 0.5, 0.25, 3));
            assertThat(Json.MAPPER.readTree(answer.body()).get("lostAckShare").asDouble()).isEqualTo(0.25);

            var refused = post.apply("{\"errorShare\": 2}");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("errorShare");
            assertThat(receiver.faults().errorShare()).as("unchanged").isEqualTo(0.5);

            assertThat(post.apply("{}").statusCode()).isEqualTo(200);
            assertThat(receiver.faults()).as("a field left out is off").isEqualTo(new ReceiverFaults(java.time.Duration.ZERO, 0, 0, 0,
                    receiver.faults().seed()));
        }
    }
}
