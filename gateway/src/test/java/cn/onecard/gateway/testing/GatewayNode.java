package cn.onecard.gateway.testing;

import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.gateway.GatewayApplication;
import cn.onecard.gateway.config.OneCardProperties;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * One gateway node started in-process with {@link GatewayApplication#start}, as {@code ./onecard
 * demo} does, so that a test can stop it, start another on the same data directory, or run two on
 * one database.
 */
public final class GatewayNode implements AutoCloseable {

    private static final Duration FEEDS_LOADED_TIMEOUT = Duration.ofSeconds(60);

    private final ConfigurableApplicationContext context;
    private final int port;
    private final JdbcTemplate jdbc;
    private final SignedClient client;
    private volatile boolean closed;

    private GatewayNode(ConfigurableApplicationContext context, String clientId, Sm2PrivateKey treasuryKey) {
        this.context = context;
        this.port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
        this.jdbc = context.getBean(JdbcTemplate.class);
        this.client = new SignedClient(baseUrl(), clientId, treasuryKey);
    }

    /** Starts a node with these properties and waits until both screening feeds are in its ledger. */
    static GatewayNode start(Map<String, String> properties, String clientId, Sm2PrivateKey treasuryKey) {
        return start(properties, clientId, treasuryKey, null);
    }

    /** As {@link #start(Map, String, Sm2PrivateKey)}, on {@code clock} instead of the system's (null: the system's). */
    static GatewayNode start(Map<String, String> properties, String clientId, Sm2PrivateKey treasuryKey, Clock clock) {
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        List<ApplicationContextInitializer<?>> initializers = clock == null ? List.of()
                : List.of(context -> ((ConfigurableApplicationContext) context).getBeanFactory().registerSingleton("nodeClock", clock));
        GatewayNode node = new GatewayNode(GatewayApplication.start(initializers, args), clientId, treasuryKey);
        try {
            Await.until("the gateway has loaded both screening feeds", FEEDS_LOADED_TIMEOUT,
                    () -> node.jdbc.queryForObject("select count(*) from feed_loads", Integer.class) == 2);
        } catch (RuntimeException | Error e) {
            node.close();
            throw e;
        }
        return node;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public JdbcTemplate jdbc() {
        return jdbc;
    }

    /** A client signing as the world's treasury. */
    public SignedClient client() {
        return client;
    }

    public Path inbox() {
        return context.getBean(OneCardProperties.class).inboxDir();
    }

    /** The JDBC URL of this node's database, for a second node to share it. */
    public String jdbcUrl() {
        DataSource dataSource = context.getBean(DataSource.class);
        if (dataSource instanceof HikariDataSource hikari) {
            return hikari.getJdbcUrl();
        }
        throw new IllegalStateException("not a Hikari data source: " + dataSource.getClass().getName());
    }

    /** The password of this node's database (its embedded PostgreSQL's, from its data directory). */
    public String databasePassword() {
        DataSource dataSource = context.getBean(DataSource.class);
        if (dataSource instanceof HikariDataSource hikari) {
            return hikari.getPassword();
        }
        throw new IllegalStateException("not a Hikari data source: " + dataSource.getClass().getName());
    }

    /** Stops the node as an operator would (its schedules, its web server, its embedded database). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            context.close();
        }
    }
}
