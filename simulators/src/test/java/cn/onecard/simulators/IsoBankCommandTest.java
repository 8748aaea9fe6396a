package cn.onecard.simulators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.Dialects;
import cn.onecard.iso8583.ExchangeOutcome;
import cn.onecard.iso8583.IsoClient;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.MacKeys;
import cn.onecard.simulators.isobank.IsoBankHost;
import cn.onecard.simulators.isobank.ReferenceCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The {@code iso-bank} command: started in-process on free ports, paid through the real client, audited over HTTP. */
class IsoBankCommandTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Test-only MAC key. */
    private static final String TEST_MAK_HEX = "0123456789ABCDEFFEDCBA9876543210";
    private static final String CARD = "6228480402564890018";
    private static final String ACCOUNTS_CSV = """
            card_number,name,id_number,state,balance_fen
            6228480402564890018,张三,11010519491231002X,NORMAL,100
            """;
    private static final Pattern READY = Pattern.compile(
            "iso-bank (\\S+) (\\S+) ready: iso8583 127\\.0\\.0\\.1:(\\d+), control (http://127\\.0\\.0\\.1:\\d+/banks/\\S+), .*fault seed (-?\\d+)\\R");

    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private int traces;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("test-accounts.csv"), ACCOUNTS_CSV);
        Files.writeString(dir.resolve("test-mac-key.hex"), TEST_MAK_HEX + "\n");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
        http.close();
    }

    private StandaloneBank<IsoBankHost> start(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--accounts", dir.resolve("test-accounts.csv").toString(),
                "--ledger", dir.resolve("ledger.log").toString(), "--mac-key-file", dir.resolve("test-mac-key.hex").toString()));
        args.addAll(List.of(extra));
        IsoBankCommand command = new IsoBankCommand();
        CommandLine line = new CommandLine(command);
        line.setOut(new PrintWriter(out));
        line.parseArgs(args.toArray(String[]::new));
        StandaloneBank<IsoBankHost> running = command.start();
        closeables.add(running);
        return running;
    }

    private Matcher readyLine() {
        Matcher ready = READY.matcher(out.toString());
        assertThat(ready.find()).as("start line: %s", out).isTrue();
        return ready;
    }

    private IsoClient client(Dialect dialect, int port, SymmetricKey key) {
        IsoClient client = IsoClient.start(new IsoClient.Config(dialect, new InetSocketAddress("127.0.0.1", port))
                .macKeys(MacKeys.single(key)).echoInterval(Duration.ZERO)
                .reconnectDelay(Duration.ofMillis(20), Duration.ofMillis(100)));
        closeables.add(client);
        assertThat(client.awaitConnected(WAIT)).as("connected").isTrue();
        return client;
    }

    private String credit(Dialect dialect, IsoClient client, long amountFen, String reference) {
        IsoMessage credit = dialect.newMessage("credit").set(11, String.format("%06d", ++traces)).set(41, "TERM0001")
                .set(2, CARD).set(4, String.format("%012d", amountFen)).set(37, ReferenceCodec.toRrn(reference));
        if (dialect.name().equals("agent-ascii87")) {
            credit.set(7, "1207120000").set(32, "12345678"); // its answers are matched on these as well
        }
        ExchangeOutcome outcome = client.send(credit).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        assertThat(outcome).isInstanceOf(ExchangeOutcome.Answered.class);
        return ((ExchangeOutcome.Answered) outcome).response().get(39);
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void startLineSaysThePortsAndSeed_andNeverTheKey() throws Exception {
        StandaloneBank<IsoBankHost> running = start("--code", "HNNX", "--seed", "42");

        Matcher ready = readyLine();
        assertThat(ready.group(1)).isEqualTo("HNNX");
        assertThat(ready.group(2)).isEqualTo("agent-bcd");
        assertThat(Integer.parseInt(ready.group(3))).isEqualTo(running.host().address().getPort()).isPositive();
        assertThat(ready.group(5)).isEqualTo("42");
        String checkValue = java.util.HexFormat.of().withUpperCase()
                .formatHex(SymmetricKey.fromHex(KeyAlgorithm.SM4, TEST_MAK_HEX).checkValue());
        assertThat(out.toString()).contains("MAC key check value " + checkValue).doesNotContain(TEST_MAK_HEX)
                .doesNotContainIgnoringCase(TEST_MAK_HEX.substring(0, 16)).doesNotContain(CARD);
    }

    @Test
    void paysACredit_andTheControlRouteShowsItInTheLedgerWithoutCardData() throws Exception {
        start("--seed", "7");
        Matcher ready = readyLine();
        Dialect bcd = Dialects.builtIn().get("agent-bcd");
        IsoClient client = client(bcd, Integer.parseInt(ready.group(3)), SymmetricKey.fromHex(KeyAlgorithm.SM4, TEST_MAK_HEX));

        assertThat(credit(bcd, client, 9_000, "OC000000000000000001")).isEqualTo("00");
        assertThat(credit(bcd, client, 9_000, "OC000000000000000001")).as("the same reference again").isEqualTo("94");

        HttpResponse<String> ledger = send("GET", ready.group(4) + "/ledger", null);
        assertThat(ledger.statusCode()).isEqualTo(200);
        assertThat(ledger.body()).doesNotContain(CARD).doesNotContain("张三");
        JsonNode book = JSON.readTree(ledger.body());
        assertThat(book.get("bank").asString()).isEqualTo("ISO");
        assertThat(book.get("paidCount").asInt()).isEqualTo(1);
        assertThat(book.get("paidSumFen").asLong()).isEqualTo(9_000);
        assertThat(book.get("standingSumFen").asLong()).isEqualTo(9_000);
        assertThat(book.get("referencesPaidMoreThanOnce").asLong()).isZero();
        assertThat(book.at("/payments/0/reference").asString()).isEqualTo("OC000000000000000001");
        assertThat(book.at("/payments/0/amountFen").asLong()).isEqualTo(9_000);
        assertThat(book.at("/duplicatesRefused/0/reference").asString()).isEqualTo("OC000000000000000001");
    }

    @Test
    void faultsSetWhileRunning_befallTheNextRequest_andCanBeReadBack() throws Exception {
        start();
        Matcher ready = readyLine();
        String control = ready.group(4);
        Dialect bcd = Dialects.builtIn().get("agent-bcd");
        IsoClient client = client(bcd, Integer.parseInt(ready.group(3)), SymmetricKey.fromHex(KeyAlgorithm.SM4, TEST_MAK_HEX));

        HttpResponse<String> set = send("POST", control + "/faults", "{\"busy\": 1}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(credit(bcd, client, 500, "OC000000000000000002")).as("busy, not acted on").isEqualTo("C2");
        assertThat(JSON.readTree(send("GET", control + "/faults", null).body()).get("busy").asDouble()).isEqualTo(1.0);

        assertThat(send("POST", control + "/faults", "{}").statusCode()).isEqualTo(200);
        assertThat(credit(bcd, client, 500, "OC000000000000000002")).isEqualTo("00");
        assertThat(JSON.readTree(send("GET", control + "/ledger", null).body()).get("paidSumFen").asLong()).isEqualTo(500);

        HttpResponse<String> bad = send("POST", control + "/faults", "{\"busy\": 2}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("code").asString()).isEqualTo("BAD_FAULTS");
        assertThat(send("POST", control + "/faults", "{\"busyy\": 0.1}").statusCode()).isEqualTo(400);
        assertThat(send("DELETE", control + "/ledger", null).statusCode()).isEqualTo(405);
        assertThat(send("GET", control.replace("/banks/ISO", "/banks/ABC") + "/ledger", null).statusCode()).isEqualTo(404);
    }

    @Test
    void closeRefusesNewConnections_andOpenTakesThemAgain() throws Exception {
        StandaloneBank<IsoBankHost> running = start();
        String control = readyLine().group(4);

        assertThat(JSON.readTree(send("POST", control + "/close", null).body()).get("closed").asBoolean()).isTrue();
        assertThat(running.host().faults().refuseConnections()).isTrue();
        assertThat(JSON.readTree(send("POST", control + "/open", null).body()).get("closed").asBoolean()).isFalse();
        assertThat(running.host().faults().refuseConnections()).isFalse();
    }

    @Test
    void speaksAgentAscii87_underATdesKey() throws Exception {
        start("--dialect", "AGENT-ASCII87", "--answer-twice", "0");
        Matcher ready = readyLine();
        assertThat(ready.group(2)).isEqualTo("agent-ascii87");
        Dialect ascii = Dialects.builtIn().get("agent-ascii87");
        IsoClient client = client(ascii, Integer.parseInt(ready.group(3)), SymmetricKey.fromHex(KeyAlgorithm.TDES, TEST_MAK_HEX));

        assertThat(credit(ascii, client, 1_200, "OC000000000000000003")).isEqualTo("00");
        assertThat(JSON.readTree(send("GET", ready.group(4) + "/ledger", null).body()).get("paidSumFen").asLong()).isEqualTo(1_200);
    }

    @Test
    void refusesAKeyFileThatIsNotAKey_andFaultOddsOutOfRange() throws Exception {
        Files.writeString(dir.resolve("test-mac-key.hex"), "not a key\n");
        assertThatThrownBy(() -> start()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 hex digits");

        Files.writeString(dir.resolve("test-mac-key.hex"), TEST_MAK_HEX + "\n");
        assertThatThrownBy(() -> start("--busy", "1.5")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("busy");
        assertThatThrownBy(() -> start("--dialect", "cup-pos")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("agent-bcd");
    }
}
