package cn.onecard.adapters.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * An embedded SFTP server (Apache MINA SSHD) on a random local port, serving {@code root}; its host
 * key and the one client key it accepts are generated per server and written to {@code keys} as a
 * gateway would be given them: the client's private key as PKCS#8 PEM, the host's public key in
 * OpenSSH format.
 */
final class TestSftpServer implements AutoCloseable {

    static final String USER = "onecard";

    final SshServer server;
    final Path root;
    final KeyPair testHostKey;
    final KeyPair testClientKey;
    final Path clientKeyFile;
    final Path hostKeyFile;

    TestSftpServer(Path root, Path keys, String clientKeyType, int clientKeyBits) throws IOException, GeneralSecurityException {
        this.root = root;
        this.testHostKey = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
        this.testClientKey = KeyUtils.generateKeyPair(clientKeyType, clientKeyBits);
        this.clientKeyFile = keys.resolve("test-client-key.pem");
        this.hostKeyFile = keys.resolve("test-host-key.pub");
        writePkcs8(clientKeyFile, testClientKey);
        Files.writeString(hostKeyFile, PublicKeyEntry.toString(testHostKey.getPublic()) + " test-host-key\n");
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(testHostKey));
        server.setPublickeyAuthenticator((user, key, session) -> USER.equals(user) && KeyUtils.compareKeys(key, testClientKey.getPublic()));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        server.setFileSystemFactory(new VirtualFileSystemFactory(root));
        server.start();
        Files.createDirectories(root.resolve("in"));
        Files.createDirectories(root.resolve("out"));
    }

    static void writePkcs8(Path file, KeyPair pair) throws IOException {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded());
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n");
    }

    int port() {
        return server.getPort();
    }

    FileTransportConfig.Sftp config() {
        return config(hostKeyFile, Duration.ofSeconds(10));
    }

    FileTransportConfig.Sftp config(Path hostKeys, Duration authTimeout) {
        return new FileTransportConfig.Sftp("127.0.0.1", port(), USER, clientKeyFile, hostKeys, "", Duration.ofSeconds(5),
                authTimeout, Duration.ofSeconds(10));
    }

    /** Drops every session from the server's side, as a broken line would. */
    void dropSessions() {
        server.getActiveSessions().forEach(session -> session.close(true));
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
