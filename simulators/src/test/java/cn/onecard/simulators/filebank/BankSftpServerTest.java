package cn.onecard.simulators.filebank;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SFTP door: who may come in, and where they may go. */
class BankSftpServerTest {

    @TempDir
    Path dir;
    TestBank bank;

    @BeforeEach
    void start() throws Exception {
        bank = TestBank.start(FileBankKind.ABC, dir);
    }

    @AfterEach
    void stop() {
        bank.close();
    }

    private KeyPair hostKey() throws Exception {
        return SshKeys.hostKey(bank.options().hostKeyFile());
    }

    @Test
    void anotherClientKey_isRefused() {
        assertThatThrownBy(() -> SftpGateway.connect(bank.bank().port(), TestBank.USER, TestBank.newSshKey(), hostKey()).close())
                .hasMessageContaining("No more authentication methods available");
    }

    @Test
    void anotherUserName_isRefused() {
        assertThatThrownBy(() -> SftpGateway.connect(bank.bank().port(), "root", TestBank.TEST_CLIENT_SSH_KEY, hostKey()).close())
                .hasMessageContaining("No more authentication methods available");
    }

    @Test
    void theRootsOwnFiles_areOutOfReach_butInAndOutAreShared() throws Exception {
        try (SftpGateway gateway = bank.connect()) {
            assertPermissionDenied(() -> gateway.read("/ledger.jsonl"));
            assertPermissionDenied(() -> gateway.sftp().rename("/in", "/inbox"));
            assertPermissionDenied(() -> gateway.sftp().remove("/ledger.jsonl"));
            assertPermissionDenied(() -> gateway.sftp().mkdir("/elsewhere"));
            assertPermissionDenied(() -> gateway.sftp().write("/in/../ledger.jsonl").close());

            gateway.sftp().mkdir("/out/error/sub");
            try (var out = gateway.sftp().write("/out/error/note.reason")) {
                out.write("taken aside".getBytes());
            }
            assertThat(gateway.read("/out/error/note.reason")).isEqualTo("taken aside".getBytes());
        }
        assertThat(bank.root().resolve("ledger.jsonl")).exists();
        assertThat(bank.root().resolve("elsewhere")).doesNotExist();
    }

    private static void assertPermissionDenied(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SftpException.class,
                e -> assertThat(e.getStatus()).isEqualTo(SftpConstants.SSH_FX_PERMISSION_DENIED));
    }

    @Test
    void hostKey_isGeneratedOnce_asOwnerOnlyPkcs8_andKeptAcrossRestarts() throws Exception {
        Path file = bank.options().hostKeyFile();
        String fingerprint = bank.bank().hostKeyFingerprint();

        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(hostKey().getPublic().getAlgorithm()).isEqualTo("EC");

        bank.restart();

        assertThat(bank.bank().hostKeyFingerprint()).isEqualTo(fingerprint);
        try (SftpGateway gateway = bank.connect()) {
            assertThat(gateway.outNames()).isEmpty();
        }
    }
}
