package cn.onecard.simulators.isobank;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Faults the ISO 8583 bank injects, all off by default. Odds are probabilities in [0, 1], drawn per
 * request from the host's one seeded random source (its seed is logged at start), in this order:
 * busy, then late, then dropped; then, on the line, per answer: twice, cut, garbled. A busy request
 * is not acted on; every other fault befalls the answer to a request that was acted on, so a credit
 * whose answer is lost is paid all the same and the gateway must find out by inquiry.
 *
 * @param busy        odds that a request is answered with the issuer-unavailable code (C2 in agent-bcd) and not acted on
 * @param late        odds that the answer is held back for {@code lateBy} after acting
 * @param lateBy      how long a late answer is held back
 * @param dropAnswer  odds that the request is acted on and no answer is sent
 * @param answerTwice odds, per answer on the line, that it is sent twice
 * @param cutAnswer   odds, per answer on the line, that half of it is sent and the connection closed
 * @param garbleAnswer odds, per answer on the line, that one byte past its length header is flipped
 * @param refuseConnections new connections are closed as soon as they are accepted
 */
public record IsoBankFaults(double busy, double late, Duration lateBy, double dropAnswer, double answerTwice,
                            double cutAnswer, double garbleAnswer, boolean refuseConnections) {

    /** A pause longer than this is a mistake, not a fault worth simulating. */
    static final Duration DELAY_MAX = Duration.ofMinutes(10);

    public static final IsoBankFaults NONE = new IsoBankFaults(0, 0, Duration.ZERO, 0, 0, 0, 0, false);

    public IsoBankFaults {
        requireOdds("busy", busy);
        requireOdds("late", late);
        requireOdds("dropAnswer", dropAnswer);
        requireOdds("answerTwice", answerTwice);
        requireOdds("cutAnswer", cutAnswer);
        requireOdds("garbleAnswer", garbleAnswer);
        Objects.requireNonNull(lateBy, "lateBy");
        if (lateBy.isNegative() || lateBy.compareTo(DELAY_MAX) > 0) {
            throw new IllegalArgumentException("lateBy must be 0 to " + DELAY_MAX + ", got " + lateBy);
        }
    }

    public IsoBankFaults withBusy(double odds) {
        return new IsoBankFaults(odds, late, lateBy, dropAnswer, answerTwice, cutAnswer, garbleAnswer, refuseConnections);
    }

    public IsoBankFaults withLate(double odds, Duration by) {
        return new IsoBankFaults(busy, odds, by, dropAnswer, answerTwice, cutAnswer, garbleAnswer, refuseConnections);
    }

    public IsoBankFaults withDropAnswer(double odds) {
        return new IsoBankFaults(busy, late, lateBy, odds, answerTwice, cutAnswer, garbleAnswer, refuseConnections);
    }

    public IsoBankFaults withAnswerTwice(double odds) {
        return new IsoBankFaults(busy, late, lateBy, dropAnswer, odds, cutAnswer, garbleAnswer, refuseConnections);
    }

    public IsoBankFaults withCutAnswer(double odds) {
        return new IsoBankFaults(busy, late, lateBy, dropAnswer, answerTwice, odds, garbleAnswer, refuseConnections);
    }

    public IsoBankFaults withGarbleAnswer(double odds) {
        return new IsoBankFaults(busy, late, lateBy, dropAnswer, answerTwice, cutAnswer, odds, refuseConnections);
    }

    public IsoBankFaults withRefuseConnections(boolean refuse) {
        return new IsoBankFaults(busy, late, lateBy, dropAnswer, answerTwice, cutAnswer, garbleAnswer, refuse);
    }

    /** What befalls one request. */
    record Draw(boolean busy, boolean late, boolean dropAnswer) {
        static final Draw NONE = new Draw(false, false, false);
    }

    /**
     * Draws the faults for one request. Always three draws, whatever the odds, so that a run replays
     * from its seed even when odds change between runs (requests racing on connections still
     * interleave their draws as they come).
     */
    Draw draw(Random random) {
        boolean isBusy = random.nextDouble() < busy;
        boolean isLate = random.nextDouble() < late;
        boolean isDropped = random.nextDouble() < dropAnswer;
        return new Draw(isBusy, !isBusy && isLate, !isBusy && isDropped);
    }

    /** What befalls one answer on the line; {@code where} places a garbled byte, as a fraction of the frame. */
    record LineDraw(boolean twice, boolean cut, boolean garble, double where) {
    }

    /** Draws the line's faults for one answer: always four draws, as {@link #draw}. A cut answer is neither garbled nor repeated. */
    LineDraw drawLine(Random random) {
        boolean isTwice = random.nextDouble() < answerTwice;
        boolean isCut = random.nextDouble() < cutAnswer;
        boolean isGarbled = random.nextDouble() < garbleAnswer;
        double where = random.nextDouble();
        return new LineDraw(!isCut && isTwice, isCut, !isCut && isGarbled, where);
    }

    private static void requireOdds(String name, double odds) {
        if (!(odds >= 0.0 && odds <= 1.0)) {
            throw new IllegalArgumentException(name + " must be odds in [0, 1], got " + odds);
        }
    }
}
