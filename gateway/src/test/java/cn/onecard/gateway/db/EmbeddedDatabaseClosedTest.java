package cn.onecard.gateway.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.gateway.config.OneCardProperties;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The embedded PostgreSQL lets in only who holds the password in {@code DATA_DIR/postgres-access/}:
 * over TCP and over its Unix socket, on a new data directory, after a restart, and on a data
 * directory made by the earlier setup, which trusted everyone.
 */
class EmbeddedDatabaseClosedTest {

    /** What the server asks first of a client that offers no password (PostgreSQL's protocol 3.0). */
    private static final int AUTHENTICATION_OK = 0;
    private static final int AUTHENTICATION_SASL = 10;

    @TempDir
    static Path sharedRoot;

    private static Path dataDir;
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startShared() {
        // a space in the path: the socket folder's setting passes pg_ctl's shell
        dataDir = sharedRoot.resolve("data dir");
        postgres = start(dataDir);
    }

    @AfterAll
    static void stopShared() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aConnectionWithoutPasswordIsRefused() throws IOException {
        assertThatThrownBy(() -> connect(postgres, null).close()).isInstanceOf(SQLException.class);
        assertThat(authenticationAsked(new InetSocketAddress(InetAddress.getLoopbackAddress(), postgres.getPort())))
                .isEqualTo(AUTHENTICATION_SASL);
    }

    @Test
    void aWrongPasswordIsRefused() {
        assertThatThrownBy(() -> connect(postgres, "not-" + password(dataDir)).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed");
    }

    @Test
    void theRightPasswordWorks_forTheGatewaysDataSourceToo() throws Exception {
        try (Connection connection = connect(postgres, password(dataDir))) {
            assertThat(connection.isValid(5)).isTrue();
        }
        EmbeddedDatabaseConfiguration configuration = new EmbeddedDatabaseConfiguration();
        DataSource gateways = configuration.dataSource(postgres,
                configuration.embeddedDatabaseAccess(propertiesWith(dataDir)));
        try {
            assertThat(new JdbcTemplate(gateways).queryForObject("select current_user", String.class)).isEqualTo("postgres");
        } finally {
            ((AutoCloseable) gateways).close();
        }
    }

    @Test
    void thePasswordFileAndTheSocketFolderAreOwnerOnly_andTheSocketAsksThePasswordToo() throws IOException {
        Path access = dataDir.resolve("postgres-access");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(access))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(access.resolve("password"))))
                .isEqualTo("rw-------");
        // 32 random bytes, base64url
        assertThat(password(dataDir)).matches("[A-Za-z0-9_-]{43}");
        Path socket = access.resolve(".s.PGSQL." + postgres.getPort());
        assertThat(socket).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rwx------");
        assertThat(authenticationAsked(UnixDomainSocketAddress.of(socket))).isEqualTo(AUTHENTICATION_SASL);
    }

    @Test
    void theServerRunsBinariesNoOtherUserCouldHavePlaced() throws IOException {
        // postmaster.opts begins with the path of the server binary that runs
        String opts = Files.readString(dataDir.resolve("postgres").resolve("postmaster.opts"));
        Path binary = Path.of(opts.strip().split(" ")[0].replace("\"", ""));
        assertThat(binary.getFileName().toString()).isEqualTo("postgres");
        assertThat(binary.startsWith(Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg")))
                .as("%s is not under zonky's world-writable /tmp/embedded-pg", binary).isFalse();
        Path ownerOnly = binary.getParent();
        while (ownerOnly != null && !PosixFilePermissions.toString(Files.getPosixFilePermissions(ownerOnly)).equals("rwx------")) {
            ownerOnly = ownerOnly.getParent();
        }
        assertThat(ownerOnly).as("a folder on the way to %s that only its owner may enter", binary).isNotNull();
        assertThat(Files.getOwner(ownerOnly).getName()).isEqualTo(System.getProperty("user.name"));
    }

    @Test
    void aRestartOnTheSameDataKeepsThePassword_andStillWorks(@TempDir Path root) throws Exception {
        Path restarted = root.resolve("data");
        String passwordBefore;
        try (EmbeddedPostgres first = start(restarted)) {
            passwordBefore = password(restarted);
            new JdbcTemplate(first.getDatabase("postgres", "postgres", Map.of("password", passwordBefore)))
                    .execute("create table kept (note text); insert into kept values ('before the restart')");
        }
        try (EmbeddedPostgres second = start(restarted)) {
            assertThat(password(restarted)).isEqualTo(passwordBefore);
            assertThat(keptNote(second, passwordBefore)).isEqualTo("before the restart");
            assertThatThrownBy(() -> connect(second, null).close()).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void aDataDirectoryOfTheOldTrustSetupIsClosedOnStart(@TempDir Path root) throws Exception {
        Path old = root.resolve("data");
        // as the gateway started it before: zonky's defaults, trust for everyone, no password
        try (EmbeddedPostgres trusting = EmbeddedPostgres.builder()
                .setDataDirectory(old.resolve("postgres"))
                .setCleanDataDirectory(false)
                .start()) {
            assertThat(authenticationAsked(new InetSocketAddress(InetAddress.getLoopbackAddress(), trusting.getPort())))
                    .isEqualTo(AUTHENTICATION_OK);
            new JdbcTemplate(trusting.getPostgresDatabase())
                    .execute("create table kept (note text); insert into kept values ('from the trusting days')");
        }
        try (EmbeddedPostgres closed = start(old)) {
            assertThat(authenticationAsked(new InetSocketAddress(InetAddress.getLoopbackAddress(), closed.getPort())))
                    .isEqualTo(AUTHENTICATION_SASL);
            assertThatThrownBy(() -> connect(closed, null).close()).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> connect(closed, "guessed").close()).isInstanceOf(SQLException.class);
            assertThat(keptNote(closed, password(old))).isEqualTo("from the trusting days");
            String hba = Files.readString(old.resolve("postgres").resolve("pg_hba.conf"));
            assertThat(hba.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")))
                    .isNotEmpty()
                    .allMatch(line -> line.endsWith("scram-sha-256"));
        }
    }

    @Test
    void anAccessFolderTooDeepForASocketLeavesTheServerOnTcpOnly_stillClosed(@TempDir Path root) throws Exception {
        Path deep = root.resolve("a-data-directory-whose-path-is-long-enough".repeat(2));
        try (EmbeddedPostgres tcpOnly = start(deep)) {
            try (var entries = Files.list(deep.resolve("postgres-access"))) {
                assertThat(entries.map(entry -> entry.getFileName().toString())).containsExactly("password");
            }
            assertThatThrownBy(() -> connect(tcpOnly, null).close()).isInstanceOf(SQLException.class);
            try (Connection connection = connect(tcpOnly, password(deep))) {
                assertThat(connection.isValid(5)).isTrue();
            }
        }
    }

    // ---- helpers

    private static EmbeddedPostgres start(Path dataDir) {
        EmbeddedDatabaseConfiguration configuration = new EmbeddedDatabaseConfiguration();
        OneCardProperties properties = propertiesWith(dataDir);
        return configuration.embeddedPostgres(properties, configuration.embeddedDatabaseAccess(properties));
    }

    private static OneCardProperties propertiesWith(Path dataDir) {
        return new Binder(new MapConfigurationPropertySource(Map.of("onecard.data-dir", dataDir.toString())))
                .bindOrCreate("onecard", OneCardProperties.class);
    }

    private static String password(Path dataDir) throws IOException {
        return Files.readString(dataDir.resolve("postgres-access").resolve("password")).strip();
    }

    /** A TCP connection as {@code postgres}, with {@code password} or none. */
    private static Connection connect(EmbeddedPostgres postgres, String password) throws SQLException {
        Properties login = new Properties();
        login.setProperty("user", "postgres");
        if (password != null) {
            login.setProperty("password", password);
        }
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres", login);
    }

    private static String keptNote(EmbeddedPostgres postgres, String password) throws SQLException {
        try (Connection connection = connect(postgres, password)) {
            return new JdbcTemplate(new SingleConnectionDataSource(connection, true))
                    .queryForObject("select note from kept", String.class);
        }
    }

    /**
     * The server's first answer to a startup message as {@code postgres}, by hand (JDBC speaks no
     * Unix socket): the authentication it asks, {@link #AUTHENTICATION_OK} if none.
     */
    private static int authenticationAsked(SocketAddress server) throws IOException {
        try (SocketChannel channel = SocketChannel.open(server)) {
            byte[] parameters = "user\0postgres\0database\0postgres\0\0".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer startup = ByteBuffer.allocate(8 + parameters.length)
                    .putInt(8 + parameters.length)
                    .putInt(3 << 16)
                    .put(parameters)
                    .flip();
            while (startup.hasRemaining()) {
                channel.write(startup);
            }
            ByteBuffer answer = ByteBuffer.allocate(9);
            while (answer.hasRemaining() && channel.read(answer) >= 0) {
                // until the message's type, length and authentication code are in
            }
            answer.flip();
            assertThat((char) answer.get()).as("an authentication request").isEqualTo('R');
            answer.getInt();
            return answer.getInt();
        }
    }
}
