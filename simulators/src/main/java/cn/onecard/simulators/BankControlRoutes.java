package cn.onecard.simulators;

import cn.onecard.simulators.filebank.FileBankFaults;
import cn.onecard.simulators.filebank.FileBankJson;
import cn.onecard.simulators.filebank.FileBankLedger;
import cn.onecard.simulators.filebank.FileBankSimulator;
import cn.onecard.simulators.httpbank.HttpBankFaults;
import cn.onecard.simulators.httpbank.HttpBankHost;
import cn.onecard.simulators.httpbank.HttpBankJson;
import cn.onecard.simulators.isobank.IsoBankFaults;
import cn.onecard.simulators.isobank.IsoBankHost;
import cn.onecard.simulators.isobank.IsoBankJson;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The world's banks on its control port, so that a test drives their faults over HTTP:
 * {@code POST|GET /banks/{CODE}/faults}, {@code GET /banks/{CODE}/ledger}, {@code POST /banks/{CODE}/open}
 * and {@code /close}. A file bank's JSON is its standalone control API's (docs/simulators/file-bank.md),
 * plus {@code referencesPaidMoreThanOnce} in the ledger; an ISO 8583 bank's is iso-bank.md's and an
 * HTTP bank's http-bank.md's, where closing refuses new connections. No authentication: loopback only.
 */
final class BankControlRoutes implements HttpHandler {

    static final String PATH = "/banks/";
    private static final int BODY_BYTES_MAX = 64 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Logger log = LoggerFactory.getLogger(BankControlRoutes.class);

    private final Map<String, FileBankSimulator> banks;
    private final Map<String, IsoBankHost> isoBanks;
    private final Map<String, HttpBankHost> httpBanks;
    /** Open and close read, change and write the faults: one control request at a time per world. */
    private final Object faultsLock = new Object();

    /** The maps may be filled later: banks are looked up per request. */
    BankControlRoutes(Map<String, FileBankSimulator> banks, Map<String, IsoBankHost> isoBanks,
                      Map<String, HttpBankHost> httpBanks) {
        this.banks = banks;
        this.isoBanks = isoBanks;
        this.httpBanks = httpBanks;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] parts = exchange.getRequestURI().getPath().substring(PATH.length()).split("/", -1);
            if (parts.length != 2) {
                reply(exchange, 404, error("NOT_FOUND", "use /banks/{CODE}/faults, ledger, open or close"));
                return;
            }
            IsoBankHost isoBank = isoBanks.get(parts[0]);
            if (isoBank != null) {
                handleOnlineBank(exchange, parts[0], online(isoBank), parts[1]);
                return;
            }
            HttpBankHost httpBank = httpBanks.get(parts[0]);
            if (httpBank != null) {
                handleOnlineBank(exchange, parts[0], online(httpBank), parts[1]);
                return;
            }
            FileBankSimulator bank = banks.get(parts[0]);
            if (bank == null) {
                reply(exchange, 404, error("BANK_NOT_FOUND", "no bank " + parts[0] + "; banks: " + banks.keySet()
                        + (isoBanks.isEmpty() ? "" : " " + isoBanks.keySet()) + (httpBanks.isEmpty() ? "" : " " + httpBanks.keySet())));
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
                case "open", "close" -> openOrClose(exchange, parts[1], closed -> bank.faults(bank.faults().withClosed(closed)));
                default -> reply(exchange, 404, error("NOT_FOUND", "no such resource"));
            }
        } catch (IOException | RuntimeException e) {
            log.warn("bank control request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e);
        }
    }

    /** An online bank's control: its faults and ledger as its own JSON; closing it refuses new connections. */
    private interface OnlineBank {
        String faults();

        /** Parses and sets a complete set of faults, answering them as set; IllegalArgumentException when they do not parse. */
        String faults(String body) throws IOException;

        String ledger(String code);

        void closed(boolean closed) throws IOException;
    }

    private static OnlineBank online(IsoBankHost bank) {
        return new OnlineBank() {
            @Override
            public String faults() {
                return IsoBankJson.faults(bank.faults());
            }

            @Override
            public String faults(String body) {
                IsoBankFaults faults = IsoBankJson.parseFaults(body);
                bank.faults(faults);
                return IsoBankJson.faults(faults);
            }

            @Override
            public String ledger(String code) {
                return IsoBankJson.ledger(code, bank.ledger());
            }

            @Override
            public void closed(boolean closed) {
                bank.faults(bank.faults().withRefuseConnections(closed));
            }
        };
    }

    private static OnlineBank online(HttpBankHost bank) {
        return new OnlineBank() {
            @Override
            public String faults() {
                return HttpBankJson.faults(bank.faults());
            }

            @Override
            public String faults(String body) throws IOException {
                HttpBankFaults faults = HttpBankJson.parseFaults(body);
                bank.faults(faults);
                return HttpBankJson.faults(faults);
            }

            @Override
            public String ledger(String code) {
                return HttpBankJson.ledger(code, bank.ledger());
            }

            @Override
            public void closed(boolean closed) throws IOException {
                bank.faults(bank.faults().withRefuseConnections(closed));
            }
        };
    }

    private void handleOnlineBank(HttpExchange exchange, String code, OnlineBank bank, String resource) throws IOException {
        String method = exchange.getRequestMethod();
        switch (resource) {
            case "faults" -> {
                if (method.equals("GET")) {
                    reply(exchange, 200, JSON.readTree(bank.faults()));
                } else if (method.equals("POST")) {
                    String body = body(exchange);
                    String set;
                    try {
                        synchronized (faultsLock) {
                            set = bank.faults(body);
                        }
                    } catch (IllegalArgumentException e) {
                        reply(exchange, 400, error("BAD_FAULTS", e.getMessage()));
                        return;
                    }
                    reply(exchange, 200, JSON.readTree(set));
                } else {
                    methodNotAllowed(exchange, "GET, POST");
                }
            }
            case "ledger" -> {
                if (method.equals("GET")) {
                    reply(exchange, 200, JSON.readTree(bank.ledger(code)));
                } else {
                    methodNotAllowed(exchange, "GET");
                }
            }
            // an online bank "closed" takes no new connections (iso-bank.md, http-bank.md)
            case "open", "close" -> openOrClose(exchange, resource, bank::closed);
            default -> reply(exchange, 404, error("NOT_FOUND", "no such resource"));
        }
    }

    /** Closes or opens a bank: a read-modify-write of its faults, so under the lock. */
    private void openOrClose(HttpExchange exchange, String resource, Closing setClosed) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            methodNotAllowed(exchange, "POST");
            return;
        }
        boolean closed = resource.equals("close");
        synchronized (faultsLock) {
            setClosed.accept(closed);
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("closed", closed);
        reply(exchange, 200, answer);
    }

    /** Sets whether a bank is closed. */
    private interface Closing {
        void accept(boolean closed) throws IOException;
    }

    static JsonNode faults(FileBankFaults faults) {
        return JSON.readTree(FileBankJson.faults(faults));
    }

    /** The complete set: a field left out is off, the follow-up delay excepted (500 ms). */
    static FileBankFaults parseFaults(String text) {
        return FileBankJson.parseFaults(text);
    }

    /** The ledger without card data, and how many references it paid more than once (a bank that pays once: 0). */
    static JsonNode ledger(FileBankLedger ledger) {
        return JSON.readTree(FileBankJson.ledger(ledger));
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
