package cn.onecard.gateway.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.KeyUsage;
import cn.onecard.crypto.MasterKey;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.gateway.demo.WorldKeys;
import cn.onecard.gateway.ledger.BankReferences;
import cn.onecard.gateway.testing.Await;
import cn.onecard.gateway.testing.GatewayTestSupport;
import cn.onecard.gateway.testing.People;
import cn.onecard.gateway.testing.SignedClient;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.Dialects;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.IsoServer;
import cn.onecard.iso8583.MacKeys;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * An ISO 8583 bank configured like any other (onecard.banks.ISO.kind=iso8583) and paid through the
 * gateway's own dispatcher: each item verified, credited once, and a credit whose answer never came
 * settled by inquiry, never sent twice. Audited through the host's own book.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class IsoBankThroughTheGatewayTest {

    private static final Dialect BCD = Dialects.builtIn().get("agent-bcd");
    private static final SymmetricKey MAC_KEY = SymmetricKey.generate(KeyAlgorithm.SM4);
    private static final String ISO_BIN = "628888";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final People people = new People(20261207L);
    private static final AtomicInteger BATCHES = new AtomicInteger();

    /** The bank's host and its book: credits by RRN; the first answer to each credit may be held back. */
    static final class Host {
        final Map<String, Long> paid = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> creditsByRrn = new ConcurrentHashMap<>();
        final AtomicInteger verifications = new AtomicInteger();
        final AtomicInteger inquiries = new AtomicInteger();
        final Set<String> silentOnce = ConcurrentHashMap.newKeySet();
        volatile boolean dropFirstAnswers;
        /** Credits paid and answered after the gateway's timeout; inquiries unanswered meanwhile. */
        volatile boolean answerLate;

        IsoMessage handle(IsoMessage request) {
            IsoMessage answer = BCD.responseTo(request);
            String rrn = request.get(37);
            switch (request.mti()) {
                case "0200" -> {
                    creditsByRrn.computeIfAbsent(rrn, key -> new AtomicInteger()).incrementAndGet();
                    if (paid.putIfAbsent(rrn, Long.parseLong(request.get(4))) != null) {
                        return answer.set(39, "94");
                    }
                    if (answerLate) {
                        sleepPast(REQUEST_TIMEOUT);
                    }
                    // paid, and the answer lost on the line
                    return dropFirstAnswers && silentOnce.add(rrn) ? null : answer.set(39, "00");
                }
                case "0100" -> {
                    if (request.get(3).equals("330000")) {
                        verifications.incrementAndGet();
                        return answer.set(39, "00");
                    }
                    inquiries.incrementAndGet();
                    if (answerLate) {
                        return null;
                    }
                    Long amount = paid.get(rrn);
                    return amount == null ? answer.set(39, "25") : answer.set(4, String.format("%012d", amount)).set(39, "00");
                }
                default -> {
                    return answer.set(39, "00");
                }
            }
        }
    }

    private static void sleepPast(Duration timeout) {
        try {
            Thread.sleep(timeout.toMillis() + 300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static final Duration REQUEST_TIMEOUT = Duration.ofMillis(400);
    static final Host HOST = new Host();
    static IsoServer server;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        GatewayTestSupport.register(registry);
        server = IsoServer.start(new IsoServer.Config(BCD).bind(new InetSocketAddress("127.0.0.1", 0))
                .macKeys(MacKeys.single(MAC_KEY)), (request, peer) -> HOST.handle(request));
        String bank = registerIsoBank(registry, server, MAC_KEY);
        registry.add(bank + "iso8583.request-timeout", () -> REQUEST_TIMEOUT.toMillis() + "ms");
        registry.add(bank + "iso8583.inquire-after", () -> "500ms");
        registry.add("onecard.dispatch.cycle-period", () -> "100ms");
        registry.add("onecard.dispatch.retry-after", () -> "300ms");
    }

    /**
     * Configures bank ISO (BIN 628888, agent-bcd, MAC key wrapped under a fresh master key, no echo
     * tests) on {@code host}; returns the prefix of its properties, for the caller's own.
     */
    static String registerIsoBank(DynamicPropertyRegistry registry, IsoServer host, SymmetricKey macKey) throws Exception {
        Path keys = Files.createTempDirectory(GatewayTestSupport.DATA_DIR, "iso-keys");
        WorldKeys world = WorldKeys.make(keys, "iso-test");
        String wrappedMacKey;
        MasterKey masterKey = MasterKey.fromKeystore(world.keystore(),
                Files.readString(world.keystorePassword()).strip().toCharArray(), MasterKey.DEFAULT_ALIAS);
        try {
            wrappedMacKey = masterKey.wrap(macKey, KeyUsage.MAC, "iso-mac").encode();
        } finally {
            masterKey.destroy();
        }
        registry.add("onecard.master-key.keystore", () -> world.keystore().toString());
        registry.add("onecard.master-key.keystore-password-file", () -> world.keystorePassword().toString());
        String bank = "onecard.banks.ISO.";
        registry.add(bank + "bins", () -> ISO_BIN);
        registry.add(bank + "kind", () -> "iso8583");
        registry.add(bank + "iso8583.dialect", () -> "agent-bcd");
        registry.add(bank + "iso8583.host", () -> "127.0.0.1");
        registry.add(bank + "iso8583.port", host::port);
        registry.add(bank + "iso8583.mac-key", () -> wrappedMacKey);
        registry.add(bank + "iso8583.payer-account", () -> "4103000001");
        registry.add(bank + "iso8583.echo-interval", () -> "0s");
        return bank;
    }

    @AfterAll
    static void stopHost() {
        if (server != null) {
            server.close();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private String submit(int items) {
        return submitBatch(port, people, items);
    }

    /** Signs and posts one batch of {@code items} items for bank ISO, amounts 10.01 yuan upwards; returns its id. */
    static String submitBatch(int port, People people, int items) {
        List<Map<String, Object>> list = new ArrayList<>();
        long total = 0;
        for (int i = 1; i <= items; i++) {
            long amount = 1_000L + i;
            list.add(GatewayTestSupport.apiItem(Integer.toString(i), people.idNumber(), people.card(ISO_BIN, 16), amount));
            total += amount;
        }
        Map<String, Object> batch = new LinkedHashMap<>();
        String batchId = "ISO" + System.nanoTime() + "-" + BATCHES.incrementAndGet();
        batch.put("batchId", batchId);
        batch.put("programCode", "P29");
        batch.put("programName", "困难残疾人生活补贴");
        batch.put("period", "202611");
        batch.put("payerAccount", "4103000001");
        batch.put("callbackUrl", "http://127.0.0.1:1/callbacks");
        batch.put("itemCount", items);
        batch.put("totalAmountFen", total);
        batch.put("items", list);
        SignedClient client = new SignedClient("http://127.0.0.1:" + port, GatewayTestSupport.CLIENT_ID,
                GatewayTestSupport.TREASURY_KEYS.privateKey());
        HttpResponse<String> response = client.post("/api/v1/batches", JSON.writeValueAsString(batch));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return batchId;
    }

    private Map<String, Integer> states(String batchId) {
        Map<String, Integer> states = new LinkedHashMap<>();
        jdbc.query("select i.state, count(*) from items i join batches b on b.batch_pk = i.batch_pk where b.batch_id = ? "
                + "group by i.state", row -> {
                    states.put(row.getString(1), row.getInt(2));
                }, batchId);
        return states;
    }

    private List<String> references(String batchId) {
        return jdbc.query("select i.batch_pk, i.seq from items i join batches b on b.batch_pk = i.batch_pk "
                + "where b.batch_id = ? order by i.seq", (row, n) -> BankReferences.of(row.getLong(1), row.getInt(2)), batchId);
    }

    private void paidAtTheBankOnce(String batchId, int items) {
        Await.until("every item of " + batchId + " paid", Duration.ofSeconds(60),
                () -> states(batchId).getOrDefault("PAID", 0) == items);
        assertThat(states(batchId)).containsExactly(Map.entry("PAID", items));
        for (String reference : references(batchId)) {
            String rrn = cn.onecard.adapters.iso8583.RetrievalReference.of(reference).orElseThrow();
            assertThat(HOST.paid).as("paid at the bank: " + reference).containsKey(rrn);
            assertThat(HOST.creditsByRrn.get(rrn)).as("credited once: " + reference).hasValue(1);
        }
    }

    @Test
    void aBatchForAnIsoBank_isVerifiedAndCreditedItemByItem_eachOnce() {
        int verificationsBefore = HOST.verifications.get();
        String batchId = submit(20);
        paidAtTheBankOnce(batchId, 20);
        assertThat(HOST.verifications.get() - verificationsBefore).as("each account verified before its credit")
                .isGreaterThanOrEqualTo(20);
    }

    @Test
    void creditsWhoseAnswersWereLost_areSettledByInquiry_neverSentAgain() {
        HOST.dropFirstAnswers = true;
        try {
            int inquiriesBefore = HOST.inquiries.get();
            String batchId = submit(10);
            paidAtTheBankOnce(batchId, 10);
            assertThat(HOST.inquiries.get() - inquiriesBefore).as("each lost answer inquired").isGreaterThanOrEqualTo(10);
        } finally {
            HOST.dropFirstAnswers = false;
        }
    }

    @Test
    void creditsAnsweredAfterTheirTimeout_areSettledByTheLateAnswer_once() {
        HOST.answerLate = true;
        try {
            String batchId = submit(5);
            paidAtTheBankOnce(batchId, 5);
            for (String reference : references(batchId)) {
                String rrn = cn.onecard.adapters.iso8583.RetrievalReference.of(reference).orElseThrow();
                assertThat(jdbc.queryForObject("select count(*) from result_files where bank_code = 'ISO' and source = ?",
                        Integer.class, "late credit answer, RRN " + rrn)).as("settled by its late answer: " + reference)
                        .isEqualTo(1);
            }
        } finally {
            HOST.answerLate = false;
        }
    }

    @Test
    void eachBanksState_isASignedRead_andInTheMetrics() throws Exception {
        paidAtTheBankOnce(submit(3), 3);
        SignedClient client = new SignedClient("http://127.0.0.1:" + port, GatewayTestSupport.CLIENT_ID,
                GatewayTestSupport.TREASURY_KEYS.privateKey());
        HttpResponse<String> banks = client.get("/api/v1/banks");
        assertThat(banks.statusCode()).as(banks.body()).isEqualTo(200);
        tools.jackson.databind.JsonNode iso = null;
        for (tools.jackson.databind.JsonNode bank : JSON.readTree(banks.body()).get("banks")) {
            if (bank.get("bankCode").asString().equals("ISO")) {
                iso = bank;
            }
        }
        assertThat(iso).as(banks.body()).isNotNull();
        assertThat(iso.get("mode").asString()).isEqualTo("ONLINE");
        assertThat(iso.get("circuit").get("state").asString()).isEqualTo("CLOSED");
        assertThat(iso.get("operations").get("send").get("count").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(iso.get("operations").get("verify").get("count").asLong()).isGreaterThanOrEqualTo(3);

        HttpResponse<String> unsigned = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/banks")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).as("a read like any other: signed").isEqualTo(401);

        HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("onecard_bank_operations_total{answer=\"answered\",bank=\"ISO\",operation=\"send\"")
                .contains("onecard_bank_in_flight{bank=\"ISO\"")
                .contains("resilience4j_circuitbreaker_state{name=\"ISO\",state=\"closed\"} 1.0");
    }
}
