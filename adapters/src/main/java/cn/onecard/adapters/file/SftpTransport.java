package cn.onecard.adapters.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bank's folders on its SFTP server, through Apache MINA SSHD's client. One session, opened on
 * first use and again on the call after it broke; the server must present a configured host key.
 */
final class SftpTransport implements BankFileTransport {

    private static final Logger log = LoggerFactory.getLogger(SftpTransport.class);

    private final FileTransportConfig.Sftp config;
    private final KeyPair clientKey;
    private final List<PublicKey> hostKeys;
    private final SshClient client;
    private ClientSession session;
    private SftpClient sftp;

    /** Reads both key files now, so that a wrong path or key stops the adapter at start. */
    SftpTransport(FileTransportConfig.Sftp config) {
        this.config = config;
        this.clientKey = readClientKey(config.clientKeyFile());
        this.hostKeys = readHostKeys(config.hostKeyFile());
        this.client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(this::acceptsHostKey);
        // the configured host, port, user and key only: an ~/.ssh/config on the host must not redirect them
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        CoreModuleProperties.IDLE_TIMEOUT.set(client, config.operationTimeout());
        client.start();
    }

    private static KeyPair readClientKey(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.getFileName().toString()),
                    in, null);
            Iterator<KeyPair> iterator = pairs == null ? null : pairs.iterator();
            if (iterator == null || !iterator.hasNext()) {
                throw new IllegalArgumentException("SFTP client key file " + file + " holds no key pair");
            }
            KeyPair pair = iterator.next();
            if (iterator.hasNext()) {
                throw new IllegalArgumentException("SFTP client key file " + file + " holds more than one key");
            }
            return pair;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof IllegalArgumentException refused && refused.getMessage().startsWith("SFTP client key file")) {
                throw refused;
            }
            throw new IllegalArgumentException("SFTP client key file " + file + " cannot be read as an SSH private key: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    private static List<PublicKey> readHostKeys(Path file) {
        try {
            List<AuthorizedKeyEntry> entries = AuthorizedKeyEntry.readAuthorizedKeys(file);
            List<PublicKey> keys = new ArrayList<>(PublicKeyEntry.resolvePublicKeyEntries(null, entries, PublicKeyEntryResolver.FAILING));
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("SFTP host key file " + file + " holds no key");
            }
            return List.copyOf(keys);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof IllegalArgumentException refused && refused.getMessage().startsWith("SFTP host key file")) {
                throw refused;
            }
            throw new IllegalArgumentException("SFTP host key file " + file + " cannot be read as OpenSSH public keys: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    private boolean acceptsHostKey(ClientSession ignored, SocketAddress address, PublicKey presented) {
        for (PublicKey known : hostKeys) {
            if (KeyUtils.compareKeys(known, presented)) {
                return true;
            }
        }
        log.warn("SFTP server {} presented host key {} {}, which is not configured: refused", describe(),
                KeyUtils.getKeyType(presented), KeyUtils.getFingerPrint(presented));
        return false;
    }

    /** The open SFTP channel, connecting and authenticating first if there is none. */
    private SftpClient sftp() throws IOException {
        if (sftp != null && sftp.isOpen() && session != null && session.isOpen()) {
            return sftp;
        }
        disconnect();
        ClientSession opened = client.connect(config.user(), config.host(), config.port())
                .verify(config.connectTimeout()).getClientSession();
        try {
            opened.addPublicKeyIdentity(clientKey);
            opened.auth().verify(config.authTimeout());
            sftp = SftpClientFactory.instance().createSftpClient(opened);
            session = opened;
            log.info("SFTP session to {} open", describe());
            return sftp;
        } catch (IOException | RuntimeException e) {
            opened.close(true);
            throw e;
        }
    }

    /** Whether a session is open now (tests). */
    synchronized boolean isConnected() {
        return session != null && session.isOpen();
    }

    private void disconnect() {
        SftpClient oldSftp = sftp;
        ClientSession oldSession = session;
        sftp = null;
        session = null;
        try {
            if (oldSftp != null) {
                oldSftp.close();
            }
        } catch (IOException | RuntimeException e) {
            log.debug("closing a broken SFTP channel: {}", e.toString());
        }
        if (oldSession != null) {
            oldSession.close(true);
        }
    }

    private interface Operation<T> {
        T run(SftpClient sftp) throws IOException;
    }

    /** Runs one operation; a failure other than a server's status answer drops the session for the next call. */
    private <T> T call(Operation<T> operation) throws IOException {
        SftpClient channel = sftp();
        try {
            return operation.run(channel);
        } catch (SftpException | FileTooLargeException answered) {
            throw answered;
        } catch (IOException | RuntimeException e) {
            disconnect();
            throw e instanceof IOException io ? io : new IOException("SFTP call failed: " + e.getMessage(), e);
        }
    }

    private String remote(String path) {
        BankFileTransport.checkPath(path);
        String root = config.remoteRoot();
        if (root.isEmpty() || root.equals(".")) {
            return path;
        }
        return root.endsWith("/") ? root + path : root + "/" + path;
    }

    @Override
    public synchronized List<String> list(String folder) throws IOException {
        String remoteFolder = remote(folder);
        return call(channel -> {
            List<String> names = new ArrayList<>();
            for (SftpClient.DirEntry entry : channel.readDir(remoteFolder)) {
                if (entry.getAttributes().isRegularFile()) {
                    names.add(entry.getFilename());
                }
            }
            names.sort(null);
            return names;
        });
    }

    @Override
    public synchronized boolean exists(String path) throws IOException {
        String remotePath = remote(path);
        return call(channel -> exists(channel, remotePath));
    }

    private static boolean exists(SftpClient channel, String remotePath) throws IOException {
        try {
            channel.lstat(remotePath);
            return true;
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public synchronized long download(String path, OutputStream sink, long bytesMax) throws IOException {
        String remotePath = remote(path);
        return call(channel -> {
            if (channel.stat(remotePath).getSize() > bytesMax) {
                throw new FileTooLargeException(path, bytesMax);
            }
            try (InputStream in = channel.read(remotePath)) {
                return BankFileTransport.copyAtMost(in, sink, path, bytesMax);
            }
        });
    }

    @Override
    public synchronized void write(String path, byte[] content) throws IOException {
        String remotePath = remote(path);
        call(channel -> {
            try (OutputStream out = channel.write(remotePath)) {
                out.write(content);
            }
            return null;
        });
    }

    @Override
    public synchronized void rename(String from, String to, boolean replace) throws IOException {
        String source = remote(from);
        String target = remote(to);
        call(channel -> {
            if (!replace) {
                channel.rename(source, target);
                return null;
            }
            OpenSSHPosixRenameExtension posix = channel.getExtension(OpenSSHPosixRenameExtension.class);
            if (posix != null && posix.isSupported()) {
                posix.posixRename(source, target);
            } else if (channel.getVersion() >= SftpConstants.SFTP_V5) {
                channel.rename(source, target, SftpClient.CopyMode.Overwrite, SftpClient.CopyMode.Atomic);
            } else {
                // SFTP v3 without posix-rename: the target is briefly absent, never half written.
                if (exists(channel, target)) {
                    channel.remove(target);
                }
                channel.rename(source, target);
            }
            return null;
        });
    }

    @Override
    public synchronized void remove(String path) throws IOException {
        String remotePath = remote(path);
        call(channel -> {
            channel.remove(remotePath);
            return null;
        });
    }

    @Override
    public synchronized void createFolder(String folder) throws IOException {
        BankFileTransport.checkPath(folder);
        call(channel -> {
            StringBuilder prefix = new StringBuilder();
            for (String part : folder.split("/")) {
                prefix.append(prefix.isEmpty() ? "" : "/").append(part);
                String remoteFolder = remote(prefix.toString());
                if (!exists(channel, remoteFolder)) {
                    channel.mkdir(remoteFolder);
                }
            }
            return null;
        });
    }

    @Override
    public String describe() {
        return "sftp://" + config.user() + "@" + config.host() + ":" + config.port() + "/" + config.remoteRoot();
    }

    @Override
    public synchronized void close() {
        disconnect();
        client.stop();
    }
}
