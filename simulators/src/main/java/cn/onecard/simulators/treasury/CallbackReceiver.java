package cn.onecard.simulators.treasury;

import cn.onecard.crypto.Sm2PublicKey;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The treasury's {@code /callbacks}: checks each callback's signature against the gateway's public
 * key, its timestamp window and nonce (401 otherwise, counted), then files it in the {@link ResultBook}
 * and answers 200 (a repeated sequence is a no-op, still 200). Accepted bodies and refusals are
 * appended to a journal when one is given, so an auditor can replay them later. {@link ReceiverFaults}
 * make it down, drop connections, answer 500 or lose acknowledgements on purpose, each counted.
 */
public final class CallbackReceiver implements HttpHandler {

    public static final String SIGNATURE_INVALID = "SIGNATURE_INVALID";
    public static final String TIMESTAMP_OUT_OF_WINDOW = "TIMESTAMP_OUT_OF_WINDOW";
    public static final String NONCE_REPLAYED = "NONCE_REPLAYED";
    public static final String MALFORMED = "MALFORMED_CALLBACK";
    static final String DOWN = "DOWN";
    static final String DROPPED = "DROPPED";
    static final String ERROR_ANSWERED = "ERROR_ANSWERED";
    static final String ACK_LOST = "ACK_LOST";
    public static final int BODY_BYTES_MAX = 64 << 20;
    static final Duration TIMESTAMP_WINDOW = Duration.ofMinutes(5);
    static final Duration NONCE_RETENTION = Duration.ofMinutes(10);
    /** Refusals of the faults set on purpose: counted, not worth a warning. */
    private static final java.util.Set<String> INJECTED = java.util.Set.of(DOWN, DROPPED, ERROR_ANSWERED, ACK_LOST);
    private static final int NONCE_PURGE_EVERY = 1024;
    private static final Logger log = LoggerFactory.getLogger(CallbackReceiver.class);

    private final ResultBook book;
    private final Sm2PublicKey gatewayKey;
    private final String gatewayId;
    private final Clock clock;
    private final Writer journal;
    private final Map<String, Long> nonces = new ConcurrentHashMap<>();
    private final AtomicLong noncesAdded = new AtomicLong();
    private volatile ReceiverFaults faults = ReceiverFaults.none();
    private volatile Instant downUntil = Instant.MIN;
    private SplittableRandom faultRandom = new SplittableRandom(0);

    /**
     * @param gatewayId the gateway's client id to insist on in {@code X-OneCard-Client}, or null for any
     * @param journal   file to append accepted callbacks and refusals to, or null for none
     */
    public CallbackReceiver(ResultBook book, Sm2PublicKey gatewayKey, String gatewayId, Clock clock, Path journal) throws IOException {
        this.book = book;
        this.gatewayKey = gatewayKey;
        this.gatewayId = gatewayId;
        this.clock = clock;
        this.journal = journal == null ? null : new BufferedWriter(new java.io.OutputStreamWriter(
                Files.newOutputStream(journal, StandardOpenOption.CREATE, StandardOpenOption.APPEND), StandardCharsets.UTF_8));
    }

    public ResultBook book() {
        return book;
    }

    public synchronized void faults(ReceiverFaults faults) {
        this.faults = faults;
        this.downUntil = clock.instant().plus(faults.downFor());
        this.faultRandom = new SplittableRandom(faults.seed());
        log.info("callback receiver faults: {}", faults);
    }

    public ReceiverFaults faults() {
        return faults;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                answer(exchange, 405, error("METHOD_NOT_ALLOWED", "callbacks are POSTed"));
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(BODY_BYTES_MAX + 1);
            }
            if (body.length > BODY_BYTES_MAX) {
                answer(exchange, 413, error("BODY_TOO_LARGE", "a callback is at most " + BODY_BYTES_MAX + " bytes"));
                return;
            }
            Instant now = clock.instant();
            if (now.isBefore(downUntil)) {
                refuse(DOWN);
                answer(exchange, 503, error("UNAVAILABLE", "the treasury is down"));
                return;
            }
            if (draw(faults.dropShare())) {
                refuse(DROPPED);
                throw new DroppedConnection();
            }
            if (draw(faults.errorShare())) {
                refuse(ERROR_ANSWERED);
                answer(exchange, 500, error("INTERNAL_ERROR", "the treasury failed to take the callback"));
                return;
            }
            String refusal = check(exchange, body, now);
            if (refusal != null) {
                refuse(refusal);
                answer(exchange, 401, error(refusal, switch (refusal) {
                    case SIGNATURE_INVALID -> "the callback signature does not verify";
                    case TIMESTAMP_OUT_OF_WINDOW -> "the callback timestamp is more than 5 minutes off";
                    default -> "the callback nonce was seen before";
                }));
                return;
            }
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(body);
            } catch (JacksonException e) {
                node = null;
            }
            ResultBook.Accepted accepted = node == null || !node.isObject() ? ResultBook.Accepted.MALFORMED : book.accept(node, now);
            if (accepted == ResultBook.Accepted.MALFORMED) {
                if (node == null) {
                    book.refused(MALFORMED);
                }
                journalRefusal(MALFORMED);
                answer(exchange, 400, error(MALFORMED, "not a RESULTS or SUMMARY callback"));
                return;
            }
            // a repeat too, so that a replay of the journal counts it as the live book did
            journalAccepted(node, now);
            if (accepted == ResultBook.Accepted.UNKNOWN_BATCH) {
                log.warn("callback for a batch this treasury never sent (acknowledged, counted)");
            }
            if (draw(faults.lostAckShare())) {
                // filed, but the gateway never hears so: it must send the same again
                refuse(ACK_LOST);
                throw new DroppedConnection();
            }
            answer(exchange, 200, "{\"ok\":true}");
        }
    }

    /** The refusal reason, or null when the signature, timestamp and nonce are good. */
    private String check(HttpExchange exchange, byte[] body, Instant now) {
        String client = exchange.getRequestHeaders().getFirst(RequestSigning.CLIENT);
        String timestamp = exchange.getRequestHeaders().getFirst(RequestSigning.TIMESTAMP);
        String nonce = exchange.getRequestHeaders().getFirst(RequestSigning.NONCE);
        String signature = exchange.getRequestHeaders().getFirst(RequestSigning.SIGNATURE);
        if (client == null || (gatewayId != null && !gatewayId.equals(client)) || nonce == null
                || !RequestSigning.NONCE_FORMAT.matcher(nonce).matches()
                || !RequestSigning.verify(gatewayKey, timestamp, nonce, body, signature)) {
            return SIGNATURE_INVALID;
        }
        long millis;
        try {
            millis = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return TIMESTAMP_OUT_OF_WINDOW;
        }
        if (Math.abs(now.toEpochMilli() - millis) > TIMESTAMP_WINDOW.toMillis()) {
            return TIMESTAMP_OUT_OF_WINDOW;
        }
        long expiry = now.toEpochMilli() + NONCE_RETENTION.toMillis();
        if (nonces.putIfAbsent(nonce, expiry) != null) {
            return NONCE_REPLAYED;
        }
        if (noncesAdded.incrementAndGet() % NONCE_PURGE_EVERY == 0) {
            long nowMillis = now.toEpochMilli();
            nonces.values().removeIf(until -> until < nowMillis);
        }
        return null;
    }

    /** One draw of the faults' odds; a share of 0 draws nothing. */
    private synchronized boolean draw(double share) {
        return share > 0 && faultRandom.nextDouble() < share;
    }

    private void refuse(String reason) {
        book.refused(reason);
        journalRefusal(reason);
        if (!INJECTED.contains(reason)) {
            log.warn("callback refused: {}", reason);
        }
    }

    private void journalAccepted(JsonNode body, Instant at) {
        if (journal == null) {
            return;
        }
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("receivedAt", at.toString());
        line.set("body", body);
        writeJournal(Json.MAPPER.writeValueAsString(line));
    }

    private void journalRefusal(String reason) {
        if (journal != null) {
            writeJournal("{\"refused\":\"" + reason + "\"}");
        }
    }

    private void writeJournal(String line) {
        synchronized (journal) {
            try {
                journal.write(line);
                journal.write('\n');
                journal.flush();
            } catch (IOException e) {
                log.error("callback journal write failed: {}", e.getMessage());
            }
        }
    }

    private static String error(String code, String message) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("code", code);
        node.put("message", message);
        node.putArray("details");
        return Json.MAPPER.writeValueAsString(node);
    }

    static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Thrown out of the handler so that the server closes the connection without an answer. */
    private static final class DroppedConnection extends RuntimeException {
        DroppedConnection() {
            super("connection dropped on purpose", null, false, false);
        }
    }
}
