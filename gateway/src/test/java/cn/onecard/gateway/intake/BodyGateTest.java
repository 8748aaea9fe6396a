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

    private static final String TREASURY = "10.1.1.1";
    private static final String ELSEWHERE = "203.0.113.9";

    @Test
    void aClient_readsAtMostItsShareOfBodiesAtOnce_fromOneAddress_andAPlaceIsFreedOnClose() {
        BodyGate gate = new BodyGate(10, 2);
        BodyGate.Permit first = gate.enter("a", TREASURY);
        BodyGate.Permit second = gate.enter("a", TREASURY);
        refusedAsUnavailable(() -> gate.enter("a", TREASURY));
        BodyGate.Permit other = gate.enter("b", TREASURY);
        assertThat(gate.reading()).isEqualTo(3);

        first.close();
        first.close(); // closing twice frees one place, not two
        BodyGate.Permit again = gate.enter("a", TREASURY);
        refusedAsUnavailable(() -> gate.enter("a", TREASURY));
        List.of(second, other, again).forEach(BodyGate.Permit::close);
        assertThat(gate.reading()).isZero();
    }

    @Test
    void aForgerNamingTheClientFromAnotherAddress_doesNotTakeTheClientsOwnPlaces() {
        BodyGate gate = new BodyGate(10, 2);
        List<BodyGate.Permit> forger = List.of(gate.enter("a", ELSEWHERE), gate.enter("a", ELSEWHERE));
        refusedAsUnavailable(() -> gate.enter("a", ELSEWHERE));
        BodyGate.Permit treasury = gate.enter("a", TREASURY);
        assertThat(gate.reading()).isEqualTo(3);
        treasury.close();
        forger.forEach(BodyGate.Permit::close);
        assertThat(gate.reading()).isZero();
    }

    @Test
    void theAddressesOfOneIpv6Slash64_countAsOneSender() {
        BodyGate gate = new BodyGate(10, 2);
        List<BodyGate.Permit> permits = List.of(gate.enter("a", "2001:db8:1:2:0:0:0:1"), gate.enter("a", "2001:db8:1:2::ffff:2"));
        refusedAsUnavailable(() -> gate.enter("a", "2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
        BodyGate.Permit otherNetwork = gate.enter("a", "2001:db8:1:3::1");
        assertThat(BodyGate.network("10.1.1.1")).isEqualTo("10.1.1.1");
        otherNetwork.close();
        permits.forEach(BodyGate.Permit::close);
        assertThat(gate.reading()).isZero();
    }

    @Test
    void allClients_readAtMostTheGatewaysBodiesAtOnce_andARefusalTakesNoPlace() {
        BodyGate gate = new BodyGate(3, 2);
        List<BodyGate.Permit> permits = new ArrayList<>(List.of(gate.enter("a", TREASURY), gate.enter("b", TREASURY),
                gate.enter("c", TREASURY)));
        for (int i = 0; i < 5; i++) {
            refusedAsUnavailable(() -> gate.enter("d", TREASURY));
        }
        permits.removeFirst().close();
        permits.removeFirst().close();
        // five refused attempts kept no place of d's: both of its places are free
        permits.add(gate.enter("d", TREASURY));
        permits.add(gate.enter("d", TREASURY));
        refusedAsUnavailable(() -> gate.enter("d", TREASURY));
        permits.forEach(BodyGate.Permit::close);
        assertThat(gate.reading()).isZero();
    }
}
