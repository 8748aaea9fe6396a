package cn.onecard.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.gateway.testing.GatewayTestSupport;
import cn.onecard.gateway.testing.LogLines;
import cn.onecard.gateway.testing.People;
import cn.onecard.gateway.testing.RawHttp;
import cn.onecard.gateway.testing.SignedClient;
import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The treasury wall, tried as the security probe tried it (issue 11): every request is authenticated
 * before a database connection is taken or its body parsed; slow senders hold no connection; every
 * bad byte gets a coded refusal, never a 5xx, and stores nothing; a verified request spends its nonce
 * whatever its answer; the log never carries raw input.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class TreasuryWallTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AtomicInteger BATCHES = new AtomicInteger();
    private static final People people = new People(20261207L);
    private static final int PER_SENDER = 3;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestSupport.register(registry);
        registry.add("onecard.intake.bodies-reading-per-sender-max", () -> PER_SENDER);
        registry.add("onecard.intake.body-rate-grace", () -> "1s");
        registry.add("onecard.intake.body-min-bytes-per-second", () -> "1KB");
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    DataSource dataSource;

    @Autowired
    BodyGate bodyGate;

    private SignedClient client;

    @BeforeEach
    void client() {
        client = new SignedClient("http://127.0.0.1:" + port, GatewayTestSupport.CLIENT_ID,
                GatewayTestSupport.TREASURY_KEYS.privateKey());
    }

    // ---- batches as the treasury writes them

    private static Map<String, Object> item(String itemId) {
        return GatewayTestSupport.apiItem(itemId, people.idNumber(), people.card(GatewayTestSupport.LYB_BIN, 16), 9_000L);
    }

    private static Map<String, Object> batch(Consumer<Map<String, Object>> spoil) {
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("batchId", "W" + System.nanoTime() + "-" + BATCHES.incrementAndGet());
        batch.put("programCode", "P29");
        batch.put("programName", "困难残疾人生活补贴");
        batch.put("period", "202611");
        batch.put("payerAccount", "4103000001");
        batch.put("callbackUrl", "http://127.0.0.1:1/callbacks");
        List<Map<String, Object>> items = new ArrayList<>(List.of(item("1"), item("2")));
        batch.put("items", items);
        spoil.accept(batch);
        batch.putIfAbsent("itemCount", items.size());
        batch.putIfAbsent("totalAmountFen", items.stream().mapToLong(i -> ((Number) i.get("amountFen")).longValue()).sum());
        // the header fields before the items, as the contract's example has them
        Map<String, Object> ordered = new LinkedHashMap<>();
        batch.forEach((k, v) -> {
            if (!k.equals("items")) {
                ordered.put(k, v);
            }
        });
        ordered.put("items", batch.get("items"));
        return ordered;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> firstItem(Map<String, Object> batch) {
        return ((List<Map<String, Object>>) batch.get("items")).getFirst();
    }

    private static String json(Object value) {
        return JSON.writeValueAsString(value);
    }

    /** Rows of every table a batch writes: none may change for a refused request. */
    private List<Integer> storedRows() {
        return Stream.of("batches", "items", "item_events", "entitlements", "callback_outbox")
                .map(table -> jdbc.queryForObject("select count(*) from " + table, Integer.class)).toList();
    }

    private static String code(HttpResponse<String> response) {
        return JSON.readTree(response.body()).get("code").asString();
    }

    private void refusedAndNothingStored(HttpResponse<String> response, int status, String code, List<Integer> before) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(code(response)).isEqualTo(code);
        assertThat(storedRows()).as("nothing stored").isEqualTo(before);
    }

    // ---- 1. authenticate before anything: slow senders hold no database connection

    /** A request whose headers pass (a forged signature), sending its body a byte at a time. */
    private Socket startSlowBody(String clientId) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        String head = "POST /api/v1/batches HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n"
                + "X-OneCard-Client: " + clientId + "\r\nX-OneCard-Timestamp: " + System.currentTimeMillis() + "\r\n"
                + "X-OneCard-Nonce: " + SignedClient.nonce() + "\r\nX-OneCard-Signature: AAAA\r\n\r\n{";
        OutputStream out = socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private int connectionsHeld() {
        return ((HikariDataSource) dataSource).getHikariPoolMXBean().getActiveConnections();
    }

    @Test
    void slowUnauthenticatedBodies_holdNoConnection_andASignedReadStillAnswers() throws Exception {
        String batchId = (String) JSON.readValue(client.post("/api/v1/batches", json(batch(b -> { }))).body(), Map.class)
                .get("batchId");
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < PER_SENDER; i++) {
                slow.add(startSlowBody(GatewayTestSupport.CLIENT_ID));
            }
            awaitReading(PER_SENDER);

            // the node's own pollers take a connection now and then, briefly; bodies being read would hold
            // theirs all along: the fewest held over a few moments is what the bodies hold
            int fewestHeld = Integer.MAX_VALUE;
            for (int sample = 0; sample < 20; sample++) {
                fewestHeld = Math.min(fewestHeld, connectionsHeld());
                Thread.sleep(10);
            }
            assertThat(fewestHeld).as("bodies being read hold no database connection").isZero();
            HttpResponse<String> read = client.get("/api/v1/batches/" + batchId);
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);

            HttpResponse<String> beyondTheCap = client.post("/api/v1/batches", json(batch(b -> { })));
            assertThat(beyondTheCap.statusCode()).as(beyondTheCap.body()).isEqualTo(503);
            assertThat(code(beyondTheCap)).isEqualTo("SERVICE_UNAVAILABLE");
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    private void awaitReading(int bodies) throws InterruptedException {
        for (int i = 0; i < 200 && bodyGate.reading() < bodies; i++) {
            Thread.sleep(25);
        }
        assertThat(bodyGate.reading()).as("bodies being read").isEqualTo(bodies);
    }

    @Test
    void aBodySentSlowerThanTheMinimumRate_isRefusedAsTooSlow_andItsPlaceFreed() throws Exception {
        try (Socket socket = startSlowBody(GatewayTestSupport.CLIENT_ID)) {
            OutputStream out = socket.getOutputStream();
            // a byte every 200 ms: well under 1 KB a second once the grace of a second has passed
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            socket.setSoTimeout(200);
            for (int i = 0; i < 100; i++) {
                try {
                    out.write(' ');
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                try {
                    byte[] buffer = new byte[4096];
                    int n = socket.getInputStream().read(buffer);
                    if (n < 0) {
                        break;
                    }
                    answer.write(buffer, 0, n);
                    break;
                } catch (java.net.SocketTimeoutException notYet) {
                    // keep trickling
                }
            }
            String text = answer.toString(StandardCharsets.UTF_8);
            assertThat(text).startsWith("HTTP/1.1 408").contains("\"code\":\"BODY_TOO_SLOW\"");
        }
        awaitReading(0);
    }

    @Test
    void aStrangersMalformedBody_isRefusedForItsSignature_notForItsBody() {
        List<Integer> before = storedRows();
        String forged = client.sign(System.currentTimeMillis(), "nonce-of-a-stranger",
                "{}".getBytes(StandardCharsets.UTF_8)); // over another body: it cannot verify
        for (String body : List.of("{\"batchId\": ", "[1,2]", "{\"items\": [{\"name\": \"\\u0000\"}]}")) {
            HttpResponse<String> response = client.raw("POST", "/api/v1/batches", body, GatewayTestSupport.CLIENT_ID,
                    Long.toString(System.currentTimeMillis()), SignedClient.nonce(), forged, "application/json");
            refusedAndNothingStored(response, 401, "SIGNATURE_INVALID", before);
        }
        HttpResponse<String> unknownClient = client.raw("POST", "/api/v1/batches", "x".repeat(200_000), "stranger",
                Long.toString(System.currentTimeMillis()), SignedClient.nonce(), forged, "text/plain");
        refusedAndNothingStored(unknownClient, 401, "CLIENT_UNKNOWN", before);
    }

    // ---- 3, 4, 10: every bad byte a coded refusal, never a 5xx

    record BadBody(String name, byte[] body, int status, String code) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A valid batch's JSON with the first occurrence of {@code marker} replaced by raw bytes. */
    private static byte[] withBytes(String marker, byte[] bytes, Consumer<Map<String, Object>> spoil) {
        byte[] text = utf8(json(batch(spoil)));
        byte[] find = utf8(marker);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length; i++) {
            if (java.util.Arrays.equals(text, i, Math.min(text.length, i + find.length), find, 0, find.length)) {
                out.writeBytes(bytes);
                out.writeBytes(java.util.Arrays.copyOfRange(text, i + find.length, text.length));
                return out.toByteArray();
            }
            out.write(text[i]);
        }
        throw new IllegalArgumentException("no " + marker);
    }

    static Stream<BadBody> badBodies() {
        return Stream.of(
                new BadBody("NUL in a name", utf8(json(batch(b -> firstItem(b).put("name", "张\u0000三")))), 400, "BAD_FIELD"),
                new BadBody("NUL in programName", utf8(json(batch(b -> b.put("programName", "补贴\u0000")))), 400, "BAD_FIELD"),
                new BadBody("a newline in a name", utf8(json(batch(b -> firstItem(b).put("name", "张\n三")))), 400, "BAD_FIELD"),
                new BadBody("overlong NUL (C0 80)", withBytes("张三", new byte[] {(byte) 0xC0, (byte) 0x80}, b -> { }), 400,
                        "MALFORMED_JSON"),
                new BadBody("overlong slash (C0 AF)", withBytes("张三", new byte[] {(byte) 0xC0, (byte) 0xAF}, b -> { }), 400,
                        "MALFORMED_JSON"),
                new BadBody("overlong slash (E0 80 AF)", withBytes("张三", new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
                        b -> { }), 400, "MALFORMED_JSON"),
                new BadBody("an encoded surrogate (ED A0 80)", withBytes("张三",
                        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, b -> { }), 400, "MALFORMED_JSON"),
                new BadBody("an escaped lone surrogate", withBytes("张三", utf8("\\ud800"), b -> { }), 400, "BAD_FIELD"),
                new BadBody("UTF-16", json(batch(b -> { })).getBytes(StandardCharsets.UTF_16), 400, "MALFORMED_JSON"),
                new BadBody("a UTF-8 byte-order mark", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                        utf8(json(batch(b -> { })))), 400, "MALFORMED_JSON"),
                new BadBody("sums of a group overflowing 64 bits", utf8(json(batch(b -> {
                    @SuppressWarnings("unchecked")
                    List<Map<String, Object>> items = (List<Map<String, Object>>) b.get("items");
                    items.get(0).put("amountFen", -Long.MAX_VALUE);
                    items.get(0).put("idNumber", People.breakCheckDigit((String) items.get(0).get("idNumber")));
                    items.get(1).put("amountFen", Long.MAX_VALUE);
                    Map<String, Object> third = item("3");
                    third.put("amountFen", Long.MAX_VALUE);
                    items.add(third);
                    b.put("itemCount", 3);
                    b.put("totalAmountFen", Long.MAX_VALUE);
                }))), 400, "BAD_FIELD"),
                new BadBody("a right-to-left override in a name", utf8(json(batch(b -> firstItem(b).put("name", "张\u202E三")))),
                        400, "BAD_FIELD"),
                new BadBody("a line separator in the programme's name", utf8(json(batch(b -> b.put("programName",
                        "困难\u2028残疾人生活补贴")))), 400, "BAD_FIELD"),
                new BadBody("period 000001", utf8(json(batch(b -> b.put("period", "000001")))), 400, "BAD_FIELD"),
                new BadBody("period 202600", utf8(json(batch(b -> b.put("period", "202600")))), 400, "BAD_FIELD"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void everyBadByte_isACodedRefusal_neverA5xx_andStoresNothing(BadBody bad) {
        List<Integer> before = storedRows();
        HttpResponse<String> response = client.sendBytes("POST", "/api/v1/batches", bad.body(), "application/json");
        refusedAndNothingStored(response, bad.status(), bad.code(), before);
    }

    // ---- 5. no raw input in the log

    @Test
    void aFieldNameForgingALogLine_isEscapedInTheLog(CapturedOutput output) {
        // a name within the parser's 64 characters, a log line of its own if written as it is
        String forged = "x\n2026-12-07T10:00:00Z WARN ALERT RESULT_CONFLICT forged";
        List<Integer> before = storedRows();
        LogLines log = LogLines.capture();
        try (log) {
            HttpResponse<String> signed = client.post("/api/v1/batches", json(batch(b -> b.put(forged, 1))));
            refusedAndNothingStored(signed, 400, "UNKNOWN_FIELD", before);
            HttpResponse<String> unsigned = client.raw("POST", "/api/v1/batches", json(batch(b -> b.put(forged, 1))), null,
                    null, null, null, "application/json");
            refusedAndNothingStored(unsigned, 401, "SIGNATURE_MISSING", before);
        }

        assertThat(Stream.concat(output.getAll().lines(), log.lines().stream()))
                .noneMatch(line -> line.startsWith("2026-12-07T10:00:00Z"))
                .noneMatch(line -> line.contains("ALERT RESULT_CONFLICT forged") && !line.contains("\\n"));
        assertThat(log.all()).as("the refusal is logged, its field name escaped").contains("x\\n2026-12-07T10:00:00Z");
    }

    // ---- 6. timestamps: plain digits, compared without overflow

    @Test
    void timestampsThatOverflowOrCarryASign_areRefused() {
        long now = System.currentTimeMillis();
        for (String timestamp : List.of(Long.toString(now + Long.MIN_VALUE), "+" + now, "-" + now, now + ".0", now + "x",
                Long.toString(Long.MAX_VALUE), "0x" + Long.toHexString(now))) {
            String nonce = SignedClient.nonce();
            String signature = client.sign(0, nonce, new byte[0]);
            HttpResponse<String> response = client.raw("GET", "/api/v1/batches/none", "", GatewayTestSupport.CLIENT_ID,
                    timestamp, nonce, signature, null);
            assertThat(response.statusCode()).as(timestamp + ": " + response.body()).isEqualTo(401);
            assertThat(code(response)).as(timestamp).isEqualTo("TIMESTAMP_OUT_OF_WINDOW");
        }
        // digits of another script, which Long.parseLong would read as the same number
        String arabicIndic = Long.toString(now).chars().mapToObj(c -> String.valueOf((char) ('\u0660' + c - '0')))
                .collect(java.util.stream.Collectors.joining());
        RawHttp.Answer answer = RawHttp.exchange(port, (("GET /api/v1/batches/none HTTP/1.1\r\nHost: x\r\nX-OneCard-Client: "
                + GatewayTestSupport.CLIENT_ID + "\r\nX-OneCard-Timestamp: " + arabicIndic + "\r\nX-OneCard-Nonce: "
                + SignedClient.nonce() + "\r\nX-OneCard-Signature: AAAA\r\nConnection: close\r\n\r\n"))
                .getBytes(StandardCharsets.UTF_8));
        assertThat(answer.status()).as(answer.body()).isEqualTo(401);
        assertThat(answer.body()).contains("TIMESTAMP_OUT_OF_WINDOW");
    }

    // ---- 7. a verified request spends its nonce whatever its answer

    private HttpResponse<String> postWithNonce(String body, String nonce) {
        long timestamp = System.currentTimeMillis();
        return client.raw("POST", "/api/v1/batches", body, GatewayTestSupport.CLIENT_ID, Long.toString(timestamp), nonce,
                client.sign(timestamp, nonce, utf8(body)), "application/json");
    }

    @Test
    void aRefusedVerifiedRequest_spendsItsNonce() {
        String nonce = SignedClient.nonce();
        HttpResponse<String> refused = postWithNonce(json(batch(b -> b.put("programCode", "P99"))), nonce);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);

        HttpResponse<String> replay = postWithNonce(json(batch(b -> { })), nonce);
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(401);
        assertThat(code(replay)).isEqualTo("NONCE_REPLAYED");
    }

    @Test
    void aRepeatAnswered202_spendsItsNonceToo() {
        String body = json(batch(b -> { }));
        assertThat(postWithNonce(body, SignedClient.nonce()).statusCode()).isEqualTo(202);
        String nonce = SignedClient.nonce();
        assertThat(postWithNonce(body, nonce).statusCode()).as("the same batch again").isEqualTo(202);

        HttpResponse<String> replay = postWithNonce(body, nonce);
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(401);
        assertThat(code(replay)).isEqualTo("NONCE_REPLAYED");
    }

    @Test
    void aStrangersRequest_spendsNoNonce() {
        String nonce = SignedClient.nonce();
        String body = json(batch(b -> { }));
        long timestamp = System.currentTimeMillis();
        HttpResponse<String> forged = client.raw("POST", "/api/v1/batches", body, GatewayTestSupport.CLIENT_ID,
                Long.toString(timestamp), nonce, client.sign(timestamp, nonce, utf8("another body")), "application/json");
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(postWithNonce(body, nonce).statusCode()).as("the client's own request with that nonce").isEqualTo(202);
    }

    // ---- 9. callbacks only to the client's listed hosts (the tests list 127.0.0.1 alone)

    @ParameterizedTest(name = "{0}")
    @MethodSource("callbacksNotListed")
    void aCallbackUrlOutsideTheClientsHosts_isRefusedAtIntake(String callbackUrl) {
        List<Integer> before = storedRows();
        HttpResponse<String> response = client.post("/api/v1/batches",
                json(batch(b -> b.put("callbackUrl", callbackUrl))));
        refusedAndNothingStored(response, 422, "CALLBACK_NOT_ALLOWED", before);
    }

    static Stream<String> callbacksNotListed() {
        return Stream.of(
                "http://127.0.0.2:8080/callbacks", // loopback, but not the listed address
                "http://[::1]:5432/callbacks",
                "http://[::ffff:169.254.169.254]/latest/meta-data", // an IPv4 address in IPv6 form
                "http://2130706433/callbacks", // 127.0.0.1 as one decimal number
                "http://localhost:5432/callbacks", // a name not listed, though it resolves to a listed address
                "http://169.254.169.254/latest/meta-data",
                "http://10.0.0.8/callbacks",
                "https://treasury.example.net/callbacks",
                "http://0x7f000001/callbacks");
    }

    @Test
    void aCallbackUrlOnTheListedHost_isTakenIn() {
        HttpResponse<String> response = client.post("/api/v1/batches",
                json(batch(b -> b.put("callbackUrl", "https://127.0.0.1:9443/onecard/callbacks"))));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    // ---- the spool: bodies beyond the memory threshold go to owner-only files, removed afterwards

    @Test
    void aLargeBody_isSpooledToAnOwnerOnlyFolder_andRemoved() throws IOException {
        String big = json(batch(b -> {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> items = (List<Map<String, Object>>) b.get("items");
            for (int i = 3; i <= 12_000; i++) {
                items.add(item(Integer.toString(i)));
            }
        }));
        assertThat(big.length()).isGreaterThan(1 << 20);
        HttpResponse<String> response = client.post("/api/v1/batches", big);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        java.nio.file.Path folder = dataDir().resolve("spool");
        assertThat(java.nio.file.Files.getPosixFilePermissions(folder))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                        java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
        try (Stream<java.nio.file.Path> left = java.nio.file.Files.list(folder)) {
            assertThat(left).as("spooled bodies are removed once taken").isEmpty();
        }
    }

    @Autowired
    cn.onecard.gateway.config.OneCardProperties properties;

    private java.nio.file.Path dataDir() {
        return properties.dataDir().toAbsolutePath();
    }
}
