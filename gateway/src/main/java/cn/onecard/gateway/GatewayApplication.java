package cn.onecard.gateway;

import cn.onecard.gateway.config.OneCardProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The gateway service: Spring Boot wires the intake, ledger, dispatch and results together. */
@SpringBootApplication
@EnableConfigurationProperties(OneCardProperties.class)
@EnableScheduling
public class GatewayApplication {

    public static ConfigurableApplicationContext start(String... args) {
        SpringApplication application = new SpringApplication(GatewayApplication.class);
        return application.run(args);
    }
}
