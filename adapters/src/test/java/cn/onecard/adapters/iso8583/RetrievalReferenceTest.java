package cn.onecard.adapters.iso8583;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every gateway reference has its own RRN, and the RRN gives the reference back. */
class RetrievalReferenceTest {

    @Test
    void theEdgesAndRandomReferences_roundTrip_inTwelveCharacters() {
        String largest = "OC" + "9".repeat(18);
        assertThat(RetrievalReference.of("OC" + "0".repeat(18))).hasValue("000000000000");
        assertThat(RetrievalReference.of(largest)).hasValueSatisfying(rrn -> {
            assertThat(rrn).hasSize(12).matches("[0-9A-Z]{12}");
            assertThat(RetrievalReference.reference(rrn)).hasValue(largest);
        });
        SplittableRandom random = new SplittableRandom(20261207L);
        for (int i = 0; i < 10_000; i++) {
            String reference = "OC" + String.format("%018d", random.nextLong(1_000_000_000_000_000_000L));
            String rrn = RetrievalReference.of(reference).orElseThrow();
            assertThat(rrn).hasSize(12);
            assertThat(RetrievalReference.reference(rrn)).hasValue(reference);
        }
    }

    @Test
    void aReferenceNotOfTheGatewaysForm_hasNoRrn_andAnRrnBeyondItsRange_noReference() {
        assertThat(RetrievalReference.of("XY000000000000000001")).isEmpty();
        assertThat(RetrievalReference.of("OC00000000000000000A")).isEmpty();
        assertThat(RetrievalReference.of("OC0001")).isEmpty();
        assertThat(RetrievalReference.reference("ZZZZZZZZZZZZ")).as("more than 18 digits").isEmpty();
        assertThat(RetrievalReference.reference("abc")).isEmpty();
    }
}
