package cn.onecard.gateway.db;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What keeps the embedded PostgreSQL to the gateway's own OS user: a generated password in an
 * owner-only folder {@code DATA_DIR/postgres-access/}, which also holds the server's Unix socket, and
 * a {@code pg_hba.conf} that asks that password (scram-sha-256) of every connection, socket and TCP.
 * zonky's initdb trusts everyone; {@link #closeCluster} undoes that before each start, on new and on
 * older data directories alike (docs/configuration.md, "Embedded database").
 */
final class EmbeddedDatabaseAccess {

    static final String SUPERUSER = "postgres";
    private static final String FOLDER_NAME = "postgres-access";
    private static final String PASSWORD_FILE_NAME = "password";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseAccess.class);

    private static final Set<PosixFilePermission> OWNER_ONLY_FOLDER = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final int PASSWORD_BYTES = 32;
    /** sun_path holds 108 bytes, its terminating zero included; the socket is {@code .s.PGSQL.PORT}. */
    private static final int SOCKET_PATH_BYTES_MAX = 107;
    private static final String LONGEST_SOCKET_NAME = ".s.PGSQL.65535";
    private static final String HBA = """
            # Written by the gateway before every start of the embedded server (docs/configuration.md,
            # "Embedded database"): every connection proves the password, over the socket and over TCP.
            local   all   all                  scram-sha-256
            host    all   all   127.0.0.1/32   scram-sha-256
            host    all   all   ::1/128        scram-sha-256
            """;

    /**
     * zonky's binaries, looked up as zonky does, but as a resolver of the gateway's own: zonky caches
     * the folder it unpacked into per resolver, so the gateway's folder (below) is never one another
     * user of zonky in the same JVM chose.
     */
    static final PgBinaryResolver GATEWAY_BINARIES = DefaultPostgresBinaryResolver.INSTANCE::getPgBinary;

    private final Path folder;
    private final String password;

    private EmbeddedDatabaseAccess(Path folder, String password) {
        this.folder = folder;
        this.password = password;
    }

    /** The access folder under {@code dataDir}, made owner-only, and its password, made once and kept. */
    static EmbeddedDatabaseAccess open(Path dataDir) throws IOException {
        Path folder = dataDir.toAbsolutePath().normalize().resolve(FOLDER_NAME);
        // the data directory first, with its usual permissions: only the access folder is owner-only
        Files.createDirectories(folder.getParent());
        Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FOLDER));
        if (keptToOwner(folder, OWNER_ONLY_FOLDER)) {
            log.warn("{} was open to others than its owner: made owner-only", folder);
        }
        Path file = folder.resolve(PASSWORD_FILE_NAME);
        if (!Files.exists(file)) {
            writeNewPassword(file);
            log.info("made a new password for the embedded PostgreSQL in {}", file);
        }
        if (keptToOwner(file, OWNER_ONLY_FILE)) {
            log.warn("{} was open to others than its owner: made owner-only; delete it and restart to have a new"
                    + " password made", file);
        }
        return new EmbeddedDatabaseAccess(folder, readPassword(file));
    }

    String password() {
        return password;
    }

    Path passwordFile() {
        return folder.resolve(PASSWORD_FILE_NAME);
    }

    /**
     * The folder for the server's Unix socket; empty where its path is too long for a socket address
     * or cannot pass through pg_ctl's shell quoting: the server then listens on localhost TCP only.
     */
    Optional<Path> socketFolder() {
        String folderText = folder.toString();
        int socketPathBytes = folder.resolve(LONGEST_SOCKET_NAME).toString().getBytes(StandardCharsets.UTF_8).length;
        boolean quotable = folderText.chars().noneMatch(c -> c == '\'' || c == '"' || c == ',' || c == '\\');
        return socketPathBytes <= SOCKET_PATH_BYTES_MAX && quotable ? Optional.of(folder) : Optional.empty();
    }

    /** The server setting {@code unix_socket_directories}, quoted for the shell that pg_ctl starts the server in. */
    String socketDirectoriesSetting() {
        // single quotes for the shell, double quotes for the server's list of folders
        return socketFolder().map(socketFolder -> "'\"" + socketFolder + "\"'").orElse("''");
    }

    /**
     * Before the server starts (zonky's data directory customizer, which runs after its initdb and
     * under its lock): the cluster's {@code pg_hba.conf} replaced by {@link #HBA}, and the superuser's
     * password set from the file. The password is set at every start, so that a cluster made by
     * zonky's trusting initdb, one from before this class, and a password file deleted to make a new
     * one all end the same way, with no window in which the server listens without it.
     */
    void closeCluster(Path clusterDirectory) throws IOException {
        writeHba(clusterDirectory);
        setSuperuserPassword(clusterDirectory);
    }

    private static void writeHba(Path clusterDirectory) throws IOException {
        Path hba = clusterDirectory.resolve("pg_hba.conf");
        Path written = Files.createTempFile(clusterDirectory, "pg_hba", ".conf", ownerOnlyFile());
        Files.writeString(written, HBA, StandardCharsets.US_ASCII);
        Files.move(written, hba, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Through a single-user backend, which opens no socket: the password goes on its standard input,
     * never on a command line, and the backend is told not to echo the statement into its log.
     */
    private void setSuperuserPassword(Path clusterDirectory) throws IOException {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            // as zonky does when run as root: PostgreSQL refuses to run as root
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(zonkyBinaries().resolve("bin").resolve("postgres").toString(),
                "--single", "-D", clusterDirectory.toString(),
                "-c", "exit_on_error=on",
                "-c", "log_statement=none",
                "-c", "log_min_error_statement=panic",
                "-c", "password_encryption=scram-sha-256",
                SUPERUSER));
        Process backend = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream statement = backend.getOutputStream()) {
            String quotedPassword = "'" + password.replace("'", "''") + "'";
            statement.write(("ALTER ROLE " + SUPERUSER + " PASSWORD " + quotedPassword + "\n").getBytes(StandardCharsets.UTF_8));
        }
        // the backend ends at the end of its input
        String output = new String(backend.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            backend.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            backend.destroyForcibly();
            throw new InterruptedIOException("interrupted while setting the embedded PostgreSQL's password");
        }
        if (backend.exitValue() != 0) {
            // only the error lines: the statement is never echoed, so they hold no password
            String errors = output.lines()
                    .filter(line -> line.contains("ERROR:") || line.contains("FATAL:") || line.contains("PANIC:"))
                    .collect(Collectors.joining("; "));
            throw new IOException("could not set the embedded PostgreSQL's password (exit " + backend.exitValue()
                    + "): " + errors);
        }
    }

    /**
     * Where zonky unpacks the PostgreSQL binaries the gateway runs: {@code ~/.cache/onecard/postgres/}
     * inside an owner-only {@code ~/.cache/onecard/}. zonky's default, {@code /tmp/embedded-pg}, is
     * world-writable (zonky makes its working folder so), and a local user could put binaries there
     * before the gateway first runs them. zonky opens the folder it is given to everyone too, so the
     * owner-only folder is its parent. Without a usable home, the access folder's {@code binaries/}.
     */
    Path binariesFolder() throws IOException {
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank() && !home.equals("?")) {
            Path cache = Path.of(home).toAbsolutePath().resolve(".cache").resolve("onecard");
            try {
                Files.createDirectories(cache.getParent());
                Files.createDirectories(cache, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FOLDER));
                if (ownedByThisUser(cache)) {
                    if (keptToOwner(cache, OWNER_ONLY_FOLDER)) {
                        log.warn("{} was open to others than its owner: made owner-only", cache);
                    }
                    return cache.resolve("postgres");
                }
                log.warn("{} belongs to another user: the PostgreSQL binaries go under {} instead", cache, folder);
            } catch (IOException e) {
                log.warn("cannot use {} for the PostgreSQL binaries ({}): they go under {} instead", cache,
                        e.getClass().getSimpleName(), folder);
            }
        }
        return folder.resolve("binaries");
    }

    private static boolean ownedByThisUser(Path path) throws IOException {
        return Files.getOwner(path).getName().equals(System.getProperty("user.name"));
    }

    /**
     * The folder zonky unpacked the PostgreSQL binaries into. zonky has no accessor for it, only its
     * own cache, filled before the data directory customizer runs; a zonky that changes it fails here,
     * loudly, and in EmbeddedDatabaseClosedTest.
     */
    private static Path zonkyBinaries() throws IOException {
        try {
            Field prepared = EmbeddedPostgres.class.getDeclaredField("PREPARE_BINARIES");
            prepared.setAccessible(true);
            Object folder = ((Map<?, ?>) prepared.get(null)).get(GATEWAY_BINARIES);
            if (!(folder instanceof File binaries) || !binaries.isDirectory()) {
                throw new IOException("zonky has not unpacked the PostgreSQL binaries");
            }
            return binaries.toPath();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot find the PostgreSQL binaries zonky unpacked (a changed zonky?)", e);
        }
    }

    private static void writeNewPassword(Path file) throws IOException {
        byte[] random = new byte[PASSWORD_BYTES];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        // written whole beside it, then moved in: a crash leaves no empty or half password behind
        Path written = Files.createTempFile(file.getParent(), PASSWORD_FILE_NAME, ".new", ownerOnlyFile());
        Files.writeString(written, password + "\n", StandardCharsets.US_ASCII);
        Files.move(written, file, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String readPassword(Path file) throws IOException {
        String password = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (password.isEmpty() || password.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IOException("the embedded PostgreSQL's password file " + file
                    + " is empty or holds control characters; delete it to have a new password made");
        }
        return password;
    }

    /** Whether {@code path} had to be closed to others than its owner. */
    private static boolean keptToOwner(Path path, Set<PosixFilePermission> ownerOnly) throws IOException {
        if (Files.getPosixFilePermissions(path).equals(ownerOnly)) {
            return false;
        }
        Files.setPosixFilePermissions(path, ownerOnly);
        return true;
    }

    private static FileAttribute<Set<PosixFilePermission>> ownerOnlyFile() {
        return PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE);
    }
}
