package cn.onecard.simulators.treasury;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchSubmitterTest {

    private static final Instant NOW = Instant.parse("2026-11-23T01:00:00Z");

    /** What the fake gateway saw of one request. */
    record Seen(String path, String client, String timestamp, String nonce, String signature, byte[] body) {
    }

    @Test
    void aSubmittedBatch_carriesASignatureThatCryptoVerifies(@TempDir Path dir) throws Exception {
        Sm2KeyPair treasury = Sm2.generateKeyPair();
        AtomicReference<Seen> seen = new AtomicReference<>();
        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            seen.set(new Seen(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("X-OneCard-Client"),
                    exchange.getRequestHeaders().getFirst("X-OneCard-Timestamp"), exchange.getRequestHeaders().getFirst("X-OneCard-Nonce"),
                    exchange.getRequestHeaders().getFirst("X-OneCard-Signature"), body));
            byte[] answer = "{\"batchId\":\"SUB-1\",\"state\":\"RECEIVED\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(202, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        gateway.start();
        try {
            BatchGenerator generator = new BatchGenerator(TreasuryFixtures.population(6, 5_000), dir.resolve("batches"));
            Path body;
            try (GeneratedBatch batch = generator.generate(TreasuryFixtures.spec("SUB-1", "P29", 300, 0.1, 6))) {
                body = batch.writeApiBody(dir.resolve("SUB-1.json"));
            }
            BatchSubmitter submitter = new BatchSubmitter("http://127.0.0.1:" + gateway.getAddress().getPort(), "treasury-demo",
                    treasury.privateKey(), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(30));
            BatchSubmitter.Answer answer = submitter.submit(body);

            assertThat(answer.status()).isEqualTo(202);
            assertThat(answer.accepted()).isTrue();
            Seen request = seen.get();
            assertThat(request.path()).isEqualTo("/api/v1/batches");
            assertThat(request.client()).isEqualTo("treasury-demo");
            assertThat(request.timestamp()).isEqualTo(Long.toString(NOW.toEpochMilli()));
            assertThat(request.nonce()).matches("[0-9A-Za-z_-]{8,64}");
            assertThat(request.body()).isEqualTo(java.nio.file.Files.readAllBytes(body));
            // verified with crypto's own verifier over the text docs/api.md names
            byte[] signed = (request.timestamp() + "\n" + request.nonce() + "\n" + new String(request.body(), StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            assertThat(treasury.publicKey().verify(signed, Base64.getDecoder().decode(request.signature()))).isTrue();
            byte[] other = (request.timestamp() + "\n" + request.nonce() + "\n" + "{}").getBytes(StandardCharsets.UTF_8);
            assertThat(treasury.publicKey().verify(other, Base64.getDecoder().decode(request.signature()))).isFalse();
            assertThat(Json.MAPPER.readTree(request.body()).get("items")).hasSize(300);
        } finally {
            gateway.stop(0);
        }
    }

    @Test
    void theApiUrl_mayBeTheBaseOrTheBatchesUrl() throws IOException {
        assertThat(BatchSubmitter.batchesUri("http://gw:8080").toString()).isEqualTo("http://gw:8080/api/v1/batches");
        assertThat(BatchSubmitter.batchesUri("http://gw:8080/").toString()).isEqualTo("http://gw:8080/api/v1/batches");
        assertThat(BatchSubmitter.batchesUri("https://gw/api/v1/batches").toString()).isEqualTo("https://gw/api/v1/batches");
    }
}
