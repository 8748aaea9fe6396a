package cn.onecard.simulators.filebank;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.CopyOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * The bank's SFTP door (MINA SSHD): public-key authentication of one user, SFTP only, rooted at the
 * bank's directory. The user may work in {@code in/} and {@code out/} only (the ledger and keys in
 * the root stay out of reach), and may not write into {@code in/} while the bank is closed.
 */
final class BankSftpServer {

    private BankSftpServer() {
    }

    static SshServer start(FileBankOptions options, BankDirectories dirs, KeyPair hostKey,
                           List<PublicKey> authorizedKeys, BooleanSupplier closed) throws IOException {
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost(options.bindHost());
        server.setPort(options.sftpPort());
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setPublickeyAuthenticator((user, key, session) -> options.userName().equals(user)
                && authorizedKeys.stream().anyMatch(authorized -> KeyUtils.compareKeys(authorized, key)));
        server.setFileSystemFactory(new VirtualFileSystemFactory(dirs.root()));
        SftpSubsystemFactory sftp = new SftpSubsystemFactory();
        sftp.addSftpEventListener(new ExchangeGuard(closed));
        server.setSubsystemFactories(List.of(sftp));
        server.start();
        return server;
    }

    /** Keeps the SFTP user inside in/ and out/, and out of in/ while the bank is closed. */
    static final class ExchangeGuard implements SftpEventListener {

        private static final Set<OpenOption> WRITING = Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND,
                StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING);

        private final BooleanSupplier closed;

        ExchangeGuard(BooleanSupplier closed) {
            this.closed = closed;
        }

        /** The first folder under the root, or "" for the root itself. */
        private static String area(Path path) {
            Path absolute = path.toAbsolutePath().normalize();
            return absolute.getNameCount() == 0 ? "" : absolute.getName(0).toString();
        }

        private static boolean inExchange(Path path) {
            String area = area(path);
            return area.equals("in") || area.equals("out");
        }

        /** Inside in/ or out/, not the folder itself. */
        private static boolean belowExchange(Path path) {
            return inExchange(path) && path.toAbsolutePath().normalize().getNameCount() > 1;
        }

        private void refuseWhileClosed(Path path) throws AccessDeniedException {
            if (area(path).equals("in") && closed.getAsBoolean()) {
                throw new AccessDeniedException("/in", null, "the bank is closed for the day");
            }
        }

        @Override
        public void opening(ServerSession session, String remoteHandle, Handle localHandle) throws IOException {
            Path path = localHandle.getFile();
            if (localHandle instanceof DirectoryHandle) {
                if (!area(path).isEmpty() && !inExchange(path)) {
                    throw new AccessDeniedException(path.toString(), null, "only in/ and out/ are shared");
                }
                return;
            }
            if (!belowExchange(path)) {
                throw new AccessDeniedException(path.toString(), null, "only in/ and out/ are shared");
            }
            if (localHandle instanceof FileHandle file
                    && file.getOpenOptions().stream().anyMatch(WRITING::contains)) {
                refuseWhileClosed(path);
            }
        }

        @Override
        public void moving(ServerSession session, Path srcPath, Path dstPath, Collection<CopyOption> opts)
                throws IOException {
            if (!belowExchange(srcPath) || !belowExchange(dstPath)) {
                throw new AccessDeniedException(srcPath.toString(), dstPath.toString(), "only in/ and out/ are shared");
            }
            refuseWhileClosed(dstPath);
        }

        @Override
        public void creating(ServerSession session, Path path, Map<String, ?> attrs) throws IOException {
            if (!belowExchange(path)) {
                throw new AccessDeniedException(path.toString(), null, "only in/ and out/ are shared");
            }
            refuseWhileClosed(path);
        }

        @Override
        public void removing(ServerSession session, Path path, boolean isDirectory) throws IOException {
            if (!belowExchange(path)) {
                throw new AccessDeniedException(path.toString(), null, "only in/ and out/ are shared");
            }
        }

        @Override
        public void linking(ServerSession session, Path source, Path target, boolean symLink) throws IOException {
            throw new AccessDeniedException(source.toString(), target.toString(), "links are not allowed");
        }

        @Override
        public void modifyingAttributes(ServerSession session, Path path, Map<String, ?> attrs) throws IOException {
            if (!belowExchange(path)) {
                throw new AccessDeniedException(path.toString(), null, "only in/ and out/ are shared");
            }
        }
    }
}
