package cn.onecard.adapters;

import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Objects;

/**
 * What a bank can do and the limits the dispatcher keeps with it, declared by its adapter so that
 * the dispatcher treats every bank alike. Every flag and limit here is read by the dispatcher.
 *
 * @param mode                   batch files or online messages: decides how an unclear send is settled
 * @param accountVerification    the bank answers "does this card account exist and take credits";
 *                               the dispatcher asks before every credit
 * @param statusInquiry          the bank answers "what became of this reference" (online banks)
 * @param reversal               the bank reverses a payment by reference (online banks)
 * @param dispatchItemsMax       items in one dispatch (one file); 1 for online banks
 * @param dispatchesPerSecondMax operations started per second: sends, inquiries, reversals (an account
 *                               verification and the credit it precedes count as one); 0 means no limit
 * @param sendsInFlightMax       operations with this bank under way at once
 * @param cutOffs                times of day (bank's local time) when the dispatcher closes a file and
 *                               sends it; empty means send as soon as items are ready
 * @param resultDeadline         how long after a send the bank's outcome is due: a file bank's results
 *                               are chased after it (the same file again); an online bank's unclear
 *                               payment is inquired after it
 */
public record BankCapabilities(
        Mode mode,
        boolean accountVerification,
        boolean statusInquiry,
        boolean reversal,
        int dispatchItemsMax,
        int dispatchesPerSecondMax,
        int sendsInFlightMax,
        List<LocalTime> cutOffs,
        Duration resultDeadline) {

    /** The largest number of operations under way with one bank that any bank may declare. */
    public static final int SENDS_IN_FLIGHT_MAX = 4_096;

    /** How a bank takes payments. */
    public enum Mode {
        /** A file of many items; results come back later as a file. */
        BATCH_FILE,
        /** One message per item; the answer comes back on the same exchange. */
        ONLINE
    }

    public BankCapabilities {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(resultDeadline, "resultDeadline");
        cutOffs = List.copyOf(cutOffs);
        if (dispatchItemsMax < 1) {
            throw new IllegalArgumentException("dispatchItemsMax must be at least 1: " + dispatchItemsMax);
        }
        if (mode == Mode.ONLINE && dispatchItemsMax != 1) {
            throw new IllegalArgumentException("an online bank takes one item per dispatch");
        }
        if (mode == Mode.BATCH_FILE && (statusInquiry || reversal)) {
            throw new IllegalArgumentException("a batch-file bank settles unclear sends by sending the same file again; "
                    + "inquiry and reversal are online operations");
        }
        if (dispatchesPerSecondMax < 0) {
            throw new IllegalArgumentException("dispatchesPerSecondMax must not be negative");
        }
        if (sendsInFlightMax < 1 || sendsInFlightMax > SENDS_IN_FLIGHT_MAX) {
            throw new IllegalArgumentException("sendsInFlightMax must be 1 to " + SENDS_IN_FLIGHT_MAX + ": " + sendsInFlightMax);
        }
        if (resultDeadline.isNegative() || resultDeadline.isZero()) {
            throw new IllegalArgumentException("resultDeadline must be positive");
        }
    }

    /** A batch-file bank: no verification, inquiry or reversal; one file at a time. */
    public static BankCapabilities batchFile(int dispatchItemsMax, List<LocalTime> cutOffs, Duration resultDeadline) {
        return new BankCapabilities(Mode.BATCH_FILE, false, false, false, dispatchItemsMax, 0, 1, cutOffs, resultDeadline);
    }
}
