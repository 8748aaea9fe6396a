package cn.onecard.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.gateway.ledger.BankReferences;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The audit of a simulated bank's own books against a gateway's ledger, reference by reference, for
 * every kind of bank: the bank paid no reference twice; every item the gateway holds paid is paid at
 * the bank; whatever the bank paid (less what it reversed) is paid, or still unknown, at the
 * gateway, never failed and never anything else.
 */
public final class BankBooks {

    private BankBooks() {
    }

    /** Audits bank {@code code}'s books against every item the gateway holds for it; returns the items paid at the bank. */
    public static int audit(SimulatedWorld world, GatewayNode gateway, String code) {
        JsonNode books = world.bankLedger(code);
        assertThat(books.get("referencesPaidMoreThanOnce").asLong()).as(code + " paid a reference twice").isZero();
        Map<String, Integer> standing = new HashMap<>();
        books.get("payments").forEach(entry -> standing.merge(entry.get("reference").asString(), 1, Integer::sum));
        books.path("reversals").forEach(entry -> standing.merge(entry.get("reference").asString(), -1, Integer::sum));
        Set<String> paidAtTheBank = new HashSet<>();
        standing.forEach((reference, times) -> {
            if (times > 0) {
                paidAtTheBank.add(reference);
            }
        });
        Map<String, String> stateByReference = new HashMap<>();
        gateway.jdbc().query("select batch_pk, seq, state from items where bank_code = ?", row -> {
            stateByReference.put(BankReferences.of(row.getLong(1), row.getInt(2)), row.getString(3));
        }, code);
        List<String> paidByTheGateway = stateByReference.entrySet().stream().filter(entry -> entry.getValue().equals("PAID"))
                .map(Map.Entry::getKey).toList();
        assertThat(paidAtTheBank).as(code + ": every item the gateway holds paid is paid at the bank")
                .containsAll(paidByTheGateway);
        for (String reference : paidAtTheBank) {
            assertThat(stateByReference.get(reference)).as(code + ": what the bank paid, " + reference + ", is paid "
                    + "or still unknown at the gateway, never failed").isIn("PAID", "UNKNOWN");
        }
        return paidAtTheBank.size();
    }
}
