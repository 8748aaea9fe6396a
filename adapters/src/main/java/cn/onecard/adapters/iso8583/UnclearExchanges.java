package cn.onecard.adapters.iso8583;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the adapter remembers, in memory only, of exchanges whose outcome is unclear: the data
 * elements of each unclear credit, which a reversal names in field 90, and the credits and
 * reversals that timed out, whose late answers become reports. Bounded: the oldest entries go
 * first, and a node that restarts remembers nothing (its items are settled by inquiry, and a
 * reversal that needs 90 is not sent). Thread-safe.
 */
final class UnclearExchanges {

    /** Unclear credits remembered for their reversals. */
    static final int ORIGINALS_MAX = 50_000;
    /** Timed-out exchanges whose late answer is awaited. */
    static final int AWAITED_MAX = 50_000;

    /** A credit as it went to the host: what field 90 of its reversal names. */
    record OriginalCredit(String mti, String trace, String transmissionDateTime, String acquirerId, String forwarderId) {
    }

    /** What an exchange was about, to turn its late answer into an outcome. */
    enum Kind {
        CREDIT, REVERSAL
    }

    /** An exchange that timed out: the dispatch and item its late answer would settle. */
    record Awaited(Kind kind, String dispatchId, String bankReference, long amountFen) {
    }

    private final Map<String, OriginalCredit> originals = bounded(ORIGINALS_MAX);
    private final Map<String, Awaited> awaited = bounded(AWAITED_MAX);

    synchronized void original(String bankReference, OriginalCredit credit) {
        originals.put(bankReference, credit);
    }

    synchronized Optional<OriginalCredit> originalOf(String bankReference) {
        return Optional.ofNullable(originals.get(bankReference));
    }

    synchronized void await(String rrn, Awaited exchange) {
        awaited.put(exchange.kind() + " " + rrn, exchange);
    }

    /** The exchange a late answer belongs to, taken out so that a second copy of the answer finds nothing. */
    synchronized Optional<Awaited> takeAwaited(Kind kind, String rrn) {
        return Optional.ofNullable(awaited.remove(kind + " " + rrn));
    }

    private static <V> Map<String, V> bounded(int max) {
        return new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > max;
            }
        };
    }
}
