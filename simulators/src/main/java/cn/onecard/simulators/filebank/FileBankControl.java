package cn.onecard.simulators.filebank;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone bank's small HTTP control port (JDK HttpServer): {@code POST /faults},
 * {@code GET /faults}, {@code GET /ledger}, {@code POST /open}, {@code POST /close}. JSON in and out;
 * a refusal is {@code {"code", "message", "details"}}. Meant for a test harness on the same host:
 * there is no authentication, so it listens where the SFTP server does (loopback by default).
 */
final class FileBankControl implements AutoCloseable {

    static final int BODY_BYTES_MAX = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(FileBankControl.class);
    private static final Object FAULTS_LOCK = new Object();

    private final HttpServer server;
    private final ExecutorService executor;

    private FileBankControl(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    static FileBankControl start(FileBankSimulator bank, InetSocketAddress address) throws IOException {
        HttpServer server = HttpServer.create(address, 0);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/faults", exchange -> handle(exchange, () -> faults(bank, exchange)));
        server.createContext("/ledger", exchange -> handle(exchange, () -> "GET".equals(exchange.getRequestMethod())
                ? reply(exchange, 200, FileBankJson.ledger(bank.ledger()))
                : methodNotAllowed(exchange, "GET")));
        server.createContext("/open", exchange -> handle(exchange, () -> openOrClose(bank, exchange, false)));
        server.createContext("/close", exchange -> handle(exchange, () -> openOrClose(bank, exchange, true)));
        server.start();
        return new FileBankControl(server, executor);
    }

    private static Void faults(FileBankSimulator bank, HttpExchange exchange) throws IOException {
        switch (exchange.getRequestMethod()) {
            case "GET" -> {
                return reply(exchange, 200, FileBankJson.faults(bank.faults()));
            }
            case "POST" -> {
                FileBankFaults faults;
                try {
                    faults = FileBankJson.parseFaults(body(exchange));
                } catch (IllegalArgumentException e) {
                    return reply(exchange, 400, FileBankJson.error("BAD_FAULTS", e.getMessage()));
                }
                synchronized (FAULTS_LOCK) {
                    bank.faults(faults);
                }
                return reply(exchange, 200, FileBankJson.faults(faults));
            }
            default -> {
                return methodNotAllowed(exchange, "GET, POST");
            }
        }
    }

    private static Void openOrClose(FileBankSimulator bank, HttpExchange exchange, boolean closed) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            return methodNotAllowed(exchange, "POST");
        }
        synchronized (FAULTS_LOCK) { // a read-modify-write: no POST /faults in between
            bank.faults(bank.faults().withClosed(closed));
        }
        return reply(exchange, 200, FileBankJson.closed(closed));
    }

    int port() {
        return server.getAddress().getPort();
    }

    @FunctionalInterface
    private interface Action {
        Void run() throws IOException;
    }

    private static void handle(HttpExchange exchange, Action action) {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath())) {
                reply(exchange, 404, FileBankJson.error("NOT_FOUND", "no such resource"));
                return;
            }
            action.run();
        } catch (IOException | RuntimeException e) {
            log.warn("control request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e);
        }
    }

    private static String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(BODY_BYTES_MAX + 1);
            if (bytes.length > BODY_BYTES_MAX) {
                throw new IllegalArgumentException("body over " + BODY_BYTES_MAX + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static Void methodNotAllowed(HttpExchange exchange, String allowed) throws IOException {
        exchange.getResponseHeaders().set("Allow", allowed);
        return reply(exchange, 405, FileBankJson.error("METHOD_NOT_ALLOWED", "allowed: " + allowed));
    }

    private static Void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
