package cn.onecard.simulators.isobank;

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
 * The ISO 8583 bank's control JSON (docs/simulators/iso-bank.md): its faults both ways and its
 * ledger out, references and amounts only. Written by hand so that unknown fields are refused and
 * the wire names carry their units ({@code lateByMillis}).
 */
public final class IsoBankJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> FAULT_FIELDS = Set.of("busy", "late", "lateByMillis", "dropAnswer", "answerTwice",
            "cutAnswer", "garbleAnswer", "refuseConnections");

    private IsoBankJson() {
    }

    public static String faults(IsoBankFaults faults) {
        ObjectNode node = JSON.createObjectNode();
        node.put("busy", faults.busy());
        node.put("late", faults.late());
        node.put("lateByMillis", faults.lateBy().toMillis());
        node.put("dropAnswer", faults.dropAnswer());
        node.put("answerTwice", faults.answerTwice());
        node.put("cutAnswer", faults.cutAnswer());
        node.put("garbleAnswer", faults.garbleAnswer());
        node.put("refuseConnections", faults.refuseConnections());
        return JSON.writeValueAsString(node);
    }

    /**
     * Reads a complete set of faults: a field left out is off (0, false).
     *
     * @throws IllegalArgumentException for anything but such an object, with a reason fit for a reply
     */
    public static IsoBankFaults parseFaults(String text) {
        JsonNode node = FileBankJson.readObject(text, FAULT_FIELDS);
        JsonNode lateBy = node.get("lateByMillis");
        if (lateBy != null && (!lateBy.isIntegralNumber() || !lateBy.canConvertToLong() || lateBy.longValue() < 0)) {
            throw new IllegalArgumentException("lateByMillis must be a whole number of milliseconds, 0 or more");
        }
        JsonNode refuse = node.get("refuseConnections");
        if (refuse != null && !refuse.isBoolean()) {
            throw new IllegalArgumentException("refuseConnections must be true or false");
        }
        return new IsoBankFaults(FileBankJson.odds(node, "busy"), FileBankJson.odds(node, "late"),
                Duration.ofMillis(lateBy == null ? 0 : lateBy.longValue()), FileBankJson.odds(node, "dropAnswer"),
                FileBankJson.odds(node, "answerTwice"), FileBankJson.odds(node, "cutAnswer"), FileBankJson.odds(node, "garbleAnswer"),
                refuse != null && refuse.booleanValue());
    }

    /**
     * The ledger without card data: counts and sums, each entry as reference, field 37 and amount,
     * and how many references stand paid more than once (payments less reversals; a bank that pays
     * once: 0). A reference paid, reversed and paid again stands paid once.
     */
    public static String ledger(String code, IsoBankLedger ledger) {
        ObjectNode node = JSON.createObjectNode();
        LedgerSummary.put(node, code, ledger.payments().stream().map(IsoBankLedger.Entry::rrn).toList(), ledger.paidSumFen(),
                ledger.reversals().stream().map(IsoBankLedger.Entry::rrn).toList(), ledger.reversedSumFen(),
                ledger.duplicatesRefused().size());
        entries(node.putArray("payments"), ledger.payments());
        entries(node.putArray("reversals"), ledger.reversals());
        entries(node.putArray("duplicatesRefused"), ledger.duplicatesRefused());
        return JSON.writeValueAsString(node);
    }

    private static void entries(ArrayNode array, List<IsoBankLedger.Entry> entries) {
        for (IsoBankLedger.Entry entry : entries) {
            ObjectNode item = array.addObject();
            item.put("reference", entry.reference());
            item.put("rrn", entry.rrn());
            item.put("amountFen", entry.amountFen());
        }
    }
}
