package cn.onecard.adapters;

import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Objects;

/**
 * What a bank can do and the limits the dispatcher keeps with it, declared by its adapter so that
 * the dispatcher treats every bank alike.
 *
 * @param mode                 batch files or online messages
 * @param accountVerification  the bank answers "does this card account exist and take credits"
 * @param statusInquiry        the bank answers "what became of this reference"
 * @param reversal             the bank reverses a payment by reference
 * @param dispatchItemsMax     items in one dispatch (one file); 1 for online banks
 * @param dispatchesPerSecondMax rate limit on sends; 0 means no limit
 * @param cutOffs              times of day (bank's local time) when the dispatcher closes a file and
 *                             sends it; empty means send as soon as items are ready
 * @param resultDeadline       how long after a send the bank's results are due; after it, missing
 *                             results are chased (file resent with the same id) and then alerted
 */
public record BankCapabilities(
        Mode mode,
        boolean accountVerification,
        boolean statusInquiry,
        boolean reversal,
        int dispatchItemsMax,
        int dispatchesPerSecondMax,
        List<LocalTime> cutOffs,
        Duration resultDeadline) {

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
        if (dispatchesPerSecondMax < 0) {
            throw new IllegalArgumentException("dispatchesPerSecondMax must not be negative");
        }
        if (resultDeadline.isNegative() || resultDeadline.isZero()) {
            throw new IllegalArgumentException("resultDeadline must be positive");
        }
    }
}
