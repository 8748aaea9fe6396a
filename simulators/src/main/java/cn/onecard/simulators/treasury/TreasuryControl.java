package cn.onecard.simulators.treasury;

import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The control API of a running treasury, so that a demo or a load driver can drive it over HTTP:
 * {@code POST /batches/generate-and-submit}, {@code GET /report[?batches=ID,ID]}, {@code POST /faults}.
 */
public final class TreasuryControl {

    public static final String GENERATE_PATH = "/batches/generate-and-submit";
    public static final String REPORT_PATH = "/report";
    public static final String FAULTS_PATH = "/faults";
    private static final int REQUEST_BYTES_MAX = 64 * 1024;
    private static final Duration SUBMIT_TIMEOUT = Duration.ofMinutes(30);
    private static final Logger log = LoggerFactory.getLogger(TreasuryControl.class);

    /** The treasury's identity and where its files go. */
    public record Treasury(String clientId, Sm2PrivateKey key, String callbackUrl, String payerAccount,
                           Sm2PublicKey defaultGatewayKey, Path workDir) {
    }

    private final Treasury treasury;
    private final BatchGenerator generator;
    private final ResultBook book;
    private final CallbackReceiver receiver;
    private final Auditor auditor;
    private final Clock clock;
    private final String runTag;
    private final AtomicInteger sequence = new AtomicInteger();

    public TreasuryControl(Treasury treasury, BatchGenerator generator, CallbackReceiver receiver, Auditor auditor, Clock clock) {
        this.treasury = treasury;
        this.generator = generator;
        this.book = receiver.book();
        this.receiver = receiver;
        this.auditor = auditor;
        this.clock = clock;
        this.runTag = Long.toString(clock.millis() / 1000, 36).toUpperCase();
    }

    public Map<String, HttpHandler> handlers() {
        Map<String, HttpHandler> handlers = new LinkedHashMap<>();
        handlers.put(GENERATE_PATH, exchange -> guarded(exchange, "POST", this::generateAndSubmit));
        handlers.put(REPORT_PATH, exchange -> guarded(exchange, "GET", this::report));
        handlers.put(FAULTS_PATH, exchange -> guarded(exchange, "POST", this::faults));
        return handlers;
    }

    /** Generates one batch, registers its manifest with the book, and hands it to the gateway by API or inbox. */
    public ObjectNode generateAndSubmit(JsonNode request) throws IOException, InterruptedException {
        int items = request.path("items").asInt(0);
        String mode = request.path("mode").asString("file");
        String programme = request.path("programme").asString("P29");
        YearMonth period = request.hasNonNull("period") ? parsePeriod(request.get("period").asString())
                : YearMonth.now(clock.withZone(ZoneId.of("Asia/Shanghai")));
        long seed = request.path("seed").asLong(clock.millis());
        double badShare = request.path("badShare").asDouble(0.05);
        String batchId = request.hasNonNull("batchId") ? request.get("batchId").asString()
                : String.format("T%04d%02d%s-%s-%04d", period.getYear(), period.getMonthValue(), programme, runTag, sequence.incrementAndGet());
        Map<ItemKind, Double> kindShares = new EnumMap<>(ItemKind.class);
        if (request.has("kindShares")) {
            for (Map.Entry<String, JsonNode> entry : request.get("kindShares").properties()) {
                kindShares.put(ItemKind.valueOf(entry.getKey()), entry.getValue().asDouble());
            }
        }
        if (!mode.equals("api") && !mode.equals("file")) {
            throw new IllegalArgumentException("mode is api or file");
        }
        BatchSpec spec = new BatchSpec(batchId, programme, period, items, badShare, kindShares, seed,
                treasury.payerAccount(), treasury.callbackUrl());
        ObjectNode answer = Json.MAPPER.createObjectNode();
        boolean handedOver = false;
        boolean registeredHere = false;
        GeneratedBatch generated = generator.generate(spec);
        try (GeneratedBatch batch = generated) {
            answer.put("batchId", batch.header().batchId());
            answer.put("programCode", batch.header().programCode());
            answer.put("period", batch.header().period());
            answer.put("itemCount", batch.header().itemCount());
            answer.put("totalAmountFen", batch.header().totalAmountFen());
            ObjectNode kinds = answer.putObject("kinds");
            batch.kinds().forEach((kind, count) -> kinds.put(kind.name(), count));
            answer.put("generationMillis", batch.generationNanos() / 1_000_000);
            answer.put("itemsPerSecond", Math.round(batch.itemsPerSecond()));
            answer.put("mode", mode);
            // known before the gateway can see the batch: its first callback may come before the API answers
            registeredHere = !book.knows(batchId);
            book.register(batch.manifest());
            if (mode.equals("file")) {
                Path inbox = Path.of(required(request, "inboxDir"));
                Sm2PublicKey gateway = request.hasNonNull("gatewayPublicKey")
                        ? Sm2PublicKey.fromPem(Files.readString(Path.of(request.get("gatewayPublicKey").asString())))
                        : treasury.defaultGatewayKey();
                if (gateway == null) {
                    throw new IllegalArgumentException("gatewayPublicKey is needed to seal a batch file");
                }
                long started = System.nanoTime();
                Path file = batch.writeBatchFile(inbox, gateway, treasury.key());
                handedOver = true;
                answer.put("file", file.toString());
                answer.put("sealMillis", (System.nanoTime() - started) / 1_000_000);
            } else {
                String apiUrl = required(request, "apiUrl");
                Path body = batch.writeApiBody(Files.createTempFile(treasury.workDir(), "." + batchId + ".body.", ".json"));
                try {
                    BatchSubmitter.Answer reply = new BatchSubmitter(apiUrl, treasury.clientId(), treasury.key(), clock, SUBMIT_TIMEOUT)
                            .submit(body);
                    handedOver = reply.accepted();
                    answer.put("httpStatus", reply.status());
                    JsonNode replyJson;
                    try {
                        replyJson = Json.MAPPER.readTree(reply.body());
                    } catch (JacksonException e) {
                        replyJson = Json.MAPPER.getNodeFactory().stringNode(reply.body());
                    }
                    answer.set("answer", replyJson);
                } finally {
                    Files.deleteIfExists(body);
                }
            }
        } finally {
            if (!handedOver) {
                // the gateway never took it: no results will come, and its people are nobody's earlier payment
                if (registeredHere) {
                    book.withdraw(batchId);
                }
                generator.withdraw(batchId);
                Files.deleteIfExists(generated.manifest());
            }
        }
        answer.put("handedOver", handedOver);
        log.info("batch {} ({} {} items, {}) {} by {}", batchId, programme, items, period,
                answer.get("handedOver").asBoolean() ? "handed over" : "NOT taken", mode);
        return answer;
    }

    public AuditReport report(List<String> batchIds) {
        return auditor.audit(book, batchIds);
    }

    private ObjectNode report(HttpExchange exchange, JsonNode ignored) {
        String query = exchange.getRequestURI().getQuery();
        List<String> batchIds = null;
        if (query != null) {
            for (String parameter : query.split("&")) {
                if (parameter.startsWith("batches=") && parameter.length() > "batches=".length()) {
                    batchIds = Arrays.asList(parameter.substring("batches=".length()).split(","));
                }
            }
        }
        return (ObjectNode) report(batchIds).toJson();
    }

    private ObjectNode generateAndSubmit(HttpExchange exchange, JsonNode request) throws IOException, InterruptedException {
        return generateAndSubmit(request);
    }

    private ObjectNode faults(HttpExchange exchange, JsonNode request) {
        ReceiverFaults faults = new ReceiverFaults(Duration.ofMillis(request.path("downForMillis").asLong(0)),
                request.path("dropShare").asDouble(0), request.path("errorShare").asDouble(0),
                request.path("lostAckShare").asDouble(0), request.path("seed").asLong(clock.millis()));
        receiver.faults(faults);
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("downForMillis", faults.downFor().toMillis());
        answer.put("dropShare", faults.dropShare());
        answer.put("errorShare", faults.errorShare());
        answer.put("lostAckShare", faults.lostAckShare());
        answer.put("seed", faults.seed());
        return answer;
    }

    private interface Action {
        ObjectNode run(HttpExchange exchange, JsonNode request) throws IOException, InterruptedException;
    }

    private void guarded(HttpExchange exchange, String method, Action action) throws IOException {
        try (exchange) {
            if (!method.equals(exchange.getRequestMethod())) {
                CallbackReceiver.answer(exchange, 405, error("METHOD_NOT_ALLOWED", "use " + method));
                return;
            }
            JsonNode request = Json.MAPPER.createObjectNode();
            if (method.equals("POST")) {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readNBytes(REQUEST_BYTES_MAX + 1);
                }
                if (body.length > REQUEST_BYTES_MAX) {
                    CallbackReceiver.answer(exchange, 413, error("BODY_TOO_LARGE", "at most " + REQUEST_BYTES_MAX + " bytes"));
                    return;
                }
                if (body.length > 0) {
                    try {
                        request = Json.MAPPER.readTree(body);
                    } catch (JacksonException e) {
                        CallbackReceiver.answer(exchange, 400, error("MALFORMED_JSON", "the request is not JSON"));
                        return;
                    }
                }
            }
            try {
                CallbackReceiver.answer(exchange, 200, Json.MAPPER.writeValueAsString(action.run(exchange, request)));
            } catch (IllegalArgumentException | IllegalStateException e) {
                CallbackReceiver.answer(exchange, 400, error("BAD_REQUEST", String.valueOf(e.getMessage())));
            } catch (IOException e) {
                CallbackReceiver.answer(exchange, 502, error("IO_ERROR", e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                CallbackReceiver.answer(exchange, 503, error("INTERRUPTED", "the treasury is stopping"));
            }
        }
    }

    private static String required(JsonNode request, String field) {
        if (!request.hasNonNull(field) || request.get(field).asString().isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        return request.get(field).asString();
    }

    static YearMonth parsePeriod(String text) {
        if (text == null || !text.matches("\\d{6}")) {
            throw new IllegalArgumentException("period is yyyyMM");
        }
        int month = Integer.parseInt(text.substring(4));
        if (month < 1 || month > 12) {
            throw new IllegalArgumentException("period is yyyyMM with a month 01 to 12");
        }
        return YearMonth.of(Integer.parseInt(text.substring(0, 4)), month);
    }

    private static String error(String code, String message) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("code", code);
        node.put("message", message);
        node.putArray("details");
        return Json.MAPPER.writeValueAsString(node);
    }
}
