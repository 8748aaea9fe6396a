package cn.onecard.simulators.treasury;

import java.time.Duration;

/**
 * Faults of the treasury's callback receiver, all off by default. The shares are drawn per
 * callback from one generator seeded with {@code seed}, in this order: drop, error, lost
 * acknowledgement (a share of 0 draws nothing, so adding a fault leaves the others' draws alone).
 *
 * @param downFor       answer 503 to every callback for this long from the moment the faults are set (a treasury that is down)
 * @param dropShare     odds per callback of dropping the connection without an answer, before filing anything
 * @param errorShare    odds per callback of answering 500 without filing anything (a treasury failing inside)
 * @param lostAckShare  odds per callback of filing it and then dropping the connection without an answer
 *                      (the acknowledgement is lost: the gateway must send it again, and the repeat is a no-op)
 * @param seed          the seed of the odds
 */
public record ReceiverFaults(Duration downFor, double dropShare, double errorShare, double lostAckShare, long seed) {

    public ReceiverFaults {
        if (downFor == null || downFor.isNegative()) {
            throw new IllegalArgumentException("downFor must be zero or more");
        }
        share("dropShare", dropShare);
        share("errorShare", errorShare);
        share("lostAckShare", lostAckShare);
    }

    /** A treasury that is down for a while, or drops connections, and does nothing else wrong. */
    public ReceiverFaults(Duration downFor, double dropShare, long seed) {
        this(downFor, dropShare, 0, 0, seed);
    }

    private static void share(String name, double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException(name + " must be 0 to 1");
        }
    }

    public static ReceiverFaults none() {
        return new ReceiverFaults(Duration.ZERO, 0, 0);
    }
}
