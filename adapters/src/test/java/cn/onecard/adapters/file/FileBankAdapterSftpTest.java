package cn.onecard.adapters.file;

import static cn.onecard.adapters.file.Fixtures.TEST_BANK_KEY;
import static cn.onecard.adapters.file.Fixtures.TEST_DATA_KEY;
import static cn.onecard.adapters.file.Fixtures.TEST_GATEWAY_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.SendReceipt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter against an embedded SFTP server: what the bank sees on its side, and what it hands back. */
class FileBankAdapterSftpTest {

    @TempDir
    Path serverRoot;
    @TempDir
    Path keys;
    private TestSftpServer server;
    private final RecordingHandler handler = new RecordingHandler();

    @BeforeEach
    void start() throws IOException, GeneralSecurityException {
        server = new TestSftpServer(serverRoot, keys, KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void lyb_sendAndCollectOverSftp() throws IOException {
        try (FileBankAdapter adapter = new FileBankAdapter(FileBankAdapterTest.lybConfig(server.config()))) {
            assertThat(FileBankAdapterTest.send(adapter, Fixtures.lybDispatch())).isInstanceOf(SendReceipt.Sent.class);
            try (var files = Files.list(serverRoot.resolve("in"))) {
                assertThat(files.map(file -> file.getFileName().toString()).sorted())
                        .containsExactly("LYBPAY_20261123_F20261123LYB0001.txt.enc", "LYBPAY_20261123_F20261123LYB0001.txt.sig");
            }
            byte[] plain = TestBank.lybOpen(Files.readAllBytes(serverRoot.resolve("in/LYBPAY_20261123_F20261123LYB0001.txt.enc")),
                    Files.readAllBytes(serverRoot.resolve("in/LYBPAY_20261123_F20261123LYB0001.txt.sig")),
                    TEST_GATEWAY_KEY.publicKey(), TEST_DATA_KEY);
            assertThat(plain).isEqualTo(Fixtures.golden("LYBPAY_20261123_F20261123LYB0001.txt"));

            Dispatch resend = new Dispatch("F20261123LYB0001", "LYB", Fixtures.DAY, 2, Fixtures.goldenItems());
            assertThat(FileBankAdapterTest.send(adapter, resend)).isInstanceOf(SendReceipt.Sent.class);
            try (var files = Files.list(serverRoot.resolve("in"))) {
                assertThat(files.count()).as("the resend replaced both files, no part left").isEqualTo(2);
            }

            String result = "LYBRET_20261123_F20261123LYB0001.txt";
            TestBank.dropLybResult(serverRoot, result, Fixtures.golden(result));
            adapter.collect(handler);
        }
        assertThat(handler.deliveries).singleElement().satisfies(delivery -> assertThat(delivery.outcomes()).hasSize(3));
        assertThat(serverRoot.resolve("out/done/LYBRET_20261123_F20261123LYB0001.txt.enc")).exists();
        assertThat(serverRoot.resolve("out/done/LYBRET_20261123_F20261123LYB0001.txt.sig")).exists();
    }

    @Test
    void abc_aCorruptResultIsSetAsideOverSftp() throws IOException {
        String result = "ABC20261123F20261123ABC0001.ret";
        TestBank.dropAbcResult(serverRoot, result, "H garbage\n".getBytes());
        try (FileBankAdapter adapter = new FileBankAdapter(FileBankAdapterTest.abcConfig(server.config()))) {
            adapter.collect(handler);
        }
        assertThat(handler.others).singleElement().isInstanceOfSatisfying(cn.onecard.adapters.BankReport.Unusable.class,
                unusable -> assertThat(unusable.detail()).startsWith("line 1, whole line:"));
        assertThat(serverRoot.resolve("out/error/" + result + ".ocev")).exists();
        assertThat(serverRoot.resolve("out/error/" + result + ".reason")).exists();
    }

    @Test
    void aWrongHostKeyMeansNotSent() throws IOException, GeneralSecurityException {
        Path otherHostKey = keys.resolve("test-other-host-key.pub");
        Files.writeString(otherHostKey, PublicKeyEntry.toString(KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256).getPublic()) + "\n");
        FileBankConfig config = FileBankAdapterTest.abcConfig(server.config(otherHostKey, Duration.ofSeconds(10)));
        try (FileBankAdapter adapter = new FileBankAdapter(config)) {
            assertThat(FileBankAdapterTest.send(adapter, Fixtures.abcDispatch())).isInstanceOf(SendReceipt.NotSent.class);
        }
        try (var files = Files.list(serverRoot.resolve("in"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aBankWhoseFoldersLieUnderARemoteRoot() throws IOException {
        Files.createDirectories(serverRoot.resolve("banks/abc/in"));
        Files.createDirectories(serverRoot.resolve("banks/abc/out"));
        FileTransportConfig.Sftp base = server.config();
        FileTransportConfig.Sftp rooted = new FileTransportConfig.Sftp(base.host(), base.port(), base.user(), base.clientKeyFile(),
                base.hostKeyFile(), "/banks/abc", base.connectTimeout(), base.authTimeout(), base.operationTimeout());
        try (FileBankAdapter adapter = new FileBankAdapter(FileBankAdapterTest.abcConfig(rooted))) {
            assertThat(FileBankAdapterTest.send(adapter, Fixtures.abcDispatch())).isInstanceOf(SendReceipt.Sent.class);
        }
        assertThat(serverRoot.resolve("banks/abc/in/ABC20261123F20261123ABC0001.dat.ocev")).exists();
        assertThat(TestBank.abcOpen(Files.readAllBytes(serverRoot.resolve("banks/abc/in/ABC20261123F20261123ABC0001.dat.ocev")),
                "ABC20261123F20261123ABC0001.dat", TEST_BANK_KEY.privateKey(), TEST_GATEWAY_KEY.publicKey()))
                .isEqualTo(Fixtures.golden("ABC20261123F20261123ABC0001.dat"));
    }
}
