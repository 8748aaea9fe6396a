package cn.onecard.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.gateway.testing.GatewayTestSupport;
import cn.onecard.gateway.testing.LogLines;
import cn.onecard.gateway.testing.People;
import cn.onecard.gateway.testing.RawHttp;
import cn.onecard.gateway.testing.SignedClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Seeded hostile requests against the whole wall, headers and body: a valid batch, spoiled in random
 * ways (bytes flipped, cut, inserted; invalid UTF-8; control characters; unknown and repeated names;
 * deep nesting; absurd numbers; headers missing, garbled or forged), signed properly about half the
 * time so that the body's parser is reached. Whatever arrives: never a 5xx, always the contract's
 * error body for a refusal, nothing stored by a refused request, and no raw input in the log (a
 * marker behind a line break never starts a line of its own).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class HostileRequestsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MARKER = "FORGED-LINE";
    private static final int REQUESTS = 150 * Integer.getInteger("onecard.test.scale", 1);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestSupport.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final People people = new People(11L);
    private final SignedClient signer = new SignedClient("http://unused", GatewayTestSupport.CLIENT_ID,
            GatewayTestSupport.TREASURY_KEYS.privateKey());

    private List<Integer> storedRows() {
        return Stream.of("batches", "items", "item_events", "entitlements", "callback_outbox", "alerts")
                .map(table -> jdbc.queryForObject("select count(*) from " + table, Integer.class)).toList();
    }

    private byte[] validBatch(SplittableRandom random) {
        List<Map<String, Object>> items = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int i = 1; i <= count; i++) {
            items.add(GatewayTestSupport.apiItem(Integer.toString(i), people.idNumber(),
                    people.card(GatewayTestSupport.LYB_BIN, 16), 9_000L));
        }
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("batchId", "H" + random.nextLong(1L << 40));
        batch.put("programCode", "P29");
        batch.put("programName", "困难残疾人生活补贴");
        batch.put("period", "202611");
        batch.put("payerAccount", "4103000001");
        batch.put("callbackUrl", "http://127.0.0.1:1/callbacks");
        batch.put("itemCount", count);
        batch.put("totalAmountFen", 9_000L * count);
        batch.put("items", items);
        return JSON.writeValueAsString(batch).getBytes(StandardCharsets.UTF_8);
    }

    private static final byte[][] NASTY = {
            {0}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xFE, (byte) 0xFF},
            "\\u0000".getBytes(StandardCharsets.US_ASCII), "\\ud800".getBytes(StandardCharsets.US_ASCII),
            ("\\n" + MARKER).getBytes(StandardCharsets.US_ASCII), ("\n" + MARKER).getBytes(StandardCharsets.US_ASCII),
            ("\"x\\n" + MARKER + "\": 1, ").getBytes(StandardCharsets.US_ASCII),
            "99999999999999999999999999".getBytes(StandardCharsets.US_ASCII), "-9223372036854775808".getBytes(StandardCharsets.US_ASCII),
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".getBytes(StandardCharsets.US_ASCII),
            "\"batchId\": \"again\", ".getBytes(StandardCharsets.US_ASCII), "\u202e".getBytes(StandardCharsets.UTF_8)};

    private static byte[] spoil(byte[] body, SplittableRandom random) {
        if (body.length == 0) {
            // an earlier spoil cut it all away: nothing left to flip or cut, only to fill
            return NASTY[random.nextInt(NASTY.length)].clone();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = random.nextInt(body.length);
        switch (random.nextInt(5)) {
            case 0 -> { // flip a byte
                byte[] copy = body.clone();
                copy[at] = (byte) random.nextInt(256);
                return copy;
            }
            case 1 -> { // cut
                return java.util.Arrays.copyOf(body, at);
            }
            case 2, 3 -> { // insert something nasty
                out.write(body, 0, at);
                out.writeBytes(NASTY[random.nextInt(NASTY.length)]);
                out.write(body, at, body.length - at);
                return out.toByteArray();
            }
            default -> { // insert random bytes
                out.write(body, 0, at);
                byte[] noise = new byte[1 + random.nextInt(8)];
                random.nextBytes(noise);
                out.writeBytes(noise);
                out.write(body, at, body.length - at);
                return out.toByteArray();
            }
        }
    }

    private static final String[] METHODS = {"POST", "POST", "POST", "GET", "GET", "PUT", "DELETE", "TRACE", "OPTIONS"};
    private static final String[] PATHS = {"/api/v1/batches", "/api/v1/batches", "/api/v1/batches/%2e%2e",
            "/api/v1/batches/x%0a" + MARKER, "/api/v1/batches/x%0d%0a" + MARKER + "/items", "/api/v1/batches?page=-1",
            "/api/v1/batches/x/items?size=99999999999", "/api/v1/batches/x/items?page=%0a" + MARKER,
            "/api/v1/batches/x/result-file"};
    private static final String[] CONTENT_TYPES = {"application/json", "application/json", "application/json",
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=" + MARKER, "text/plain", ";;"};
    private static final String[] ACCEPTS = {null, null, "application/json", "text/plain", ";;", "*/*"};

    private byte[] request(SplittableRandom random) {
        String method = METHODS[random.nextInt(METHODS.length)];
        String path = PATHS[random.nextInt(PATHS.length)];
        // a GET signs an empty body and usually sends none: those verify, and reach the queries
        boolean get = method.equals("GET") && random.nextInt(4) != 0;
        byte[] body = get ? new byte[0] : validBatch(random);
        int spoils = get ? 0 : random.nextInt(4);
        for (int i = 0; i < spoils; i++) {
            body = spoil(body, random);
        }
        if (!get && random.nextInt(6) == 0) {
            body = ("a=%" + (random.nextBoolean() ? "zz" : "\r\n" + MARKER)).getBytes(StandardCharsets.UTF_8);
        }
        long timestamp = System.currentTimeMillis();
        String nonce = SignedClient.nonce();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-OneCard-Client", GatewayTestSupport.CLIENT_ID);
        headers.put("X-OneCard-Timestamp", Long.toString(timestamp));
        headers.put("X-OneCard-Nonce", nonce);
        headers.put("X-OneCard-Signature", random.nextInt(3) != 0 ? signer.sign(timestamp, nonce, body) : "AAAA");
        headers.put("Content-Type", CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)]);
        String accept = ACCEPTS[random.nextInt(ACCEPTS.length)];
        if (accept != null) {
            headers.put("Accept", accept);
        }
        // now and then a header missing, garbled or carrying a marker
        if (random.nextInt(4) == 0) {
            List<String> names = new ArrayList<>(headers.keySet());
            String name = names.get(random.nextInt(names.size()));
            switch (random.nextInt(4)) {
                case 0 -> headers.remove(name);
                case 1 -> headers.put(name, "+" + headers.get(name));
                case 2 -> headers.put(name, MARKER + "\u00e9\u0001");
                default -> headers.put(name, headers.get(name) + "\r\n" + MARKER + ": x");
            }
        }
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: x\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return out.toByteArray();
    }

    @Test
    void hostileRequests_neverA5xx_neverAStoreOnRefusal_neverRawInputInTheLog(CapturedOutput output) {
        long seed = Long.getLong("onecard.test.seed", System.nanoTime());
        System.out.println("[property] hostile requests: run seed " + seed + " (replay: -Donecard.test.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        LogLines log = LogLines.capture();
        try (log) {
            sendAll(seed, random);
        }
        assertThat(log.lines()).as("the refusals were logged: the check below looks at real lines").anyMatch(
                line -> line.contains("refused: "));
        assertThat(log.lines()).as("signed queries of hostile batch ids reached the ledger and were refused there")
                .anyMatch(line -> line.contains("refused: BATCH_NOT_FOUND"));
        assertThat(log.webFaults()).as("no ERROR and no stack trace: every request was refused with its code").isEmpty();
        assertThat(Stream.concat(output.getAll().lines(), log.lines().stream()))
                .as("no line of the log begins with input behind a line break")
                .noneMatch(line -> line.startsWith(MARKER) || line.startsWith(MARKER.toLowerCase()));
    }

    private void sendAll(long seed, SplittableRandom random) {
        int accepted = 0;
        for (int i = 0; i < REQUESTS; i++) {
            byte[] request = request(random);
            List<Integer> before = storedRows();
            RawHttp.Answer answer = RawHttp.exchange(port, request);
            String where = "seed " + seed + ", request " + i + ":\n" + new String(request, StandardCharsets.UTF_8);
            assertThat(answer.status()).as(where + "\n-> " + answer.body()).isBetween(200, 499);
            if (answer.status() == 202) {
                accepted++;
                continue;
            }
            assertThat(storedRows()).as(where + "\n-> nothing stored by a refusal").isEqualTo(before);
            if (answer.status() >= 400) {
                assertThat(answer.header("Content-Type")).as(where).startsWith("application/json");
                JsonNode error = JSON.readTree(answer.body());
                assertThat(error.has("code") && error.has("message") && error.has("details")).as(where + "\n" + answer.body())
                        .isTrue();
            }
        }
        System.out.println("[property] hostile requests: " + REQUESTS + " sent, " + accepted + " accepted as batches");
    }
}
