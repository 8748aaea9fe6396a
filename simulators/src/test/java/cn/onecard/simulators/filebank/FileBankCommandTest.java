package cn.onecard.simulators.filebank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The {@code file-bank} command and its HTTP control port. */
class FileBankCommandTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;
    final StringWriter out = new StringWriter();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void keyFiles() throws Exception {
        Files.writeString(dir.resolve("test-gateway.pub.pem"), TestBank.TEST_GATEWAY_KEYS.publicKey().toPem());
        Files.writeString(dir.resolve("test-bank.pem"), TestBank.TEST_BANK_KEYS.privateKey().toPem());
        Files.writeString(dir.resolve("test-data-key.hex"),
                HexFormat.of().formatHex(TestBank.TEST_DATA_KEY_BYTES) + "\n");
        Files.writeString(dir.resolve("test-authorized_keys"),
                PublicKeyEntry.toString(TestBank.TEST_CLIENT_SSH_KEY.getPublic()) + "\n");
        try (InputStream in = getClass().getResourceAsStream("/filebank/test-accounts.csv")) {
            Files.write(dir.resolve("test-accounts.csv"), in.readAllBytes());
        }
    }

    FileBankCommand parse(String... extra) {
        List<String> args = new ArrayList<>(List.of("--root", dir.resolve("bank").toString(),
                "--accounts", dir.resolve("test-accounts.csv").toString(),
                "--gateway-public-key", dir.resolve("test-gateway.pub.pem").toString(),
                "--bank-private-key", dir.resolve("test-bank.pem").toString(),
                "--authorized-key", dir.resolve("test-authorized_keys").toString(),
                "--poll-interval", "20ms"));
        args.addAll(List.of(extra));
        FileBankCommand command = new FileBankCommand();
        CommandLine line = new CommandLine(command);
        line.setOut(new PrintWriter(out));
        line.parseArgs(args.toArray(String[]::new));
        return command;
    }

    FileBankCommand lyb(String... extra) {
        List<String> args = new ArrayList<>(List.of("--bank", "LYB", "--unit", TestBank.UNIT,
                "--data-key-file", dir.resolve("test-data-key.hex").toString(), "--processing-day", "2026-11-02"));
        args.addAll(List.of(extra));
        return parse(args.toArray(String[]::new));
    }

    HttpResponse<String> send(String method, int port, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void controlPort_setsFaults_closesAndOpens_andReportsTheLedger() throws Exception {
        try (FileBankCommand.Running running = lyb().start()) {
            int port = running.control().port();
            SftpGateway gateway = SftpGateway.connect(running.bank().port(), TestBank.USER, TestBank.TEST_CLIENT_SSH_KEY,
                    SshKeys.hostKey(running.bank().options().hostKeyFile()));
            try (gateway) {
                HttpResponse<String> faults = send("POST", port, "/faults",
                        "{\"resultDelayMillis\": 5, \"lostRecords\": 0.25, \"followUpDelayMillis\": 50, \"dayAheadDays\": 2}");
                assertThat(faults.statusCode()).isEqualTo(200);
                assertThat(running.bank().faults()).isEqualTo(FileBankFaults.NONE.withResultDelay(Duration.ofMillis(5))
                        .withLostRecords(0.25).withFollowUpDelay(Duration.ofMillis(50)).withDayAheadDays(2));
                assertThat(JSON.readTree(send("GET", port, "/faults", null).body()).get("lostRecords").doubleValue())
                        .isEqualTo(0.25);

                assertThat(send("POST", port, "/close", null).body()).isEqualTo("{\"closed\":true}");
                assertThat(running.bank().faults().lostRecords()).as("closing keeps the other faults").isEqualTo(0.25);
                assertThatThrownBy(() -> gateway.upload("x.txt", new byte[1])).isInstanceOfSatisfying(SftpException.class,
                        e -> assertThat(e.getStatus()).isEqualTo(SftpConstants.SSH_FX_PERMISSION_DENIED));

                assertThat(send("POST", port, "/open", null).body()).isEqualTo("{\"closed\":false}");
                send("POST", port, "/faults", "{}");
                gateway.upload(Layouts.payment(FileBankKind.LYB, "CMD1", 1, 2));
                assertThat(running.bank().awaitIdle(TestBank.TIMEOUT)).isTrue();

                HttpResponse<String> ledger = send("GET", port, "/ledger", null);
                assertThat(ledger.statusCode()).isEqualTo(200);
                JsonNode node = JSON.readTree(ledger.body());
                assertThat(node.get("bank").stringValue()).isEqualTo("LYB");
                assertThat(node.get("paidCount").intValue()).isEqualTo(2);
                assertThat(node.get("paidSumFen").longValue()).isEqualTo(200);
                assertThat(node.get("filesSeen").get(0).stringValue()).isEqualTo("CMD1");
                assertThat(node.get("payments").get(0).get("reference").stringValue()).isEqualTo(Layouts.ref(1));
                assertThat(ledger.body()).as("no card data").doesNotContain(Layouts.ZHANG_CARD);
            }
        }
        assertThat(out.toString()).contains("file-bank LYB ready: sftp 127.0.0.1:", "fault seed ")
                .doesNotContain(HexFormat.of().formatHex(TestBank.TEST_DATA_KEY_BYTES))
                .doesNotContain(TestBank.TEST_BANK_KEYS.privateKey().toHex());
    }

    @Test
    void controlPort_refusesBadRequests_withACodedBody() throws Exception {
        try (FileBankCommand.Running running = lyb().start()) {
            int port = running.control().port();

            HttpResponse<String> unknown = send("POST", port, "/faults", "{\"lostRecord\": 0.5}");
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(unknown.body()).get("code").stringValue()).isEqualTo("BAD_FAULTS");
            assertThat(send("POST", port, "/faults", "{\"corruptResult\": 2}").statusCode()).isEqualTo(400);
            assertThat(send("POST", port, "/faults", "{\"resultDelayMillis\": -1}").statusCode()).isEqualTo(400);
            assertThat(send("POST", port, "/faults", "{\"closed\": \"yes\"}").statusCode()).isEqualTo(400);
            assertThat(send("POST", port, "/faults", "{\"dayAheadDays\": 31}").statusCode()).isEqualTo(400);
            assertThat(send("POST", port, "/faults", "{\"dayAheadDays\": 1.5}").statusCode()).isEqualTo(400);
            assertThat(send("POST", port, "/faults", "[]").statusCode()).isEqualTo(400);
            assertThat(send("POST", port, "/faults", "not json").statusCode()).isEqualTo(400);
            assertThat(send("GET", port, "/open", null).statusCode()).isEqualTo(405);
            assertThat(send("DELETE", port, "/ledger", null).statusCode()).isEqualTo(405);
            assertThat(send("GET", port, "/ledger/x", null).statusCode()).isEqualTo(404);
            assertThat(running.bank().faults()).isEqualTo(FileBankFaults.NONE);
        }
    }

    @Test
    void options_comeFromTheCommandLine() throws Exception {
        FileBankOptions options = lyb("--user", "gw01", "--seed", "42").options();

        assertThat(options.kind()).isEqualTo(FileBankKind.LYB);
        assertThat(options.unitNumber()).isEqualTo(TestBank.UNIT);
        assertThat(options.lybDataKey().checkValue()).isEqualTo(TestBank.TEST_DATA_KEY.checkValue());
        assertThat(options.gatewayPublicKey()).isEqualTo(TestBank.TEST_GATEWAY_KEYS.publicKey());
        assertThat(options.userName()).isEqualTo("gw01");
        assertThat(options.faultSeed()).isEqualTo(42);
        assertThat(options.pollInterval()).isEqualTo(Duration.ofMillis(20));
        assertThat(LocalDate.now(options.clock())).isEqualTo(LocalDate.of(2026, 11, 2));
        assertThat(options.hostKeyFile()).isEqualTo(dir.resolve("bank").resolve("ssh_host_ecdsa_key.pem"));
    }

    @Test
    void abcBank_takesNoUnitAndNoDataKey_andLybNeedsBoth() {
        assertThatThrownBy(() -> parse("--bank", "ABC", "--unit", "1").options()).isInstanceOf(ParameterException.class);
        assertThatThrownBy(() -> parse("--bank", "LYB", "--unit", "1").options()).isInstanceOf(ParameterException.class)
                .hasMessageContaining("--data-key-file");
        assertThatThrownBy(() -> parse("--bank", "LYB", "--data-key-file", dir.resolve("test-data-key.hex").toString())
                .options()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unit number");
    }

    @ParameterizedTest(name = "{0} -> {1} ms")
    @CsvSource({"500ms, 500", "2s, 2000", "1m, 60000", "PT0.25S, 250"})
    void pollInterval_readsShortAndIsoDurations(String text, long millis) {
        assertThat(FileBankCommand.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void pollInterval_refusesNonsense() {
        assertThatThrownBy(() -> FileBankCommand.parseDuration("soon")).isInstanceOf(IllegalArgumentException.class);
    }
}
