package cn.onecard.gateway.testing;

import cn.onecard.crypto.Sm2PublicKey;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A treasury's callback endpoint for tests: checks the gateway's signature, records what arrives. */
public final class CallbackRecorder implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final Sm2PublicKey gatewayKey;
    private final List<JsonNode> accepted = new CopyOnWriteArrayList<>();
    private final AtomicInteger badSignatures = new AtomicInteger();
    private final AtomicInteger refusalsLeft = new AtomicInteger();

    public CallbackRecorder(Sm2PublicKey gatewayKey) {
        this.gatewayKey = gatewayKey;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/callbacks", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String timestamp = exchange.getRequestHeaders().getFirst("X-OneCard-Timestamp");
            String nonce = exchange.getRequestHeaders().getFirst("X-OneCard-Nonce");
            String signature = exchange.getRequestHeaders().getFirst("X-OneCard-Signature");
            byte[] signed = (timestamp + "\n" + nonce + "\n" + new String(body, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            int status;
            if (signature == null || !gatewayKey.verify(signed, Base64.getDecoder().decode(signature))) {
                badSignatures.incrementAndGet();
                status = 401;
            } else if (refusalsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                status = 503;
            } else {
                accepted.add(JSON.readTree(body));
                status = 200;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/callbacks";
    }

    /** The next {@code count} well-signed callbacks are answered 503, as a treasury that is down. */
    public void refuseNext(int count) {
        refusalsLeft.set(count);
    }

    public List<JsonNode> accepted() {
        return List.copyOf(accepted);
    }

    public List<JsonNode> acceptedFor(String batchId) {
        return accepted.stream().filter(node -> node.get("batchId").asString().equals(batchId)).toList();
    }

    public int badSignatures() {
        return badSignatures.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
