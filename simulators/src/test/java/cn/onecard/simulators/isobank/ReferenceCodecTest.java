package cn.onecard.simulators.isobank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The bank reference in field 37: base 36, 12 characters, one to one. */
class ReferenceCodecTest {

    @Test
    void theSmallestAndLargestReferencesRoundTrip() {
        assertThat(ReferenceCodec.toRrn("OC000000000000000000")).isEqualTo("000000000000");
        assertThat(ReferenceCodec.toReference("000000000000")).isEqualTo("OC000000000000000000");

        String largest = "OC999999999999999999";
        String rrn = ReferenceCodec.toRrn(largest);
        assertThat(rrn).hasSize(12).isEqualTo("7LIEEXZX4KXR"); // 10^18 - 1 in base 36
        assertThat(ReferenceCodec.toReference(rrn)).isEqualTo(largest);
    }

    @Test
    void smallNumbersArePaddedWithZeroesAndWrittenInUpperCase() {
        assertThat(ReferenceCodec.toRrn("OC000000000000000035")).isEqualTo("00000000000Z");
        assertThat(ReferenceCodec.toRrn("OC000000000000000036")).isEqualTo("000000000010");
    }

    @Test
    void randomReferencesRoundTripAndNoTwoShareAnRrn() {
        Random random = new Random(20261207L);
        Set<String> rrns = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String reference = String.format("OC%018d", Math.floorMod(random.nextLong(), 1_000_000_000_000_000_000L));
            String rrn = ReferenceCodec.toRrn(reference);
            assertThat(rrn).matches("[0-9A-Z]{12}");
            assertThat(ReferenceCodec.isReferenceRrn(rrn)).isTrue();
            assertThat(ReferenceCodec.toReference(rrn)).isEqualTo(reference);
            assertThat(rrns.add(rrn)).as("distinct references give distinct RRNs").isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"OC12345678901234567", "OC1234567890123456789", "XX123456789012345678", "oc123456789012345678",
            "OC12345678901234567A", ""})
    void refusesWhatIsNotABankReference(String notAReference) {
        assertThatThrownBy(() -> ReferenceCodec.toRrn(notAReference)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"7LIEEXZX4KXS", "ZZZZZZZZZZZZ", "00000000000a", "00000000000", "0000000000000", "00000000000-"})
    void refusesRrnsThatNameNoBankReference(String rrn) {
        assertThat(ReferenceCodec.isReferenceRrn(rrn)).isFalse();
        assertThatThrownBy(() -> ReferenceCodec.toReference(rrn)).isInstanceOf(IllegalArgumentException.class);
    }
}
