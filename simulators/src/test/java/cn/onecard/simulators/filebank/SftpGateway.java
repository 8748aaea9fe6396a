package cn.onecard.simulators.filebank;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.RequiredServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * The gateway's side of the exchange as the tests play it, over a real SFTP connection: publish
 * payment files into in/ (temporary name, then rename), list, read and take result files from out/.
 */
final class SftpGateway implements AutoCloseable {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final SshClient client;
    private final ClientSession session;
    private final SftpClient sftp;

    private SftpGateway(SshClient client, ClientSession session, SftpClient sftp) {
        this.client = client;
        this.session = session;
        this.sftp = sftp;
    }

    static SftpGateway connect(int port, String user, KeyPair clientKey, KeyPair expectedHostKey) throws IOException {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new RequiredServerKeyVerifier(expectedHostKey.getPublic()));
        client.start();
        try {
            ClientSession session = client.connect(user, "127.0.0.1", port).verify(CONNECT_TIMEOUT).getSession();
            session.addPublicKeyIdentity(clientKey);
            session.auth().verify(CONNECT_TIMEOUT);
            return new SftpGateway(client, session, SftpClientFactory.instance().createSftpClient(session));
        } catch (IOException | RuntimeException e) {
            client.stop();
            throw e;
        }
    }

    /** Publishes files in the order given, each under {@code .NAME.part} first, as the docs require. */
    void upload(Map<String, byte[]> files) throws IOException {
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            upload(file.getKey(), file.getValue());
        }
    }

    void upload(String name, byte[] content) throws IOException {
        String staging = "/in/." + name + ".part";
        try (OutputStream out = sftp.write(staging)) {
            out.write(content);
        }
        sftp.rename(staging, "/in/" + name);
    }

    /** Regular files in out/ (not the gateway's done/ and error/), by name. */
    List<String> outNames() throws IOException {
        List<String> names = new ArrayList<>();
        for (SftpClient.DirEntry entry : sftp.readDir("/out")) {
            if (entry.getAttributes().isRegularFile() && !entry.getFilename().startsWith(".")) {
                names.add(entry.getFilename());
            }
        }
        names.sort(null);
        return names;
    }

    byte[] read(String path) throws IOException {
        try (InputStream in = sftp.read(path)) {
            return in.readAllBytes();
        }
    }

    /** Reads every file in out/ and moves it to out/done/, as the gateway does. */
    Map<String, byte[]> takeAll() throws IOException {
        Map<String, byte[]> taken = new TreeMap<>();
        for (String name : outNames()) {
            taken.put(name, read("/out/" + name));
            String target = "/out/done/" + name;
            for (int copy = 2; exists(target); copy++) {
                target = "/out/done/" + name + "." + copy;
            }
            sftp.rename("/out/" + name, target);
        }
        return taken;
    }

    boolean exists(String path) throws IOException {
        try {
            sftp.lstat(path);
            return true;
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return false;
            }
            throw e;
        }
    }

    SftpClient sftp() {
        return sftp;
    }

    @Override
    public void close() throws IOException {
        try {
            sftp.close();
            session.close();
        } finally {
            client.stop();
        }
    }
}
