package cn.onecard.simulators;

import cn.onecard.simulators.filebank.FileBankFaults;
import cn.onecard.simulators.filebank.FileBankLedger;
import cn.onecard.simulators.filebank.FileBankSimulator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The world's banks on its control port, so that a test drives their faults over HTTP:
 * {@code POST|GET /banks/{CODE}/faults}, {@code GET /banks/{CODE}/ledger}, {@code POST /banks/{CODE}/open}
 * and {@code /close}. The same JSON as the standalone bank's control API (docs/simulators/file-bank.md),
 * plus {@code referencesPaidMoreThanOnce} in the ledger. No authentication: loopback only.
 */
final class BankControlRoutes implements HttpHandler {

    static final String PATH = "/banks/";
    private static final int BODY_BYTES_MAX = 64 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> FAULT_FIELDS = Set.of("resultDelayMillis", "partialResult", "corruptResult",
            "duplicateResult", "lostRecords", "closed", "followUpDelayMillis");
    private static final long FOLLOW_UP_DELAY_DEFAULT_MILLIS = FileBankFaults.NONE.followUpDelay().toMillis();
    private static final Logger log = LoggerFactory.getLogger(BankControlRoutes.class);

    private final Map<String, FileBankSimulator> banks;
    /** Open and close read, change and write the faults: one control request at a time per world. */
    private final Object faultsLock = new Object();

    BankControlRoutes(Map<String, FileBankSimulator> banks) {
        this.banks = banks;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] parts = exchange.getRequestURI().getPath().substring(PATH.length()).split("/", -1);
            if (parts.length != 2) {
                reply(exchange, 404, error("NOT_FOUND", "use /banks/{CODE}/faults, ledger, open or close"));
                return;
            }
            FileBankSimulator bank = banks.get(parts[0]);
            if (bank == null) {
                reply(exchange, 404, error("BANK_NOT_FOUND", "no bank " + parts[0] + "; banks: " + banks.keySet()));
                return;
            }
            String method = exchange.getRequestMethod();
            switch (parts[1]) {
                case "faults" -> {
                    if (method.equals("GET")) {
                        reply(exchange, 200, faults(bank.faults()));
                    } else if (method.equals("POST")) {
                        FileBankFaults faults;
                        try {
                            faults = parseFaults(body(exchange));
                        } catch (IllegalArgumentException e) {
                            reply(exchange, 400, error("BAD_FAULTS", e.getMessage()));
                            return;
                        }
                        synchronized (faultsLock) {
                            bank.faults(faults);
                        }
                        reply(exchange, 200, faults(faults));
                    } else {
                        methodNotAllowed(exchange, "GET, POST");
                    }
                }
                case "ledger" -> {
                    if (method.equals("GET")) {
                        reply(exchange, 200, ledger(bank.ledger()));
                    } else {
                        methodNotAllowed(exchange, "GET");
                    }
                }
                case "open", "close" -> {
                    if (!method.equals("POST")) {
                        methodNotAllowed(exchange, "POST");
                        return;
                    }
                    boolean closed = parts[1].equals("close");
                    synchronized (faultsLock) {
                        bank.faults(bank.faults().withClosed(closed));
                    }
                    ObjectNode answer = JSON.createObjectNode();
                    answer.put("closed", closed);
                    reply(exchange, 200, answer);
                }
                default -> reply(exchange, 404, error("NOT_FOUND", "no such resource"));
            }
        } catch (IOException | RuntimeException e) {
            log.warn("bank control request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e);
        }
    }

    static ObjectNode faults(FileBankFaults faults) {
        ObjectNode node = JSON.createObjectNode();
        node.put("resultDelayMillis", faults.resultDelay().toMillis());
        node.put("partialResult", faults.partialResult());
        node.put("corruptResult", faults.corruptResult());
        node.put("duplicateResult", faults.duplicateResult());
        node.put("lostRecords", faults.lostRecords());
        node.put("closed", faults.closed());
        node.put("followUpDelayMillis", faults.followUpDelay().toMillis());
        return node;
    }

    /** The complete set: a field left out is off, the follow-up delay excepted (500 ms). */
    static FileBankFaults parseFaults(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("body is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("body must be a JSON object");
        }
        for (String name : node.propertyNames()) {
            if (!FAULT_FIELDS.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + name + "'; known: " + FAULT_FIELDS);
            }
        }
        JsonNode closed = node.path("closed");
        if (!closed.isMissingNode() && !closed.isBoolean()) {
            throw new IllegalArgumentException("closed must be true or false");
        }
        // the record's constructor checks odds and delays
        return new FileBankFaults(Duration.ofMillis(millis(node, "resultDelayMillis", 0)), odds(node, "partialResult"),
                odds(node, "corruptResult"), odds(node, "duplicateResult"), odds(node, "lostRecords"),
                closed.asBoolean(false), Duration.ofMillis(millis(node, "followUpDelayMillis", FOLLOW_UP_DELAY_DEFAULT_MILLIS)));
    }

    private static long millis(JsonNode node, String name, long absent) {
        JsonNode value = node.get(name);
        if (value == null) {
            return absent;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
            throw new IllegalArgumentException(name + " must be a whole number of milliseconds, 0 or more");
        }
        return value.longValue();
    }

    private static double odds(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null) {
            return 0;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException(name + " must be a number in [0, 1]");
        }
        return value.doubleValue();
    }

    /** The ledger without card data, and how many references it paid more than once (a bank that pays once: 0). */
    static ObjectNode ledger(FileBankLedger ledger) {
        ObjectNode node = JSON.createObjectNode();
        node.put("bank", ledger.kind().name());
        node.put("paidCount", ledger.paidCount());
        node.put("paidSumFen", ledger.paidSumFen());
        node.put("filesSeenCount", ledger.filesSeen().size());
        node.put("filesRefusedCount", ledger.filesRefused().size());
        node.put("filesUnverifiedCount", ledger.filesUnverified().size());
        node.put("resultsWrittenCount", ledger.resultsWritten().size());
        Map<String, Integer> paymentsByReference = new HashMap<>();
        ledger.payments().forEach(payment -> paymentsByReference.merge(payment.reference(), 1, Integer::sum));
        node.put("referencesPaidMoreThanOnce", paymentsByReference.values().stream().filter(n -> n > 1).count());
        ledger.filesSeen().forEach(node.putArray("filesSeen")::add);
        ledger.filesRefused().forEach(node.putArray("filesRefused")::add);
        ledger.filesUnverified().forEach(node.putArray("filesUnverified")::add);
        ledger.resultsWritten().forEach(node.putArray("resultsWritten")::add);
        ArrayNode payments = node.putArray("payments");
        for (FileBankLedger.Payment payment : ledger.payments()) {
            ObjectNode item = payments.addObject();
            item.put("reference", payment.reference());
            item.put("amountFen", payment.amountFen());
            item.put("fileId", payment.fileId());
        }
        return node;
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

    private static ObjectNode error(String code, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("code", code);
        node.put("message", message);
        node.putArray("details");
        return node;
    }

    private static void methodNotAllowed(HttpExchange exchange, String allowed) throws IOException {
        exchange.getResponseHeaders().set("Allow", allowed);
        reply(exchange, 405, error("METHOD_NOT_ALLOWED", "allowed: " + allowed));
    }

    private static void reply(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
