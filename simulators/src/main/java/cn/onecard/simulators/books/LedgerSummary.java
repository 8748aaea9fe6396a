package cn.onecard.simulators.books;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/** The head of an online bank's ledger JSON, for an auditor: counts, sums, and references standing paid more than once. */
public final class LedgerSummary {

    private LedgerSummary() {
    }

    /**
     * Puts {@code bank}, the counts and sums paid and reversed, {@code standingSumFen} (paid less
     * reversed), {@code duplicatesRefusedCount} and {@code referencesPaidMoreThanOnce}: references whose
     * payments less reversals exceed one (a bank that never pays twice: 0).
     *
     * @param paid     the key of every payment, in order, repeats included
     * @param reversed the key of every reversal, in order
     */
    public static void put(ObjectNode node, String code, List<String> paid, long paidSumFen, List<String> reversed,
                           long reversedSumFen, int duplicatesRefused) {
        node.put("bank", code);
        node.put("paidCount", paid.size());
        node.put("paidSumFen", paidSumFen);
        node.put("reversedCount", reversed.size());
        node.put("reversedSumFen", reversedSumFen);
        node.put("standingSumFen", paidSumFen - reversedSumFen);
        node.put("duplicatesRefusedCount", duplicatesRefused);
        Map<String, Integer> standing = new HashMap<>();
        paid.forEach(key -> standing.merge(key, 1, Integer::sum));
        reversed.forEach(key -> standing.merge(key, -1, Integer::sum));
        node.put("referencesPaidMoreThanOnce", standing.values().stream().filter(times -> times > 1).count());
    }
}
