package cn.onecard.gateway.ledger;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one builder of a batch's summary as the treasury reads it (docs/api.md): the SUMMARY callback,
 * the closing line of the result file and the batch query all carry these fields, built here from
 * one {@link BatchTally}, so that "complete" and the sums mean the same everywhere.
 */
public final class BatchSummary {

    private BatchSummary() {
    }

    /**
     * {@code complete} (every item final), {@code itemCount}, {@code totalAmountFen}, and
     * {@code byState} and {@code byCode}, each a map of {@code {count, amountFen}}: states in their
     * life's order, codes alphabetically (an item without a code counts under its state's name).
     */
    public static Map<String, Object> of(BatchTally tally) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("complete", tally.complete());
        out.put("itemCount", tally.itemCount());
        out.put("totalAmountFen", tally.totalFen());
        Map<String, Object> byState = new LinkedHashMap<>();
        tally.byState().forEach((state, sums) -> byState.put(state.name(), sums(sums)));
        out.put("byState", byState);
        Map<String, Object> byCode = new LinkedHashMap<>();
        tally.byCode().forEach((code, sums) -> byCode.put(code, sums(sums)));
        out.put("byCode", byCode);
        return out;
    }

    private static Map<String, Object> sums(long[] countAndSum) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", countAndSum[0]);
        out.put("amountFen", countAndSum[1]);
        return out;
    }
}
