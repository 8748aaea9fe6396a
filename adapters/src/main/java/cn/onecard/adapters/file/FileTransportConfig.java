package cn.onecard.adapters.file;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/** Where a batch-file bank's folders ({@code in/}, {@code out/}) are. */
public sealed interface FileTransportConfig {

    /**
     * A local directory holding the bank's folders (tests, or a share the operating system mounts).
     *
     * @param root the directory that holds {@code in/} and {@code out/}
     */
    record LocalDirectory(Path root) implements FileTransportConfig {
        public LocalDirectory {
            Objects.requireNonNull(root, "root");
        }
    }

    /**
     * The bank's SFTP server, reached with a key pair; the server's host key must be one of those in
     * {@code hostKeyFile} (no trust on first use).
     *
     * @param host             host name or address
     * @param port             TCP port, usually 22
     * @param user             login name
     * @param clientKeyFile    the gateway's SSH private key file in a format MINA SSHD reads (OpenSSH, as
     *                         {@code ssh-keygen} writes it, or PKCS#8 PEM), ECDSA P-256 or RSA,
     *                         unencrypted, readable by the gateway's user only
     * @param hostKeyFile      the server's public key(s) in OpenSSH format, one a line
     *                         ({@code ecdsa-sha2-nistp256 AAAA... comment})
     * @param remoteRoot       the folder holding {@code in/} and {@code out/}; empty for the login folder
     * @param connectTimeout   to open the TCP connection
     * @param authTimeout      for key exchange and authentication together
     * @param operationTimeout for each SFTP request's answer; a silent server fails the call then
     */
    record Sftp(String host, int port, String user, Path clientKeyFile, Path hostKeyFile, String remoteRoot,
                Duration connectTimeout, Duration authTimeout, Duration operationTimeout) implements FileTransportConfig {
        public Sftp {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(clientKeyFile, "clientKeyFile");
            Objects.requireNonNull(hostKeyFile, "hostKeyFile");
            Objects.requireNonNull(remoteRoot, "remoteRoot");
            if (host.isBlank() || user.isBlank()) {
                throw new IllegalArgumentException("host and user are required");
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port must be 1 to 65535: " + port);
            }
            for (Duration timeout : new Duration[]{connectTimeout, authTimeout, operationTimeout}) {
                if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                    throw new IllegalArgumentException("SFTP timeouts must be positive");
                }
            }
        }
    }
}
