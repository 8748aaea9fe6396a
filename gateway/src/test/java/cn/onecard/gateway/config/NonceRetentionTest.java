package cn.onecard.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * A nonce is kept longer than its request stays acceptable: a request stamped at the far edge of the
 * timestamp window is acceptable for two windows after it is spent, so a retention of two windows or
 * less leaves a moment in which it can be sent again.
 */
class NonceRetentionTest {

    private static OneCardProperties properties(String window, String retention) {
        return new Binder(new MapConfigurationPropertySource(Map.of("onecard.intake.timestamp-window", window,
                "onecard.intake.nonce-retention", retention))).bindOrCreate("onecard", OneCardProperties.class);
    }

    @Test
    void aRetentionOfTwoWindowsOrLess_stopsTheStart() {
        for (String retention : new String[] {"10m", "9m", "5m"}) {
            assertThatThrownBy(() -> new GatewayConfiguration().nonces(null, Clock.systemUTC(), properties("5m", retention)))
                    .as(retention).isInstanceOf(IllegalStateException.class).hasMessageContaining("nonce-retention");
        }
    }

    @Test
    void theDefaults_keepANonceBeyondTwoWindows() {
        OneCardProperties defaults = new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("onecard", OneCardProperties.class);
        assertThat(defaults.intake().nonceRetention()).isGreaterThan(defaults.intake().timestampWindow().multipliedBy(2));
        assertThat(new GatewayConfiguration().nonces(null, Clock.systemUTC(), properties("5m", "601s"))).isNotNull();
    }
}
