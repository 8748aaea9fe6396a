package cn.onecard.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Base64;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How the SFTP inbox hands its configured keys to Camel: the pinned host keys and the client key, checked at start. */
class TreasurySftpInboxKeysTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static String openSshLine(KeyPair pair) {
        return PublicKeyEntry.toString(pair.getPublic());
    }

    @Test
    void knownHosts_pinsEveryConfiguredKeyToExactlyThisHostAndPort() throws IOException, GeneralSecurityException {
        String first = openSshLine(TreasurySftpServer.newKeyPair());
        String second = openSshLine(TreasurySftpServer.newKeyPair());
        Path file = write("host.pub", "# the treasury's server\n\n" + first + " treasury-1\n  " + second + "\n");

        String known = new String(TreasurySftpInbox.knownHosts("sftp.treasury.example", 2222, file), StandardCharsets.UTF_8);

        assertThat(known.lines()).containsExactly("[sftp.treasury.example]:2222 " + first, "[sftp.treasury.example]:2222 " + second);
    }

    @Test
    void knownHosts_onPort22_namesTheHostAlone_asTheSshClientLooksItUp() throws IOException, GeneralSecurityException {
        String key = openSshLine(TreasurySftpServer.newKeyPair());

        String known = new String(TreasurySftpInbox.knownHosts("10.1.2.3", 22, write("host.pub", key + "\n")),
                StandardCharsets.UTF_8);

        assertThat(known).isEqualTo("10.1.2.3 " + key + "\n");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "# only a comment\n", "ecdsa-sha2-nistp256\n", "ssh-unheard-of AAAAB3NzaC1yc2EAAAADAQABAAABAQC\n"})
    void knownHosts_refusesAFileWithoutAKeyTheClientUnderstands(String content) throws IOException {
        Path file = write("host.pub", content);

        assertThatThrownBy(() -> TreasurySftpInbox.knownHosts("h", 22, file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void readClientKey_takesAPkcs8Key_andRefusesAFileThatHoldsNone_withoutQuotingIt() throws IOException, GeneralSecurityException {
        KeyPair pair = TreasurySftpServer.newKeyPair();
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        Path good = write("client.pem", pem);
        Path bad = write("not-a-key.pem", "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXZhbHVl\n-----END PRIVATE KEY-----\n");

        assertThat(TreasurySftpInbox.readClientKey(good)).isEqualTo(pem.getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> TreasurySftpInbox.readClientKey(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(bad.toString()).hasMessageNotContaining("c2VjcmV0LXZhbHVl");
        assertThatThrownBy(() -> TreasurySftpInbox.readClientKey(dir.resolve("missing.pem")))
                .isInstanceOf(IllegalArgumentException.class);
    }
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ECDSA", "RSA"})
    void readClientKey_takesTheOpenSshFormat_asSshKeygenWritesIt(String algorithm) throws IOException, GeneralSecurityException {
        KeyPair pair = algorithm.equals("RSA") ? KeyUtils.generateKeyPair(KeyPairProvider.SSH_RSA, 3072)
                : TreasurySftpServer.newKeyPair();
        ByteArrayOutputStream openSsh = new ByteArrayOutputStream();
        OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "gateway", null, openSsh);
        Path file = Files.write(dir.resolve("id_" + algorithm), openSsh.toByteArray());

        assertThat(new String(TreasurySftpInbox.readClientKey(file), StandardCharsets.US_ASCII))
                .startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
    }
}
