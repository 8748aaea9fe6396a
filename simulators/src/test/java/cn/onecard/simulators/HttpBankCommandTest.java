package cn.onecard.simulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.simulators.httpbank.HttpBankHost;
import cn.onecard.simulators.httpbank.SignedClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The {@code http-bank} command: started in-process on free ports, paid through signed requests, driven over its control port. */
class HttpBankCommandTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String CARD = "6228480402564890018";
    private static final String ACCOUNTS_CSV = """
            card_number,name,id_number,state,balance_fen
            6228480402564890018,张三,11010519491231002X,NORMAL,100
            """;
    private static final Pattern READY = Pattern.compile(
            "http-bank (\\S+) ready: (https://127\\.0\\.0\\.1:\\d+/openapi), control (http://127\\.0\\.0\\.1:\\d+/banks/\\S+), "
                    + ".*certificate (\\S+) sha256 ([0-9a-f]{64}), .*fault seed (-?\\d+)\\R");

    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("test-accounts.csv"), ACCOUNTS_CSV);
        Files.writeString(dir.resolve("test-only-gateway-sm2-public.pem"), SignedClient.TEST_GATEWAY_KEY.publicKey().toPem());
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
        http.close();
    }

    private StandaloneBank<HttpBankHost> start(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--accounts", dir.resolve("test-accounts.csv").toString(),
                "--ledger", dir.resolve("ledger.log").toString(), "--keys", dir.resolve("bank").toString(),
                "--gateway-public-key", dir.resolve("test-only-gateway-sm2-public.pem").toString()));
        args.addAll(List.of(extra));
        HttpBankCommand command = new HttpBankCommand();
        CommandLine line = new CommandLine(command);
        line.setOut(new PrintWriter(out));
        line.parseArgs(args.toArray(String[]::new));
        StandaloneBank<HttpBankHost> running = command.start();
        closeables.add(running);
        return running;
    }

    private Matcher readyLine() {
        Matcher ready = READY.matcher(out.toString());
        assertThat(ready.find()).as("start line: %s", out).isTrue();
        return ready;
    }

    /** A gateway's client that pins the certificate the bank wrote, as world.json hands it over. */
    private SignedClient client(Matcher ready) throws Exception {
        SignedClient client = new SignedClient(URI.create(ready.group(2)), SignedClient.certificate(Path.of(ready.group(4))),
                Duration.ofSeconds(5));
        closeables.add(client::close);
        return client;
    }

    private static String credit(String reference) {
        return "{\"reference\": \"" + reference + "\", \"payerAccount\": \"4103000001\", \"cardNumber\": \"" + CARD
                + "\", \"holderName\": \"张三\", \"amount\": 9000, \"currency\": \"CNY\", \"memo\": \"FARM2026\"}";
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void startLine_saysWhereItListens_theCertificateToPin_andTheSeed_andItsKeysAreKept() throws Exception {
        start("--code", "ZYB", "--seed", "42");
        Matcher ready = readyLine();

        assertThat(ready.group(1)).isEqualTo("ZYB");
        assertThat(ready.group(6)).isEqualTo("42");
        Path bankDir = dir.resolve("bank");
        assertThat(Files.getPosixFilePermissions(bankDir.resolve("tls-private.pem")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.exists(bankDir.resolve("sm2-public.pem"))).isTrue();
        String fingerprint = ready.group(5);
        closeAll();
        closeables.clear();

        start("--code", "ZYB");
        assertThat(out.toString()).as("a restarted bank keeps its certificate").containsPattern("sha256 " + fingerprint + ".*\\R.*sha256 "
                + fingerprint);
    }

    @Test
    void paysACredit_andTheControlRouteShowsItInTheLedgerWithoutCardData() throws Exception {
        start("--seed", "7");
        Matcher ready = readyLine();
        SignedClient client = client(ready);

        assertThat(client.post("/v1/credits", credit("OC000000000000000001")).code()).isEqualTo("SUCCESS");
        assertThat(client.post("/v1/credits", credit("OC000000000000000001")).code()).isEqualTo("DUPLICATE");

        HttpResponse<String> ledger = send("GET", ready.group(3) + "/ledger", null);
        assertThat(ledger.statusCode()).isEqualTo(200);
        assertThat(ledger.body()).doesNotContain(CARD).doesNotContain("张三");
        JsonNode book = JSON.readTree(ledger.body());
        assertThat(book.get("bank").asString()).isEqualTo("HTTP");
        assertThat(book.get("paidCount").asInt()).isEqualTo(1);
        assertThat(book.get("paidSumFen").asLong()).isEqualTo(9_000);
        assertThat(book.get("duplicatesRefusedCount").asInt()).isEqualTo(1);
        assertThat(book.get("referencesPaidMoreThanOnce").asLong()).isZero();
        assertThat(book.at("/payments/0/reference").asString()).isEqualTo("OC000000000000000001");
    }

    @Test
    void faultsSetWhileRunning_befallTheNextRequest_andBadFaultsAreRefused() throws Exception {
        start();
        Matcher ready = readyLine();
        String control = ready.group(3);
        SignedClient client = client(ready);

        HttpResponse<String> set = send("POST", control + "/faults", "{\"busy\": 1, \"delayMillis\": 10}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(client.post("/v1/credits", credit("OC000000000000000002")).code()).isEqualTo("BUSY");
        JsonNode faults = JSON.readTree(send("GET", control + "/faults", null).body());
        assertThat(faults.get("busy").asDouble()).isEqualTo(1.0);
        assertThat(faults.get("delayMillis").asLong()).isEqualTo(10);

        assertThat(send("POST", control + "/faults", "{}").statusCode()).isEqualTo(200);
        assertThat(client.post("/v1/credits", credit("OC000000000000000002")).code()).isEqualTo("SUCCESS");

        HttpResponse<String> bad = send("POST", control + "/faults", "{\"unsignedAnswer\": 2}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("code").asString()).isEqualTo("BAD_FAULTS");
        assertThat(send("POST", control + "/faults", "{\"lateByMillis\": -1}").statusCode()).isEqualTo(400);
        assertThat(send("POST", control + "/faults", "{\"answerTwice\": 0.1}").statusCode()).as("no such fault over HTTP")
                .isEqualTo(400);
    }

    @Test
    void close_refusesConnections_andOpen_takesThemAgain() throws Exception {
        start();
        Matcher ready = readyLine();
        String control = ready.group(3);
        SignedClient client = client(ready);

        assertThat(JSON.readTree(send("POST", control + "/close", null).body()).get("closed").asBoolean()).isTrue();
        assertThatThrownBy(() -> client.post("/v1/credits/query", "{\"reference\": \"OC000000000000000003\"}"))
                .isInstanceOf(ConnectException.class);
        assertThat(JSON.readTree(send("POST", control + "/open", null).body()).get("closed").asBoolean()).isFalse();

        assertThat(client.post("/v1/credits/query", "{\"reference\": \"OC000000000000000003\"}").code()).isEqualTo("NOT_FOUND");
    }
}
