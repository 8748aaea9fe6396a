package cn.onecard.gateway.ledger;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A batch's items counted and summed by state and by code (the state's name for items without a
 * code). Built from grouped rows; read by the batch machine and by {@link BatchSummary}.
 */
public final class BatchTally {

    private final Map<ItemState, long[]> byState = new EnumMap<>(ItemState.class);
    private final Map<String, long[]> byCode = new TreeMap<>();
    private long itemCount;
    private long totalFen;

    /** Adds {@code count} items of {@code state} and {@code code} (null: none) summing {@code amountFen}. */
    public BatchTally add(ItemState state, String code, long count, long amountFen) {
        if (count < 0) {
            throw new IllegalArgumentException("a count is never negative");
        }
        if (count == 0) {
            return this;
        }
        long[] s = byState.computeIfAbsent(state, k -> new long[2]);
        s[0] += count;
        s[1] = Math.addExact(s[1], amountFen);
        long[] c = byCode.computeIfAbsent(code == null ? state.name() : code, k -> new long[2]);
        c[0] += count;
        c[1] = Math.addExact(c[1], amountFen);
        itemCount += count;
        totalFen = Math.addExact(totalFen, amountFen);
        return this;
    }

    public long itemCount() {
        return itemCount;
    }

    public long totalFen() {
        return totalFen;
    }

    public long count(ItemState state) {
        long[] s = byState.get(state);
        return s == null ? 0 : s[0];
    }

    public long sumFen(ItemState state) {
        long[] s = byState.get(state);
        return s == null ? 0 : s[1];
    }

    /** Items that may still move by themselves. */
    public long inFlight() {
        return byState.entrySet().stream().filter(e -> e.getKey().inFlight()).mapToLong(e -> e.getValue()[0]).sum();
    }

    /** Items waiting for an operator or a late answer. */
    public long awaitingReview() {
        return byState.entrySet().stream().filter(e -> e.getKey().awaitingReview()).mapToLong(e -> e.getValue()[0]).sum();
    }

    /** Every item is final: the one definition of a complete batch. */
    public boolean complete() {
        return itemCount > 0 && byState.keySet().stream().allMatch(ItemState::isFinal);
    }

    /** Count and sum by state, in the states' order. */
    public Map<ItemState, long[]> byState() {
        return Collections.unmodifiableMap(byState);
    }

    /** Count and sum by code, in the codes' alphabetical order. */
    public Map<String, long[]> byCode() {
        return Collections.unmodifiableMap(byCode);
    }
}
