package cn.onecard.simulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.simulators.filebank.FileBankFaults;
import cn.onecard.simulators.filebank.FileBankKind;
import cn.onecard.simulators.filebank.FileBankLedger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class BankControlRoutesTest {

    @Test
    void faults_areTheCompleteSet_andRoundTrip() {
        FileBankFaults faults = BankControlRoutes.parseFaults(
                "{\"resultDelayMillis\": 4500, \"lostRecords\": 0.3, \"closed\": true, \"followUpDelayMillis\": 200}");

        assertThat(faults).isEqualTo(FileBankFaults.NONE.withResultDelay(Duration.ofMillis(4500)).withLostRecords(0.3)
                .withClosed(true).withFollowUpDelay(Duration.ofMillis(200)));
        assertThat(BankControlRoutes.parseFaults("{}")).as("a field left out is off").isEqualTo(FileBankFaults.NONE);
        assertThat(BankControlRoutes.parseFaults(BankControlRoutes.faults(faults).toString())).isEqualTo(faults);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "not json", "{\"lostRecord\": 0.1}", "{\"corruptResult\": 1.5}", "{\"resultDelayMillis\": -1}",
            "{\"resultDelayMillis\": 1.5}", "{\"resultDelayMillis\": 3600001}", "{\"closed\": \"yes\"}", "{\"partialResult\": \"1\"}"})
    void badFaults_areRefusedWithAReason(String body) {
        assertThatThrownBy(() -> BankControlRoutes.parseFaults(body)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("Exception");
    }

    @Test
    void ledger_countsReferencesPaidMoreThanOnce() {
        FileBankLedger once = new FileBankLedger(FileBankKind.LYB, List.of(new FileBankLedger.Payment("R1", 100, "F1"),
                new FileBankLedger.Payment("R2", 200, "F1")), 2, 300, List.of("F1"), List.of(), List.of(), List.of("RET_F1"));
        FileBankLedger twice = new FileBankLedger(FileBankKind.ABC, List.of(new FileBankLedger.Payment("R1", 100, "F1"),
                new FileBankLedger.Payment("R1", 100, "F2")), 2, 200, List.of("F1", "F2"), List.of(), List.of(), List.of());

        JsonNode json = BankControlRoutes.ledger(once);

        assertThat(json.get("referencesPaidMoreThanOnce").asLong()).isZero();
        assertThat(json.get("paidSumFen").asLong()).isEqualTo(300);
        assertThat(json.at("/payments/1/reference").asString()).isEqualTo("R2");
        assertThat(BankControlRoutes.ledger(twice).get("referencesPaidMoreThanOnce").asLong()).isEqualTo(1);
    }
}
