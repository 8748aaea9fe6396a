package cn.onecard.simulators;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.Dialects;
import cn.onecard.iso8583.ExchangeOutcome;
import cn.onecard.iso8583.IsoClient;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.MacKeys;
import cn.onecard.simulators.httpbank.SignedClient;
import cn.onecard.simulators.isobank.ReferenceCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class SimulatorsCliTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
    }

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = SimulatorsMain.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void population_writesTheFeedsAndAccounts() {
        Run run = cli("population", "--out", dir.toString(), "--persons", "3000", "--seed", "4");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(dir.resolve("card-registry.csv")).exists();
        assertThat(dir.resolve("blocked-persons.csv")).exists();
        assertThat(dir.resolve("accounts-LYB.csv")).exists();
        assertThat(dir.resolve("accounts-ABC.csv")).exists();
        assertThat(run.out()).contains("3,000 cards");
    }

    @Test
    void badUsage_exits2WithOneLine() {
        Run missing = cli("population");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err().lines()).hasSize(1);
        Run programme = cli("treasury", "generate", "--treasury-dir", dir.toString(), "--callback-url", "http://127.0.0.1:1/callbacks",
                "--out", dir.resolve("out").toString(), "--programme", "P99", "--persons", "1000");
        assertThat(programme.status()).isEqualTo(2);
        assertThat(programme.err()).contains("no programme P99").doesNotContain("Exception");
    }

    @Test
    void generateThenAuditWithoutResults_failsTheAudit() {
        Run generated = cli("treasury", "generate", "--treasury-dir", dir.resolve("t").toString(), "--callback-url",
                "http://127.0.0.1:1/callbacks", "--out", dir.resolve("bodies").toString(), "--items", "200", "--persons", "5000",
                "--period", "202611", "--batches", "2");
        assertThat(generated.status()).as(generated.err()).isZero();
        assertThat(dir.resolve("bodies").resolve("T202611P29-0001.json")).exists();
        assertThat(dir.resolve("bodies").resolve("T202611P29-0002.json")).exists();
        Run audit = cli("treasury", "audit", "--treasury-dir", dir.resolve("t").toString());
        assertThat(audit.status()).isEqualTo(1);
        assertThat(audit.out()).contains("FAILED", "MISSING_RESULT");
    }

    /**
     * A {@code run} world in this process, with fresh gateway keys; on close its standard input ends
     * and it must exit 0.
     */
    private final class RunningWorld implements AutoCloseable {
        final Sm2KeyPair gateway = Sm2.generateKeyPair();
        // own threads: the common pool may have a single worker on a small machine
        final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final Path worldFile;
        final JsonNode json;
        private final PipedOutputStream stdin = new PipedOutputStream();
        private final InputStream originalIn = System.in;
        private CompletableFuture<Integer> running;

        RunningWorld(String... extra) throws Exception {
            Path gatewayPem = Files.writeString(dir.resolve("gateway-public.pem"), gateway.publicKey().toPem());
            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            ec.initialize(new ECGenParameterSpec("secp256r1"));
            Path sshPub = Files.writeString(dir.resolve("gateway-ssh.pub"), PublicKeyEntry.toString(ec.generateKeyPair().getPublic()) + "\n");
            Path dataKey = Files.writeString(dir.resolve("lyb-data-key.hex"), "0123456789abcdeffedcba9876543210\n");
            Path world = dir.resolve("world");
            List<String> args = new java.util.ArrayList<>(List.of("run", "--dir", world.toString(), "--gateway-public-key",
                    gatewayPem.toString(), "--gateway-ssh-public-key", sshPub.toString(), "--lyb-data-key-file", dataKey.toString(),
                    "--persons", "20000", "--seed", "3"));
            args.addAll(List.of(extra));
            System.setIn(new PipedInputStream(stdin));
            CountDownLatch ready = new CountDownLatch(1);
            PrintStream watched = new PrintStream(new OutputStream() {
                @Override
                public void write(int b) {
                    out.write(b);
                    // a whole line: the writer may hand the bytes over in pieces
                    if (out.toString(StandardCharsets.UTF_8).matches("(?s).*READY \\S+\\R.*")) {
                        ready.countDown();
                    }
                }
            }, true, StandardCharsets.UTF_8);
            try {
                running = CompletableFuture.supplyAsync(() -> SimulatorsMain.run(watched, System.err, args.toArray(String[]::new)),
                        threads);
                assertThat(ready.await(60, TimeUnit.SECONDS)).as("READY within a minute; output: %s", out).isTrue();
                worldFile = world.resolve("world.json").toAbsolutePath();
                json = JSON.readTree(Files.readString(worldFile));
            } catch (Exception | AssertionError e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() throws Exception {
            stdin.close();
            try {
                if (running != null) {
                    assertThat(running.get(30, TimeUnit.SECONDS)).isZero();
                }
            } finally {
                System.setIn(originalIn);
                threads.close();
            }
        }
    }

    /**
     * A whole world, and the load driver against it, with this test playing the gateway: it opens
     * each batch file from the inbox with the gateway's key and posts every item as paid.
     */
    @Test
    void run_writesTheWorld_andLoadSeesEveryResult() throws Exception {
        try (RunningWorld world = new RunningWorld()) {
            Path worldFile = world.worldFile;
            JsonNode worldJson = world.json;
            assertThat(world.out.toString(StandardCharsets.UTF_8)).contains("READY " + worldFile);
            assertThat(worldJson.at("/treasury/clientId").asString()).isEqualTo("treasury-demo");
            assertThat(Path.of(worldJson.at("/treasury/privateKey").asString())).exists();
            assertThat(worldJson.at("/treasury/callbackUrl").asString()).startsWith("http://127.0.0.1:").endsWith("/callbacks");
            assertThat(worldJson.at("/feeds/cardRegistry").asString()).endsWith("feeds/card-registry.csv");
            assertThat(worldJson.get("banks")).hasSize(2);
            for (JsonNode bank : worldJson.get("banks")) {
                assertThat(bank.get("code").asString()).isIn("LYB", "ABC");
                assertThat(Files.readString(Path.of(bank.get("hostPublicKey").asString()))).startsWith("ecdsa-sha2-nistp256 ");
                assertThat(Path.of(bank.get("signingPublicKey").asString())).exists();
                assertThat(Path.of(bank.get("root").asString())).isDirectory();
                try (Socket socket = new Socket("127.0.0.1", bank.get("sftpPort").asInt())) {
                    assertThat(socket.isConnected()).isTrue();
                }
            }
            assertThat(worldJson.at("/banks/0/unitNumber").asString()).isEqualTo("4103000001");
            assertThat(worldJson.get("isoBanks")).as("no MAC key, no ISO 8583 bank").isEmpty();
            assertThat(worldJson.at("/population/banks")).hasSize(2);

            Path inbox = Files.createDirectories(dir.resolve("inbox"));
            Sm2PublicKey treasuryKey = Sm2PublicKey.fromPem(Files.readString(Path.of(worldJson.at("/treasury/publicKey").asString())));
            CompletableFuture<Void> fakeGateway = CompletableFuture.runAsync(() -> playGateway(inbox, world.gateway, treasuryKey, 3),
                    world.threads);
            Run load = cli("load", "--world", worldFile.toString(), "--inbox", inbox.toString(), "--items", "250",
                    "--batch-items", "100", "--bad-share", "0", "--period", "202611", "--timeout", "60s", "--poll", "100ms");
            fakeGateway.get(60, TimeUnit.SECONDS);
            assertThat(load.status()).as(load.out() + load.err()).isZero();
            assertThat(load.out()).contains("generated 250 items in 3 batches", "first result after", "Treasury audit: PASSED");

            Run audit = cli("treasury", "audit", "--url", worldJson.at("/treasury/controlUrl").asString());
            assertThat(audit.status()).as(audit.out()).isZero();
        }
    }

    /**
     * Given the MAC key the gateway made, the world runs an ISO 8583 bank under BINs of its own, with
     * a share of the population's cards: this test pays one of them over the line and finds the
     * payment in the bank's ledger through the world's control port.
     */
    @Test
    void run_withAnIsoBankMacKey_startsTheIsoBank_andDescribesItInTheWorld() throws Exception {
        String macKeyHex = "00112233445566778899AABBCCDDEEFF"; // test-only
        Path macKeyFile = Files.writeString(dir.resolve("iso-mac-key.hex"), macKeyHex + "\n");
        try (RunningWorld world = new RunningWorld("--iso-bank-mac-key-file", macKeyFile.toString())) {
            JsonNode bank = world.json.at("/isoBanks/0");
            assertThat(world.json.get("isoBanks")).hasSize(1);
            assertThat(bank.get("code").asString()).isEqualTo("HNNX");
            assertThat(bank.get("bins")).extracting(JsonNode::asString).containsExactly("623059", "621585");
            assertThat(bank.get("cardDigits").asInt()).isEqualTo(19);
            assertThat(bank.get("dialect").asString()).isEqualTo("agent-bcd");
            assertThat(bank.get("host").asString()).isEqualTo("127.0.0.1");
            SymmetricKey macKey = SymmetricKey.fromHex(KeyAlgorithm.SM4, macKeyHex);
            assertThat(bank.get("macKeyCheckValue").asString()).isEqualTo(HexFormat.of().withUpperCase().formatHex(macKey.checkValue()));
            assertThat(Files.readString(world.worldFile)).as("world.json holds no key").doesNotContainIgnoringCase(macKeyHex);
            assertThat(world.json.at("/population/banks").toString()).contains("HNNX:623059,621585:19");
            assertThat(world.json.get("banks")).as("the file banks as before").hasSize(2);

            // a card of the bank's own, in good standing, from the accounts it was started with
            List<String> accounts = Files.readAllLines(Path.of(bank.get("accounts").asString()));
            assertThat(accounts.size()).as("a share of 20,000 people").isGreaterThan(1_000);
            String card = accounts.stream().skip(1).map(line -> line.split(",")).filter(fields -> fields[3].equals("NORMAL"))
                    .map(fields -> fields[0]).findFirst().orElseThrow();
            assertThat(card).startsWith("62").hasSize(19);
            assertThat(List.of("623059", "621585")).contains(card.substring(0, 6));

            Dialect bcd = Dialects.builtIn().get("agent-bcd");
            try (IsoClient client = IsoClient.start(new IsoClient.Config(bcd, new InetSocketAddress("127.0.0.1", bank.get("port").asInt()))
                    .macKeys(MacKeys.single(macKey)).echoInterval(Duration.ZERO))) {
                assertThat(client.awaitConnected(Duration.ofSeconds(10))).isTrue();
                IsoMessage credit = bcd.newMessage("credit").set(11, "000001").set(41, "TERM0001").set(2, card).set(103, card)
                        .set(4, "000000012345").set(37, ReferenceCodec.toRrn("OC000000000000000042"));
                ExchangeOutcome outcome = client.send(credit).orTimeout(10, TimeUnit.SECONDS).join();
                assertThat(outcome).isInstanceOf(ExchangeOutcome.Answered.class);
                assertThat(((ExchangeOutcome.Answered) outcome).response().get(39)).isEqualTo("00");
            }

            HttpResponse<String> ledger = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(world.json.at("/treasury/controlUrl").asString() + "/banks/HNNX/ledger")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ledger.statusCode()).isEqualTo(200);
            assertThat(ledger.body()).doesNotContain(card);
            JsonNode book = JSON.readTree(ledger.body());
            assertThat(book.at("/payments/0/reference").asString()).isEqualTo("OC000000000000000042");
            assertThat(book.get("paidSumFen").asLong()).isEqualTo(12_345);
            assertThat(Path.of(bank.get("ledger").asString())).exists();
        }
    }

    /**
     * Asked for one, the world runs an HTTP bank under BINs of its own, with a share of the
     * population's cards: this test, pinning the certificate and trusting the bank key that
     * world.json names, pays one of them with a request signed by the gateway's key and finds the
     * payment in the bank's ledger through the world's control port.
     */
    @Test
    void run_withAnHttpBank_startsIt_andDescribesItInTheWorld() throws Exception {
        try (RunningWorld world = new RunningWorld("--http-bank")) {
            JsonNode bank = world.json.at("/httpBanks/0");
            assertThat(world.json.get("httpBanks")).hasSize(1);
            assertThat(world.json.get("isoBanks")).isEmpty();
            assertThat(bank.get("code").asString()).isEqualTo("ZYB");
            assertThat(bank.get("bins")).extracting(JsonNode::asString).containsExactly("623138", "621389");
            assertThat(bank.get("baseUri").asString()).isEqualTo("https://127.0.0.1:" + bank.get("port").asInt() + "/openapi");
            assertThat(bank.get("appId").asString()).isEqualTo("onecard-gateway");
            assertThat(Sm2PublicKey.fromPem(Files.readString(Path.of(bank.get("gatewayPublicKey").asString()))))
                    .isEqualTo(world.gateway.publicKey());
            assertThat(world.json.at("/population/banks").toString()).contains("ZYB:623138,621389:19");
            List<String> accounts = Files.readAllLines(Path.of(bank.get("accounts").asString()));
            String[] holder = accounts.stream().skip(1).map(line -> line.split(",")).filter(fields -> fields[3].equals("NORMAL"))
                    .findFirst().orElseThrow();

            X509Certificate pinned = SignedClient.certificate(Path.of(bank.get("certificate").asString()));
            Sm2PublicKey bankKey = Sm2PublicKey.fromPem(Files.readString(Path.of(bank.get("signingPublicKey").asString())));
            SignedClient client = new SignedClient(URI.create(bank.get("baseUri").asString()), pinned, bankKey, Duration.ofSeconds(10));
            try {
                String credit = "{\"reference\": \"OC000000000000000042\", \"payerAccount\": \"4103000001\", \"cardNumber\": \""
                        + holder[0] + "\", \"holderName\": \"" + holder[1] + "\", \"amount\": 12345, \"currency\": \"CNY\"}";
                SignedClient.Reply paid = client.post("/v1/credits", credit, world.gateway.privateKey(), "onecard-gateway",
                        System.currentTimeMillis(), client.nonce());
                assertThat(paid.code()).isEqualTo("SUCCESS");
                assertThat(paid.verified()).as("signed by the bank key world.json names").isTrue();
            } finally {
                client.close();
            }

            HttpResponse<String> ledger = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(world.json.at("/treasury/controlUrl").asString() + "/banks/ZYB/ledger")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ledger.statusCode()).isEqualTo(200);
            assertThat(ledger.body()).doesNotContain(holder[0]);
            JsonNode book = JSON.readTree(ledger.body());
            assertThat(book.at("/payments/0/reference").asString()).isEqualTo("OC000000000000000042");
            assertThat(book.get("paidSumFen").asLong()).isEqualTo(12_345);
        }
    }

    /** Takes {@code batches} batch files from the inbox and reports every item PAID, signed by the gateway's key. */
    private static void playGateway(Path inbox, Sm2KeyPair gateway, Sm2PublicKey treasury, int batches) {
        try {
            HttpClient http = HttpClient.newHttpClient();
            Set<Path> taken = new HashSet<>();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (taken.size() < batches && Instant.now().isBefore(deadline)) {
                List<Path> files;
                try (Stream<Path> listing = Files.list(inbox)) {
                    files = listing.filter(file -> file.getFileName().toString().endsWith(".ocev")).filter(file -> !taken.contains(file)).toList();
                }
                for (Path file : files) {
                    taken.add(file);
                    byte[] content = new EnvelopeOpener().open(Files.readAllBytes(file), gateway.privateKey(), treasury).content();
                    List<String> lines = new String(content, StandardCharsets.UTF_8).lines().toList();
                    JsonNode header = JSON.readTree(lines.getFirst());
                    ObjectNode results = JSON.createObjectNode();
                    results.put("type", "RESULTS");
                    results.put("batchId", header.get("batchId").asString());
                    results.put("sequence", 1);
                    ArrayNode items = results.putArray("items");
                    long total = 0;
                    for (String line : lines.subList(1, lines.size())) {
                        JsonNode item = JSON.readTree(line);
                        ObjectNode result = items.addObject();
                        result.put("itemId", item.get("itemId").asString());
                        result.put("state", "PAID");
                        result.put("code", "PAID");
                        result.put("amountFen", item.get("amountFen").asLong());
                        total += item.get("amountFen").asLong();
                    }
                    ObjectNode summary = JSON.createObjectNode();
                    summary.put("type", "SUMMARY");
                    summary.put("batchId", header.get("batchId").asString());
                    summary.put("sequence", 2);
                    summary.put("complete", true);
                    summary.put("itemCount", lines.size() - 1);
                    summary.put("totalAmountFen", total);
                    ObjectNode paid = JSON.createObjectNode();
                    paid.put("count", lines.size() - 1);
                    paid.put("amountFen", total);
                    summary.putObject("byState").set("PAID", paid);
                    summary.putObject("byCode").set("PAID", paid.deepCopy());
                    for (ObjectNode body : List.of(results, summary)) {
                        post(http, header.get("callbackUrl").asString(), body, gateway);
                    }
                }
                if (files.isEmpty()) {
                    TimeUnit.MILLISECONDS.sleep(20); // polling a directory: the inbox has no notification to wait on
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void post(HttpClient http, String url, ObjectNode body, Sm2KeyPair gateway) throws Exception {
        byte[] bytes = JSON.writeValueAsBytes(body);
        String timestamp = Long.toString(System.currentTimeMillis());
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8)).substring(0, 24);
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.write((timestamp + "\n" + nonce + "\n").getBytes(StandardCharsets.UTF_8));
        message.write(bytes);
        byte[] signed = message.toByteArray();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("X-OneCard-Client", "onecard-gateway").header("X-OneCard-Timestamp", timestamp)
                .header("X-OneCard-Nonce", nonce)
                .header("X-OneCard-Signature", Base64.getEncoder().encodeToString(gateway.privateKey().sign(signed)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("treasury answered " + response.statusCode() + ": " + response.body());
        }
    }
}
