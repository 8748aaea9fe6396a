package cn.onecard.adapters.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftpTransportTest {

    @TempDir
    Path serverRoot;
    @TempDir
    Path keys;
    private TestSftpServer server;

    @BeforeEach
    void start() throws IOException, GeneralSecurityException {
        server = new TestSftpServer(serverRoot, keys, KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void operations_workOnTheBanksFolders() throws IOException {
        try (SftpTransport transport = new SftpTransport(server.config())) {
            transport.write("in/.A.part", "hello".getBytes(StandardCharsets.UTF_8));
            assertThat(transport.list("in")).containsExactly(".A.part");
            transport.rename("in/.A.part", "in/A", true);
            assertThat(transport.exists("in/A")).isTrue();
            assertThat(transport.exists("in/.A.part")).isFalse();
            assertThat(Files.readString(serverRoot.resolve("in/A"))).isEqualTo("hello");

            transport.write("in/.A.part", "again".getBytes(StandardCharsets.UTF_8));
            transport.rename("in/.A.part", "in/A", true);
            assertThat(transport.read("in/A", 100)).asString(StandardCharsets.UTF_8).isEqualTo("again");
            assertThatThrownBy(() -> transport.read("in/A", 4)).isInstanceOf(BankFileTransport.FileTooLargeException.class);

            transport.createFolder("out/done");
            Files.writeString(serverRoot.resolve("out/R"), "result");
            Files.createDirectories(serverRoot.resolve("out/subfolder"));
            assertThat(transport.list("out")).containsExactly("R");
            transport.write("out/done/R", "taken before".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> transport.rename("out/R", "out/done/R", false)).isInstanceOf(IOException.class);
            transport.rename("out/R", "out/done/R2", false);
            assertThat(serverRoot.resolve("out/done/R2")).hasContent("result");
            transport.remove("in/A");
            assertThat(transport.list("in")).isEmpty();
            assertThatThrownBy(() -> transport.read("in/missing", 10)).isInstanceOf(IOException.class);
            assertThat(transport.list("in")).as("a status answer leaves the session up").isEmpty();
        }
    }

    @Test
    void anRsaClientKeyWorksToo(@TempDir Path rsaKeys) throws IOException, GeneralSecurityException {
        try (TestSftpServer rsaServer = new TestSftpServer(serverRoot, rsaKeys, KeyPairProvider.SSH_RSA, 2048);
             SftpTransport transport = new SftpTransport(rsaServer.config())) {
            assertThat(transport.list("in")).isEmpty();
        }
    }

    @Test
    void aHostKeyOtherThanTheConfiguredOneIsRefused() throws IOException, GeneralSecurityException {
        Path otherHostKey = keys.resolve("test-other-host-key.pub");
        Files.writeString(otherHostKey, PublicKeyEntry.toString(
                KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256).getPublic()) + " test-other\n");
        try (SftpTransport transport = new SftpTransport(server.config(otherHostKey, Duration.ofSeconds(10)))) {
            assertThatThrownBy(() -> transport.list("in")).isInstanceOf(IOException.class);
            assertThat(transport.isConnected()).isFalse();
        }
        assertThat(serverRoot.resolve("in")).isEmptyDirectory();
    }

    @Test
    void aClientKeyTheServerDoesNotKnowIsRefused() throws IOException, GeneralSecurityException {
        TestSftpServer.writePkcs8(server.clientKeyFile, KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256));
        try (SftpTransport transport = new SftpTransport(server.config())) {
            assertThatThrownBy(() -> transport.list("in")).isInstanceOf(IOException.class);
        }
    }

    @Test
    void unreadableKeyFilesStopTheTransportAtConstruction() throws IOException {
        Files.writeString(keys.resolve("garbage.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        FileTransportConfig.Sftp good = server.config();
        FileTransportConfig.Sftp badClientKey = new FileTransportConfig.Sftp("127.0.0.1", server.port(), "onecard",
                keys.resolve("garbage.pem"), good.hostKeyFile(), "", Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThatThrownBy(() -> new SftpTransport(badClientKey)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SFTP client key file");
        FileTransportConfig.Sftp noHostKey = new FileTransportConfig.Sftp("127.0.0.1", server.port(), "onecard",
                good.clientKeyFile(), keys.resolve("missing.pub"), "", Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThatThrownBy(() -> new SftpTransport(noHostKey)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SFTP host key file");
    }

    @Test
    void theCallAfterABrokenSessionReconnects() throws IOException, InterruptedException {
        try (SftpTransport transport = new SftpTransport(server.config())) {
            assertThat(transport.list("in")).isEmpty();
            assertThat(transport.isConnected()).isTrue();
            server.dropSessions();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (transport.isConnected() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(transport.isConnected()).as("the client notices the dropped session").isFalse();
            Files.writeString(serverRoot.resolve("in/X"), "x");
            assertThat(transport.list("in")).containsExactly("X");
            assertThat(transport.isConnected()).isTrue();
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws IOException {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    accepted.add(silent.accept()); // and never say a word
                } catch (IOException ignored) {
                    // closed at the end of the test
                }
            });
            FileTransportConfig.Sftp config = new FileTransportConfig.Sftp("127.0.0.1", silent.getLocalPort(), "onecard",
                    server.clientKeyFile, server.hostKeyFile, "", Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(2));
            try (SftpTransport transport = new SftpTransport(config)) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> transport.list("in")).isInstanceOf(IOException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            }
            acceptor.interrupt();
        } finally {
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }
}
