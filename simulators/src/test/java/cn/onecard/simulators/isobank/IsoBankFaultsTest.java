package cn.onecard.simulators.isobank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Fault draws: replayable from a seed, and a busy request is never also acted on. */
class IsoBankFaultsTest {

    private static final IsoBankFaults HALF = new IsoBankFaults(0.5, 0.5, Duration.ofMillis(1), 0.5, 0.5, 0.5, 0.5, false);

    private static List<IsoBankFaults.Draw> draws(IsoBankFaults faults, long seed) {
        Random random = new Random(seed);
        return IntStream.range(0, 200).mapToObj(i -> faults.draw(random)).toList();
    }

    @Test
    void theSameSeedDrawsTheSameFaultsAndAnotherSeedOthers() {
        assertThat(draws(HALF, 42L)).isEqualTo(draws(HALF, 42L));
        assertThat(draws(HALF, 42L)).isNotEqualTo(draws(HALF, 43L));
    }

    @Test
    void aBusyAnswerIsNeitherLateNorDropped() {
        assertThat(draws(HALF, 7L)).filteredOn(IsoBankFaults.Draw::busy).isNotEmpty()
                .allSatisfy(draw -> assertThat(draw.late() || draw.dropAnswer()).isFalse());
        assertThat(draws(IsoBankFaults.NONE, 7L)).containsOnly(IsoBankFaults.Draw.NONE);
    }

    @Test
    void refusesOddsOutsideZeroToOneAndNegativeDelays() {
        assertThatThrownBy(() -> IsoBankFaults.NONE.withBusy(1.5)).hasMessageContaining("busy");
        assertThatThrownBy(() -> IsoBankFaults.NONE.withDropAnswer(-0.1)).hasMessageContaining("dropAnswer");
        assertThatThrownBy(() -> IsoBankFaults.NONE.withLate(0.5, Duration.ofMillis(-1))).hasMessageContaining("lateBy");
    }
}
