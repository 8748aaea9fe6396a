package cn.onecard.simulators.filebank;

import java.time.Duration;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The control API's JSON: faults both ways and the ledger summary out, for a bank's own control port
 * and the world's. Written by hand so that the wire names carry their units
 * ({@code resultDelayMillis}) and unknown fields are refused.
 */
public final class FileBankJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> FAULT_FIELDS = Set.of("resultDelayMillis", "partialResult", "corruptResult",
            "duplicateResult", "lostRecords", "closed", "followUpDelayMillis", "dayAheadDays");

    private FileBankJson() {
    }

    public static String faults(FileBankFaults faults) {
        ObjectNode node = JSON.createObjectNode();
        node.put("resultDelayMillis", faults.resultDelay().toMillis());
        node.put("partialResult", faults.partialResult());
        node.put("corruptResult", faults.corruptResult());
        node.put("duplicateResult", faults.duplicateResult());
        node.put("lostRecords", faults.lostRecords());
        node.put("closed", faults.closed());
        node.put("followUpDelayMillis", faults.followUpDelay().toMillis());
        node.put("dayAheadDays", faults.dayAheadDays());
        return JSON.writeValueAsString(node);
    }

    /**
     * Reads a complete set of faults: a field left out is off (0, false), the follow-up delay
     * excepted, which defaults to 500 ms.
     *
     * @throws IllegalArgumentException for anything but such an object, with a reason fit for a reply
     */
    public static FileBankFaults parseFaults(String text) {
        JsonNode node = readObject(text, FAULT_FIELDS);
        return new FileBankFaults(
                Duration.ofMillis(whole(node, "resultDelayMillis", 0)),
                odds(node, "partialResult"),
                odds(node, "corruptResult"),
                odds(node, "duplicateResult"),
                odds(node, "lostRecords"),
                flag(node, "closed"),
                Duration.ofMillis(whole(node, "followUpDelayMillis", FileBankFaults.FOLLOW_UP_DELAY_DEFAULT.toMillis())),
                days(node, "dayAheadDays"));
    }

    /**
     * A control request's body: a JSON object of {@code known} fields only (the ISO 8583 bank's
     * control reads its faults through this as well).
     *
     * @throws IllegalArgumentException for anything else, with a reason fit for a reply
     */
    public static JsonNode readObject(String text, Set<String> known) {
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
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + name + "'; known: " + known);
            }
        }
        return node;
    }

    private static long whole(JsonNode node, String name, long absent) {
        JsonNode value = node.get(name);
        if (value == null) {
            return absent;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
            throw new IllegalArgumentException(name + " must be a whole number of milliseconds, 0 or more");
        }
        return value.longValue();
    }

    private static int days(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null) {
            return 0;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new IllegalArgumentException(name + " must be a whole number of days");
        }
        return value.intValue();
    }

    /** The field's odds, 0 when absent; whether they lie in [0, 1] is for the faults to check. */
    public static double odds(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null) {
            return 0;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException(name + " must be a number in [0, 1]");
        }
        return value.doubleValue();
    }

    private static boolean flag(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new IllegalArgumentException(name + " must be true or false");
        }
        return value.booleanValue();
    }

    /**
     * The ledger without card data: counts, sums, file ids, references, and how many references it
     * paid more than once (a bank that pays once: 0).
     */
    public static String ledger(FileBankLedger ledger) {
        ObjectNode node = JSON.createObjectNode();
        node.put("bank", ledger.kind().name());
        node.put("paidCount", ledger.paidCount());
        node.put("paidSumFen", ledger.paidSumFen());
        node.put("filesSeenCount", ledger.filesSeen().size());
        node.put("filesRefusedCount", ledger.filesRefused().size());
        node.put("filesUnverifiedCount", ledger.filesUnverified().size());
        node.put("resultsWrittenCount", ledger.resultsWritten().size());
        java.util.Map<String, Integer> paymentsByReference = new java.util.HashMap<>();
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
        return JSON.writeValueAsString(node);
    }

    static String error(String code, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("code", code);
        node.put("message", message);
        node.putArray("details");
        return JSON.writeValueAsString(node);
    }

    static String closed(boolean closed) {
        ObjectNode node = JSON.createObjectNode();
        node.put("closed", closed);
        return JSON.writeValueAsString(node);
    }
}
