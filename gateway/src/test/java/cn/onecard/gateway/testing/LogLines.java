package cn.onecard.gateway.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Every line the gateway logs while open, formatted as a log file would have it (message and stack
 * trace). Attached to the root logger itself, not to the console: another test context may have
 * raised the console's threshold (the simulated worlds do), which would hide what is checked.
 */
public final class LogLines extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger root;

    private LogLines() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        setContext(context);
        encoder.setContext(context);
        encoder.setPattern("%d %level [%thread] %logger - %msg%n%ex");
        encoder.start();
        start();
        root.addAppender(this);
    }

    public static LogLines capture() {
        return new LogLines();
    }

    /** Loggers of the web layer: the API's own, Tomcat's, Spring MVC's. */
    private static final List<String> WEB_LOGGERS = List.of("cn.onecard.gateway.api.", "cn.onecard.gateway.intake.",
            "org.apache.catalina.", "org.apache.coyote.", "org.apache.tomcat.", "org.springframework.web.");

    private final List<String> webFaults = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        String formatted = new String(encoder.encode(event), StandardCharsets.UTF_8);
        formatted.lines().forEach(lines::add);
        boolean fault = event.getLevel().isGreaterOrEqual(Level.ERROR) || event.getThrowableProxy() != null;
        if (fault && WEB_LOGGERS.stream().anyMatch(event.getLoggerName()::startsWith)) {
            webFaults.add(formatted);
        }
    }

    /**
     * What the web layer logged as a fault: an ERROR, or any line with a stack trace. A request
     * refused with its code leaves none.
     */
    public List<String> webFaults() {
        return List.copyOf(webFaults);
    }

    /** The lines logged so far, a multi-line message or a stack trace split into its lines. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    public String all() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        root.detachAppender(this);
        stop();
    }
}
