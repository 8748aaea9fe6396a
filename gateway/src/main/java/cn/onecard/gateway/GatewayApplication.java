package cn.onecard.gateway;

import cn.onecard.gateway.config.OneCardProperties;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The gateway service: Spring Boot wires the intake, ledger, dispatch and results together. */
@SpringBootApplication
@EnableConfigurationProperties(OneCardProperties.class)
@EnableScheduling
public class GatewayApplication {

    public static ConfigurableApplicationContext start(String... args) {
        return start(List.of(), args);
    }

    /**
     * Starts the gateway with initializers that run before its beans are defined: an embedding program
     * (a test, a drill) may register its own {@link java.time.Clock} there, which the gateway then uses
     * instead of the system's.
     */
    public static ConfigurableApplicationContext start(List<ApplicationContextInitializer<?>> initializers, String... args) {
        SpringApplication application = new SpringApplication(GatewayApplication.class);
        application.addInitializers(initializers.toArray(ApplicationContextInitializer<?>[]::new));
        return application.run(args);
    }
}
