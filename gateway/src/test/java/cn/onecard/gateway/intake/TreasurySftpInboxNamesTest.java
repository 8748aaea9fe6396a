package cn.onecard.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** How the SFTP inbox names its folder on the server and which names it takes. */
class TreasurySftpInboxNamesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "inbox|inbox",
            "inbox/|inbox",
            "upload/onecard|upload/onecard",
            "/data/treasury/inbox//|/data/treasury/inbox",
            "/inbox|/inbox",
            "./inbox|inbox",
            "' upload/inbox '|upload/inbox"})
    void inboxFolder_isTheConfiguredFolderWithoutTrailingSlashes(String configured, String folder) {
        assertThat(TreasurySftpInbox.inboxFolder(configured)).isEqualTo(folder);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", ".", "/", "./", "upload/..", "../inbox", "upload/../inbox", "  "})
    void inboxFolder_refusesTheLoginFolderARootOrAClimb(String configured) {
        assertThatThrownBy(() -> TreasurySftpInbox.inboxFolder(configured)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "B1.jsonl.ocev, true",
            "odd-name.ocev, true",
            ".B1.jsonl.ocev, false",
            ".B1.jsonl.ocev.part, false",
            "B1.jsonl, false",
            "B1.jsonl.ocev.reason, false",
            "back\\slash.ocev, false"})
    void isIncoming_takesCompleteEnvelopeFilesOnly(String name, boolean incoming) {
        assertThat(TreasurySftpInbox.isIncoming(name)).isEqualTo(incoming);
    }
}
