package cn.onecard.simulators.treasury;

import java.time.Duration;

/**
 * Faults of the treasury's callback receiver, all off by default.
 *
 * @param downFor   answer 503 to every callback for this long from the moment the faults are set (a treasury that is down)
 * @param dropShare odds per callback of dropping the connection without an answer
 * @param seed      the seed of the drop odds
 */
public record ReceiverFaults(Duration downFor, double dropShare, long seed) {

    public ReceiverFaults {
        if (downFor == null || downFor.isNegative()) {
            throw new IllegalArgumentException("downFor must be zero or more");
        }
        if (!(dropShare >= 0 && dropShare <= 1)) {
            throw new IllegalArgumentException("dropShare must be 0 to 1");
        }
    }

    public static ReceiverFaults none() {
        return new ReceiverFaults(Duration.ZERO, 0, 0);
    }
}
