package cn.onecard.simulators.httpbank;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Faults the HTTP bank injects, all off by default. Odds are probabilities in [0, 1], drawn per
 * request from the host's one seeded random source (its seed is logged at start). A busy request is
 * not acted on; every other fault befalls the answer to a request that was acted on, so a credit
 * whose answer is lost is paid all the same and the gateway must settle it by inquiry. "Answer
 * twice" has no HTTP form: one request takes one response, and bytes after it on a kept-alive
 * connection are a protocol error, which {@code malformedAnswer} covers.
 *
 * @param busy              odds that a request is answered {@code BUSY} and not acted on
 * @param delay             how long every answer is held back after acting (a slow bank)
 * @param late              odds that an answer is held back {@code lateBy} more (past the gateway's timeout: never in time)
 * @param lateBy            how long a late answer is held back
 * @param dropAnswer        odds that the request is acted on and the connection closed without an answer
 * @param resetConnection   odds that the request is acted on and the connection reset (TCP RST)
 * @param malformedAnswer   odds that the request is acted on and the answer is garbage: a broken chunk, or random bytes then close
 * @param unsignedAnswer    odds that the answer comes without its signature headers
 * @param badlySignedAnswer odds that the answer is signed by another key than the bank's
 * @param refuseConnections the listener is stopped: connections are refused until it is set false again
 */
public record HttpBankFaults(double busy, Duration delay, double late, Duration lateBy, double dropAnswer,
                             double resetConnection, double malformedAnswer, double unsignedAnswer,
                             double badlySignedAnswer, boolean refuseConnections) {

    /** A pause longer than this is a mistake, not a fault worth simulating. */
    static final Duration DELAY_MAX = Duration.ofMinutes(10);

    public static final HttpBankFaults NONE = new HttpBankFaults(0, Duration.ZERO, 0, Duration.ZERO, 0, 0, 0, 0, 0, false);

    public HttpBankFaults {
        requireOdds("busy", busy);
        requireOdds("late", late);
        requireOdds("dropAnswer", dropAnswer);
        requireOdds("resetConnection", resetConnection);
        requireOdds("malformedAnswer", malformedAnswer);
        requireOdds("unsignedAnswer", unsignedAnswer);
        requireOdds("badlySignedAnswer", badlySignedAnswer);
        requirePause("delay", delay);
        requirePause("lateBy", lateBy);
    }

    public HttpBankFaults withRefuseConnections(boolean refuse) {
        return new HttpBankFaults(busy, delay, late, lateBy, dropAnswer, resetConnection, malformedAnswer, unsignedAnswer,
                badlySignedAnswer, refuse);
    }

    /** What becomes of one request's answer; at most one of drop, reset, malformed, unsigned and badly signed. */
    enum Damage {
        NONE, DROP, RESET, MALFORMED_CHUNK, RANDOM_DATA, UNSIGNED, BADLY_SIGNED
    }

    /** What befalls one request: not acted on ({@code busy}), or acted on and its answer held {@code hold}, then damaged. */
    record Draw(boolean busy, Duration hold, Damage damage) {
    }

    /**
     * Draws the faults for one request. Always eight draws, whatever the odds, so that a run replays
     * from its seed even when odds change between runs (concurrent requests still interleave their
     * draws as they come). Damage goes by precedence: drop, reset, malformed, unsigned, badly signed.
     */
    Draw draw(Random random) {
        boolean isBusy = random.nextDouble() < busy;
        boolean isLate = random.nextDouble() < late;
        boolean isDropped = random.nextDouble() < dropAnswer;
        boolean isReset = random.nextDouble() < resetConnection;
        boolean isMalformed = random.nextDouble() < malformedAnswer;
        boolean brokenChunk = random.nextBoolean();
        boolean isUnsigned = random.nextDouble() < unsignedAnswer;
        boolean isBadlySigned = random.nextDouble() < badlySignedAnswer;
        if (isBusy) {
            return new Draw(true, delay, Damage.NONE);
        }
        Damage damage = isDropped ? Damage.DROP
                : isReset ? Damage.RESET
                : isMalformed ? (brokenChunk ? Damage.MALFORMED_CHUNK : Damage.RANDOM_DATA)
                : isUnsigned ? Damage.UNSIGNED
                : isBadlySigned ? Damage.BADLY_SIGNED
                : Damage.NONE;
        return new Draw(false, isLate ? delay.plus(lateBy) : delay, damage);
    }

    private static void requireOdds(String name, double odds) {
        if (!(odds >= 0.0 && odds <= 1.0)) {
            throw new IllegalArgumentException(name + " must be odds in [0, 1], got " + odds);
        }
    }

    private static void requirePause(String name, Duration pause) {
        Objects.requireNonNull(pause, name);
        if (pause.isNegative() || pause.compareTo(DELAY_MAX) > 0) {
            throw new IllegalArgumentException(name + " must be 0 to " + DELAY_MAX + ", got " + pause);
        }
    }
}
