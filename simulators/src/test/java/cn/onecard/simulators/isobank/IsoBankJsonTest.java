package cn.onecard.simulators.isobank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class IsoBankJsonTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void faults_areTheCompleteSet_andRoundTrip() {
        IsoBankFaults faults = IsoBankJson.parseFaults(
                "{\"busy\": 0.1, \"late\": 0.2, \"lateByMillis\": 1500, \"dropAnswer\": 0.3, \"refuseConnections\": true}");

        assertThat(faults).isEqualTo(IsoBankFaults.NONE.withBusy(0.1).withLate(0.2, Duration.ofMillis(1500)).withDropAnswer(0.3)
                .withRefuseConnections(true));
        assertThat(IsoBankJson.parseFaults("{}")).as("a field left out is off").isEqualTo(IsoBankFaults.NONE);
        IsoBankFaults line = IsoBankFaults.NONE.withAnswerTwice(0.4).withCutAnswer(0.5).withGarbleAnswer(0.6);
        assertThat(IsoBankJson.parseFaults(IsoBankJson.faults(line))).isEqualTo(line);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "not json", "{\"bussy\": 0.1}", "{\"busy\": 1.5}", "{\"busy\": \"1\"}", "{\"lateByMillis\": -1}",
            "{\"lateByMillis\": 1.5}", "{\"lateByMillis\": 600001}", "{\"refuseConnections\": \"yes\"}"})
    void badFaults_areRefusedWithAReason(String body) {
        assertThatThrownBy(() -> IsoBankJson.parseFaults(body)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("Exception");
    }

    @Test
    void ledger_countsOnlyReferencesStandingPaidMoreThanOnce() {
        IsoBankLedger.Entry first = IsoBankLedger.Entry.of(ReferenceCodec.toRrn("OC000000000000000001"), 100);
        IsoBankLedger.Entry second = IsoBankLedger.Entry.of(ReferenceCodec.toRrn("OC000000000000000002"), 200);
        IsoBankLedger paidReversedPaid = new IsoBankLedger(List.of(first, first, second), List.of(first), List.of(second), 400, 100);
        IsoBankLedger paidTwice = new IsoBankLedger(List.of(first, first), List.of(), List.of(), 200, 0);

        JsonNode json = JSON.readTree(IsoBankJson.ledger("HNNX", paidReversedPaid));

        assertThat(json.get("referencesPaidMoreThanOnce").asLong()).as("paid, reversed, paid again stands once").isZero();
        assertThat(json.get("standingSumFen").asLong()).isEqualTo(300);
        assertThat(json.get("reversedCount").asInt()).isEqualTo(1);
        assertThat(json.get("duplicatesRefusedCount").asInt()).isEqualTo(1);
        assertThat(json.at("/payments/2/reference").asString()).isEqualTo("OC000000000000000002");
        assertThat(json.at("/payments/2/rrn").asString()).isEqualTo(ReferenceCodec.toRrn("OC000000000000000002"));
        assertThat(JSON.readTree(IsoBankJson.ledger("HNNX", paidTwice)).get("referencesPaidMoreThanOnce").asLong()).isEqualTo(1);
    }
}
