package cn.onecard.gateway.dispatch;

import cn.onecard.gateway.results.CallbackSender;
import java.time.Duration;
import java.util.List;
import org.apache.camel.builder.RouteBuilder;

/**
 * The gateway's schedules as Camel routes: one per bank running its cycle, one delivering
 * callbacks. Camel's timer runs each route on its own thread and never overlaps a route with
 * itself, so a slow bank delays only its own cycle.
 */
public final class GatewayRoutes extends RouteBuilder {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GatewayRoutes.class);

    private final List<BankCycle> cycles;
    private final CallbackSender callbacks;
    private final Duration cyclePeriod;
    private final Duration callbackPeriod;

    public GatewayRoutes(List<BankCycle> cycles, CallbackSender callbacks, Duration cyclePeriod, Duration callbackPeriod) {
        this.cycles = List.copyOf(cycles);
        this.callbacks = callbacks;
        this.cyclePeriod = cyclePeriod;
        this.callbackPeriod = callbackPeriod;
    }

    @Override
    public void configure() {
        // a failed cycle is logged with its cause (never personal data: our exceptions carry none) and
        // the next one runs on schedule
        onException(Exception.class).handled(true)
                .process(exchange -> log.error("route {} failed", exchange.getFromRouteId(),
                        exchange.getProperty(org.apache.camel.Exchange.EXCEPTION_CAUGHT, Exception.class)));
        for (BankCycle cycle : cycles) {
            from("timer:bank-" + cycle.bankCode() + "?period=" + cyclePeriod.toMillis() + "&fixedRate=false")
                    .routeId("bank-" + cycle.bankCode())
                    .process(exchange -> cycle.runOnce());
        }
        from("timer:callbacks?period=" + callbackPeriod.toMillis() + "&fixedRate=false")
                .routeId("callbacks")
                .process(exchange -> callbacks.deliverDue());
    }
}
