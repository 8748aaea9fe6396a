package cn.onecard.adapters.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The public face of the transports, as the treasury's inbox uses it: over SFTP and over a local directory alike. */
class RemoteFolderTest {

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

    private RemoteFolder open(String kind) {
        return RemoteFolder.open(kind.equals("sftp") ? server.config() : new FileTransportConfig.LocalDirectory(serverRoot));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sftp", "directory"})
    void download_copiesTheWholeFile_andRefusesALargerOneBeforeReadingIt(String kind) throws IOException {
        byte[] content = new byte[200_000];
        new java.util.Random(7).nextBytes(content);
        Files.createDirectories(serverRoot.resolve("inbox"));
        Files.write(serverRoot.resolve("inbox/A.bin"), content);
        try (RemoteFolder folder = open(kind)) {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            assertThat(folder.download("inbox/A.bin", sink, content.length)).isEqualTo(content.length);
            assertThat(sink.toByteArray()).isEqualTo(content);

            OutputStream mustStayUnused = new OutputStream() {
                @Override
                public void write(int b) {
                    throw new AssertionError("an oversize file is refused before its content is read");
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    throw new AssertionError("an oversize file is refused before its content is read");
                }
            };
            assertThatThrownBy(() -> folder.download("inbox/A.bin", mustStayUnused, content.length - 1))
                    .isInstanceOf(RemoteFolder.FileTooLargeException.class);
            assertThatThrownBy(() -> folder.download("inbox/missing", new ByteArrayOutputStream(), 10))
                    .isInstanceOf(IOException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sftp", "directory"})
    void listWriteRenameCreateFolder_workOnTheFolders(String kind) throws IOException {
        try (RemoteFolder folder = open(kind)) {
            folder.createFolder("inbox/receipts");
            folder.write("inbox/receipts/.R.part", "receipt".getBytes(StandardCharsets.UTF_8));
            folder.rename("inbox/receipts/.R.part", "inbox/receipts/R", true);
            assertThat(folder.list("inbox/receipts")).containsExactly("R");
            assertThat(serverRoot.resolve("inbox/receipts/R")).hasContent("receipt");
            assertThat(folder.describe()).doesNotContain("PRIVATE");
        }
    }
}
