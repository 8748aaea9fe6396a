package cn.onecard.simulators.filebank;

import java.time.Duration;
import java.util.Objects;

/**
 * Faults a simulated bank injects, all off by default. Odds are probabilities in [0, 1], drawn from
 * the simulator's one seeded random source when a payment file is processed, so a run replays from
 * its printed seed. Changing faults at run time affects the files processed afterwards.
 *
 * @param resultDelay     time between processing a payment file and writing its first result file
 * @param partialResult   odds that a result with two or more records is answered in two parts; the
 *                        {@code _P2} part holds the rest and follows {@code followUpDelay} later
 * @param corruptResult   odds, per result file written, that it is damaged (a flipped byte, or cut
 *                        short before or after protection) so that it fails verification or parsing
 * @param duplicateResult odds, per result file written, that it is written again, same bytes and
 *                        name, {@code followUpDelay} after the gateway took the first copy from out/
 * @param lostRecords     odds, per record, that it is left out of the first answer; a resend of the
 *                        same file id gets the complete original results
 * @param closed          the bank is closed for the day: uploads into in/ are refused with an SFTP
 *                        permission error and nothing is processed until it reopens
 * @param followUpDelay   the pause before a {@code _P2} part and before a duplicate result
 * @param dayAheadDays    the bank's processing day runs this many days ahead of its clock (it rolled
 *                        its business day over early): LYB refuses every file dated before it whole
 *                        ({@code F002}); ABC does not check the date
 */
public record FileBankFaults(Duration resultDelay, double partialResult, double corruptResult,
                             double duplicateResult, double lostRecords, boolean closed, Duration followUpDelay,
                             int dayAheadDays) {

    /** A pause longer than this is a mistake, not a fault worth simulating. */
    static final Duration DELAY_MAX = Duration.ofHours(1);
    static final Duration FOLLOW_UP_DELAY_DEFAULT = Duration.ofMillis(500);
    /** A business day further ahead than this is a mistake, not a fault worth simulating. */
    static final int DAY_AHEAD_DAYS_MAX = 30;

    public static final FileBankFaults NONE =
            new FileBankFaults(Duration.ZERO, 0, 0, 0, 0, false, FOLLOW_UP_DELAY_DEFAULT, 0);

    public FileBankFaults {
        Objects.requireNonNull(resultDelay, "resultDelay");
        Objects.requireNonNull(followUpDelay, "followUpDelay");
        requireDelay("resultDelay", resultDelay);
        requireDelay("followUpDelay", followUpDelay);
        requireOdds("partialResult", partialResult);
        requireOdds("corruptResult", corruptResult);
        requireOdds("duplicateResult", duplicateResult);
        requireOdds("lostRecords", lostRecords);
        if (dayAheadDays < 0 || dayAheadDays > DAY_AHEAD_DAYS_MAX) {
            throw new IllegalArgumentException("dayAheadDays must be 0 to " + DAY_AHEAD_DAYS_MAX);
        }
    }

    public FileBankFaults withResultDelay(Duration delay) {
        return new FileBankFaults(delay, partialResult, corruptResult, duplicateResult, lostRecords, closed,
                followUpDelay, dayAheadDays);
    }

    public FileBankFaults withPartialResult(double odds) {
        return new FileBankFaults(resultDelay, odds, corruptResult, duplicateResult, lostRecords, closed,
                followUpDelay, dayAheadDays);
    }

    public FileBankFaults withCorruptResult(double odds) {
        return new FileBankFaults(resultDelay, partialResult, odds, duplicateResult, lostRecords, closed,
                followUpDelay, dayAheadDays);
    }

    public FileBankFaults withDuplicateResult(double odds) {
        return new FileBankFaults(resultDelay, partialResult, corruptResult, odds, lostRecords, closed,
                followUpDelay, dayAheadDays);
    }

    public FileBankFaults withLostRecords(double odds) {
        return new FileBankFaults(resultDelay, partialResult, corruptResult, duplicateResult, odds, closed,
                followUpDelay, dayAheadDays);
    }

    public FileBankFaults withClosed(boolean isClosed) {
        return new FileBankFaults(resultDelay, partialResult, corruptResult, duplicateResult, lostRecords, isClosed,
                followUpDelay, dayAheadDays);
    }

    public FileBankFaults withFollowUpDelay(Duration delay) {
        return new FileBankFaults(resultDelay, partialResult, corruptResult, duplicateResult, lostRecords, closed,
                delay, dayAheadDays);
    }

    public FileBankFaults withDayAheadDays(int days) {
        return new FileBankFaults(resultDelay, partialResult, corruptResult, duplicateResult, lostRecords, closed,
                followUpDelay, days);
    }

    private static void requireOdds(String name, double odds) {
        if (!(odds >= 0.0 && odds <= 1.0)) {
            throw new IllegalArgumentException(name + " must be odds in [0, 1], got " + odds);
        }
    }

    private static void requireDelay(String name, Duration delay) {
        if (delay.isNegative() || delay.compareTo(DELAY_MAX) > 0) {
            throw new IllegalArgumentException(name + " must be 0 to " + DELAY_MAX + ", got " + delay);
        }
    }
}
