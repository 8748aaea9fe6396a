package cn.onecard.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BodyGateTest {

    private static void refusedAsUnavailable(Runnable enter) {
        assertThatThrownBy(enter::run).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo(ApiCode.SERVICE_UNAVAILABLE));
    }

    @Test
    void aClient_readsAtMostItsShareOfBodiesAtOnce_andAPlaceIsFreedOnClose() {
        BodyGate gate = new BodyGate(10, 2);
        BodyGate.Permit first = gate.enter("a");
        BodyGate.Permit second = gate.enter("a");
        refusedAsUnavailable(() -> gate.enter("a"));
        BodyGate.Permit other = gate.enter("b");
        assertThat(gate.reading()).isEqualTo(3);

        first.close();
        first.close(); // closing twice frees one place, not two
        BodyGate.Permit again = gate.enter("a");
        refusedAsUnavailable(() -> gate.enter("a"));
        List.of(second, other, again).forEach(BodyGate.Permit::close);
        assertThat(gate.reading()).isZero();
    }

    @Test
    void allClients_readAtMostTheGatewaysBodiesAtOnce_andARefusalTakesNoClientPlace() {
        BodyGate gate = new BodyGate(3, 2);
        List<BodyGate.Permit> permits = new ArrayList<>(List.of(gate.enter("a"), gate.enter("b"), gate.enter("c")));
        refusedAsUnavailable(() -> gate.enter("d"));
        permits.removeFirst().close();
        // d's refused attempt gave its own place back: it may take both of its places now
        permits.add(gate.enter("d"));
        refusedAsUnavailable(() -> gate.enter("d"));
        permits.forEach(BodyGate.Permit::close);
        assertThat(gate.reading()).isZero();
    }
}
