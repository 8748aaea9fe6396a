package cn.onecard.adapters;

import java.util.List;
import java.util.Objects;

/**
 * The outcomes of one result file (or one online answer), verified and parsed: its signature and
 * its summary's count and sum check out against its records.
 *
 * @param source     the result file's name at the bank, for the operator and the ledger
 * @param dispatchId the dispatch the results belong to, as the bank wrote it
 * @param outcomes   one per record, in file order
 * @param contentSm3 hex SM3 of the result file as received, so that the same file seen twice is
 *                   recognised
 */
public record ResultDelivery(String source, String dispatchId, List<ItemOutcome> outcomes, String contentSm3) {

    public ResultDelivery {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(dispatchId, "dispatchId");
        Objects.requireNonNull(contentSm3, "contentSm3");
        outcomes = List.copyOf(outcomes);
    }

    /** Sum of the outcomes' amounts, in fen. */
    public long totalFen() {
        long total = 0;
        for (ItemOutcome outcome : outcomes) {
            total = Math.addExact(total, outcome.amountFen());
        }
        return total;
    }
}
