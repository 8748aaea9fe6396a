package cn.onecard.gateway.cli;

import cn.onecard.gateway.GatewayApplication;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** Starts the gateway alone; Spring Boot arguments ({@code --server.port=...}) apply. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Start the gateway service (embedded PostgreSQL unless spring.datasource.url is set).",
                "Spring Boot arguments apply: --server.port=8080 --onecard.data-dir=./data ..."})
final class ServeCommand implements Callable<Integer> {

    @Unmatched
    List<String> springArguments = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        ConfigurableApplicationContext context = GatewayApplication.start(springArguments.toArray(String[]::new));
        CountDownLatch closed = new CountDownLatch(1);
        context.addApplicationListener(event -> {
            if (event instanceof org.springframework.context.event.ContextClosedEvent) {
                closed.countDown();
            }
        });
        context.registerShutdownHook();
        closed.await();
        return ExitCode.OK;
    }
}
