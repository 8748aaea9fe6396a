package cn.onecard.gateway.db;

import cn.onecard.gateway.config.OneCardProperties;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * The default store: with no {@code spring.datasource.url}, the gateway starts an embedded
 * PostgreSQL (zonky's binaries from Maven Central) with its data under {@code DATA_DIR/postgres},
 * kept across restarts, closed to everyone without the password in {@code DATA_DIR/postgres-access/}
 * ({@link EmbeddedDatabaseAccess}). Production sets {@code spring.datasource.url} and this steps aside.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedDatabaseConfiguration.NoDatasourceUrl.class)
public class EmbeddedDatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfiguration.class);

    static final class NoDatasourceUrl implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !StringUtils.hasText(context.getEnvironment().getProperty("spring.datasource.url"));
        }
    }

    /** The password and the owner-only folder, read once for the server and its connections. */
    @Bean
    EmbeddedDatabaseAccess embeddedDatabaseAccess(OneCardProperties properties) {
        try {
            return EmbeddedDatabaseAccess.open(properties.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded PostgreSQL's password in " + properties.dataDir(), e);
        }
    }

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(OneCardProperties properties, EmbeddedDatabaseAccess access) {
        Path directory = properties.dataDir().resolve("postgres").toAbsolutePath();
        try {
            Files.createDirectories(directory);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(false)
                    .setPgBinaryResolver(EmbeddedDatabaseAccess.GATEWAY_BINARIES)
                    .setOverrideWorkingDirectory(access.binariesFolder().toFile())
                    // after zonky's initdb (which trusts everyone) and before the server starts
                    .setDataDirectoryCustomizer(cluster -> closeCluster(access, cluster.toPath()))
                    // zonky's readiness check logs in as the gateway does
                    .setConnectConfig("password", access.password())
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig("unix_socket_directories", access.socketDirectoriesSetting())
                    .setServerConfig("unix_socket_permissions", "0700")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    // durable: zonky's defaults turn fsync and synchronous commit off (fine for a throwaway
                    // test database, not for money); every commit is flushed to disk before it is answered
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    // room for bulk loads between checkpoints
                    .setServerConfig("max_wal_size", "4GB")
                    .setServerConfig("wal_buffers", "16MB")
                    .setServerConfig("shared_buffers", "256MB")
                    .setServerConfig("max_connections", "100")
                    .start();
            log.info("embedded PostgreSQL started on localhost port {} with its data in {}, its password in {}, {}",
                    postgres.getPort(), directory, access.passwordFile(), access.socketFolder()
                            .map(folder -> "its socket in " + folder)
                            .orElse("no Unix socket (the access folder's path is too long for one, or holds quotes or commas)"));
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + directory, e);
        }
    }

    private static void closeCluster(EmbeddedDatabaseAccess access, Path cluster) {
        try {
            access.closeCluster(cluster);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the embedded PostgreSQL in " + cluster, e);
        }
    }

    @Bean(destroyMethod = "close")
    DataSource dataSource(EmbeddedPostgres postgres, EmbeddedDatabaseAccess access) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres");
        config.setUsername(EmbeddedDatabaseAccess.SUPERUSER);
        config.setPassword(access.password());
        config.setMaximumPoolSize(16);
        config.setPoolName("onecard-embedded");
        // the server's error detail quotes row values (names, identity and card numbers) into exception messages
        config.addDataSourceProperty("logServerErrorDetail", "false");
        return new HikariDataSource(config);
    }
}
