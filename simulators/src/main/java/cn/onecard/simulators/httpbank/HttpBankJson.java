package cn.onecard.simulators.httpbank;

import cn.onecard.simulators.books.LedgerSummary;
import cn.onecard.simulators.filebank.FileBankJson;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTP bank's control JSON (docs/simulators/http-bank.md): its faults both ways and its ledger
 * out, references and amounts only. Written by hand so that unknown fields are refused and the wire
 * names carry their units ({@code lateByMillis}).
 */
public final class HttpBankJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> FAULT_FIELDS = Set.of("busy", "delayMillis", "late", "lateByMillis", "dropAnswer",
            "resetConnection", "malformedAnswer", "unsignedAnswer", "badlySignedAnswer", "refuseConnections");

    private HttpBankJson() {
    }

    public static String faults(HttpBankFaults faults) {
        ObjectNode node = JSON.createObjectNode();
        node.put("busy", faults.busy());
        node.put("delayMillis", faults.delay().toMillis());
        node.put("late", faults.late());
        node.put("lateByMillis", faults.lateBy().toMillis());
        node.put("dropAnswer", faults.dropAnswer());
        node.put("resetConnection", faults.resetConnection());
        node.put("malformedAnswer", faults.malformedAnswer());
        node.put("unsignedAnswer", faults.unsignedAnswer());
        node.put("badlySignedAnswer", faults.badlySignedAnswer());
        node.put("refuseConnections", faults.refuseConnections());
        return JSON.writeValueAsString(node);
    }

    /**
     * Reads a complete set of faults: a field left out is off (0, false).
     *
     * @throws IllegalArgumentException for anything but such an object, with a reason fit for a reply
     */
    public static HttpBankFaults parseFaults(String text) {
        JsonNode node = FileBankJson.readObject(text, FAULT_FIELDS);
        JsonNode refuse = node.get("refuseConnections");
        if (refuse != null && !refuse.isBoolean()) {
            throw new IllegalArgumentException("refuseConnections must be true or false");
        }
        return new HttpBankFaults(FileBankJson.odds(node, "busy"), millis(node, "delayMillis"), FileBankJson.odds(node, "late"),
                millis(node, "lateByMillis"), FileBankJson.odds(node, "dropAnswer"), FileBankJson.odds(node, "resetConnection"),
                FileBankJson.odds(node, "malformedAnswer"), FileBankJson.odds(node, "unsignedAnswer"),
                FileBankJson.odds(node, "badlySignedAnswer"), refuse != null && refuse.booleanValue());
    }

    private static Duration millis(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            return Duration.ZERO;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
            throw new IllegalArgumentException(field + " must be a whole number of milliseconds, 0 or more");
        }
        return Duration.ofMillis(value.longValue());
    }

    /**
     * The ledger without card data: counts and sums, each entry as reference and amount, and how many
     * references stand paid more than once (a bank that pays a reference once: 0).
     */
    public static String ledger(String code, HttpBankLedger ledger) {
        ObjectNode node = JSON.createObjectNode();
        LedgerSummary.put(node, code, ledger.payments().stream().map(HttpBankLedger.Entry::reference).toList(),
                ledger.paidSumFen(), ledger.reversals().stream().map(HttpBankLedger.Entry::reference).toList(),
                ledger.reversedSumFen(), ledger.duplicatesRefused().size());
        node.put("refusedCount", ledger.refusals().size());
        entries(node.putArray("payments"), ledger.payments());
        entries(node.putArray("reversals"), ledger.reversals());
        entries(node.putArray("refusals"), ledger.refusals());
        entries(node.putArray("duplicatesRefused"), ledger.duplicatesRefused());
        return JSON.writeValueAsString(node);
    }

    private static void entries(ArrayNode array, List<HttpBankLedger.Entry> entries) {
        for (HttpBankLedger.Entry entry : entries) {
            ObjectNode item = array.addObject();
            item.put("reference", entry.reference());
            item.put("amountFen", entry.amountFen());
        }
    }
}
