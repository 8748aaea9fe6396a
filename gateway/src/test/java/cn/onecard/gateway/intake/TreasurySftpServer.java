package cn.onecard.gateway.intake;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * The treasury's SFTP server for tests (Apache MINA SSHD) serving {@code root}, on one local port that
 * stays the same across {@link #stop()} and {@link #start(KeyPair)}, so that a gateway configured
 * once sees it go down, come back, or come back with another host key. Its host key and the one
 * client key it accepts are generated here and written to {@code keys} as the gateway is given them.
 * Records every file the gateway opened for reading.
 */
final class TreasurySftpServer implements AutoCloseable {

    static final String USER = "treasury-inbox";

    final Path root;
    final KeyPair hostKey;
    final Path clientKeyFile;
    final Path hostKeyFile;
    private final KeyPair clientKey;
    private final Set<String> filesOpenedForReading = ConcurrentHashMap.newKeySet();
    private SshServer server;
    private int port;

    TreasurySftpServer(Path root, Path keys) throws IOException, GeneralSecurityException {
        this.root = root;
        this.hostKey = newKeyPair();
        this.clientKey = newKeyPair();
        this.clientKeyFile = keys.resolve("gateway-ssh-key.pem");
        this.hostKeyFile = keys.resolve("treasury-host-key.pub");
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(clientKey.getPrivate().getEncoded());
        Files.writeString(clientKeyFile, "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n");
        Files.writeString(hostKeyFile, PublicKeyEntry.toString(hostKey.getPublic()) + " treasury\n");
        start(hostKey);
    }

    static KeyPair newKeyPair() throws GeneralSecurityException {
        return KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    }

    /** Starts serving (on the port of the first start) and presenting {@code presentedHostKey}. */
    synchronized void start(KeyPair presentedHostKey) throws IOException {
        if (server != null) {
            throw new IllegalStateException("already running");
        }
        SshServer started = SshServer.setUpDefaultServer();
        started.setHost("127.0.0.1");
        started.setPort(port);
        started.setKeyPairProvider(KeyPairProvider.wrap(presentedHostKey));
        started.setPublickeyAuthenticator((user, key, session) -> USER.equals(user)
                && KeyUtils.compareKeys(key, clientKey.getPublic()));
        started.setPasswordAuthenticator(null);
        started.setKeyboardInteractiveAuthenticator(null);
        SftpSubsystemFactory sftp = new SftpSubsystemFactory();
        sftp.addSftpEventListener(new SftpEventListener() {
            @Override
            public void open(ServerSession session, String remoteHandle, Handle localHandle) {
                if (localHandle instanceof FileHandle file && file.getOpenOptions().contains(java.nio.file.StandardOpenOption.READ)) {
                    filesOpenedForReading.add(file.getFile().getFileName().toString());
                }
            }
        });
        started.setSubsystemFactories(List.of(sftp));
        started.setFileSystemFactory(new VirtualFileSystemFactory(root));
        started.start();
        port = started.getPort();
        server = started;
        awaitAccepting();
    }

    /**
     * Returns once the port takes connections. Once on a loaded machine a server restarted on the same
     * port left the gateway with "connection refused" for 15 s; a test then waited for an alert that
     * could not come. Here the restart is retried instead.
     */
    private void awaitAccepting() throws IOException {
        for (int attempt = 1; ; attempt++) {
            try (java.net.Socket probe = new java.net.Socket()) {
                probe.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1_000);
                return;
            } catch (IOException e) {
                if (attempt == 10) {
                    throw new IOException("the test SFTP server does not take connections on port " + port, e);
                }
                server.stop(true);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while restarting the test SFTP server", interrupted);
                }
                server.start();
            }
        }
    }

    /** Stops serving; the gateway's open session breaks. */
    synchronized void stop() throws IOException {
        if (server != null) {
            server.stop(true);
            server = null;
        }
    }

    int port() {
        return port;
    }

    boolean wasOpenedForReading(String fileName) {
        return filesOpenedForReading.contains(fileName);
    }

    void forgetReads() {
        filesOpenedForReading.clear();
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
