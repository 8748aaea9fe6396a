package cn.onecard.gateway.testing;

import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.gateway.demo.WorldKeys;
import cn.onecard.gateway.demo.WorldSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The other parties for end-to-end tests: the simulators' {@code run} (a treasury and the LYB and ABC
 * file banks over SFTP) in its own process, as in life, with the keys the gateway shares with them;
 * and gateways configured from the world's {@code world.json}. Drives the treasury and the banks
 * through the world's control port. One world per test class; {@link #close()} stops the process.
 */
public final class SimulatedWorld implements AutoCloseable {

    /** Where the simulators' executable is, when not the default {@code ../simulators/target/onecard-simulators.jar}. */
    public static final String JAR_PROPERTY = "onecard.simulators.jar";
    /** The simulators' JVM options, space-separated. */
    public static final String JVM_OPTIONS_PROPERTY = "onecard.simulators.jvm-options";
    public static final Duration RESULT_DEADLINE = Duration.ofSeconds(3);
    public static final List<String> BANKS = List.of("LYB", "ABC");
    /** The online banks of a world started with them: the ISO 8583 bank and the HTTP bank. */
    public static final List<String> ONLINE_BANKS = List.of("HNNX", "ZYB");
    /** How long an online bank's exchange may take before its outcome is unknown (and inquired after). */
    public static final Duration ONLINE_REQUEST_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The exact code docs/codes.md gives each kind of bad item the treasury makes, so that the
     * treasury's audit checks codes, not only plausible words.
     */
    static final String EXACT_CODES = """
            GOOD=PAID
            ID_CHECKSUM=ID_NUMBER_CHECKSUM
            ID_BIRTH_DATE=ID_NUMBER_BIRTH_DATE
            CARD_LUHN=CARD_NUMBER_LUHN
            CARD_UNKNOWN_BIN=CARD_BANK_NOT_CONTRACTED
            AMOUNT_NOT_POSITIVE=AMOUNT_NOT_POSITIVE
            AMOUNT_OVER_CAP=AMOUNT_OVER_CAP
            NOT_HOUSEHOLD_HEAD=NOT_HOUSEHOLD_HEAD
            CARD_STATE=CARD_NOT_ACTIVATED,CARD_LOST_TEMPORARY,CARD_LOST_FORMAL,CARD_CANCELLED,CARD_FROZEN
            PERSON_DECEASED=PERSON_DECEASED
            PERSON_BLOCKED=PERSON_BLOCKED
            DUPLICATE_IN_BATCH=DUPLICATE_IN_BATCH
            DUPLICATE_ACROSS_BATCHES=DUPLICATE_ACROSS_BATCHES
            BANK_ACCOUNT_STATE=BANK_ACCOUNT_CLOSED,BANK_ACCOUNT_FROZEN,BANK_CREDIT_RESTRICTED,BANK_NON_SETTLEMENT_ACCOUNT,\
            BANK_CARD_STATUS_ABNORMAL,BANK_ACCOUNT_NOT_ACTIVATED,BANK_REJECTED_OTHER
            BANK_NAME_MISMATCH=BANK_NAME_MISMATCH
            """;

    private final Path root;
    private final Process process;
    private final JsonNode world;
    private final WorldKeys keys;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<GatewayNode> gateways = new ArrayList<>();

    private SimulatedWorld(Path root, Process process, JsonNode world, WorldKeys keys) {
        this.root = root;
        this.process = process;
        this.world = world;
        this.keys = keys;
    }

    /** Starts a world of {@code persons} people drawn from {@code seed} and waits until it is ready. */
    public static SimulatedWorld start(long seed, int persons) {
        return start(seed, persons, false);
    }

    /**
     * The same; with {@code onlineBanks}, the world also runs the ISO 8583 bank HNNX and the HTTP bank
     * ZYB ({@link #ONLINE_BANKS}), which the gateway's properties then name too.
     */
    public static SimulatedWorld start(long seed, int persons, boolean onlineBanks) {
        Path jar = simulatorsJar();
        try {
            Path root = Files.createTempDirectory("onecard-e2e");
            WorldKeys keys = WorldKeys.make(root.resolve("gateway-keys"), "e2e");
            Path worldDir = Files.createDirectories(root.resolve("world"));
            Path expectedCodes = Files.writeString(root.resolve("expected-codes.properties"), EXACT_CODES);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java));
            // quick to start for tests; a load driver asks for the full compiler
            command.addAll(List.of(System.getProperty(JVM_OPTIONS_PROPERTY, "-Xmx384m -XX:TieredStopAtLevel=1").split(" ")));
            command.addAll(List.of("-jar", jar.toString(), "run", "--dir", worldDir.toString(), "--gateway-public-key", keys.sm2Public().toString(),
                    "--gateway-ssh-public-key", keys.sshPublic().toString(),
                    "--lyb-data-key-file", keys.lybDataKeyForBank().toString(), "--seed", Long.toString(seed),
                    "--persons", Integer.toString(persons), "--expected-codes", expectedCodes.toString(),
                    "--bank-poll-interval", "100ms"));
            if (onlineBanks) {
                command.addAll(List.of("--iso-bank-mac-key-file", keys.isoMacKeyForBank().toString(), "--http-bank"));
            }
            Path log = root.resolve("simulators.log");
            Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
            Path worldFile;
            try {
                worldFile = awaitReady(process, log);
            } catch (RuntimeException | Error e) {
                process.destroyForcibly();
                throw e;
            }
            return new SimulatedWorld(root, process, JSON.readTree(worldFile.toFile()), keys);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the simulated world", e);
        } catch (Exception e) {
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
        }
    }

    private static Path simulatorsJar() {
        String configured = System.getProperty(JAR_PROPERTY);
        Path here = Path.of("").toAbsolutePath();
        // Maven runs the tests in gateway/; an IDE may run them at the root
        Path jar = configured != null ? Path.of(configured)
                : Files.isDirectory(here.resolve("simulators")) ? here.resolve("simulators/target/onecard-simulators.jar")
                : here.resolveSibling("simulators").resolve("target/onecard-simulators.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the simulators' executable is missing: " + jar + ". Build it first: "
                    + "./mvnw -B -o install -DskipTests -pl simulators (or pass -D" + JAR_PROPERTY + "=JAR)");
        }
        return jar;
    }

    private static Path awaitReady(Process process, Path log) throws IOException, InterruptedException {
        CompletableFuture<Path> ready = CompletableFuture.supplyAsync(() -> {
            BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            try {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith("READY ")) {
                        return Path.of(line.substring("READY ".length()).strip());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return null;
        }, runnable -> Thread.ofVirtual().start(runnable));
        Path worldFile;
        try {
            worldFile = ready.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the simulators were not ready within " + READY_TIMEOUT + "; log: " + tail(log));
        } catch (ExecutionException e) {
            throw new IllegalStateException("reading the simulators' output failed; log: " + tail(log), e.getCause());
        }
        if (worldFile == null) {
            throw new IllegalStateException("the simulators stopped before they were ready (exit "
                    + process.waitFor() + "); log: " + tail(log));
        }
        return worldFile;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    // ---- the gateway

    /** A fresh data directory for a gateway node, holding the world's screening feeds ready to load. */
    public Path newDataDir(String name) {
        try {
            Path dataDir = Files.createDirectories(root.resolve("gateway-" + name));
            Path feeds = Files.createDirectories(dataDir.resolve("feeds"));
            Files.copy(Path.of(world.at("/feeds/cardRegistry").asString()), feeds.resolve("card-registry.csv"),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.copy(Path.of(world.at("/feeds/blockedPersons").asString()), feeds.resolve("blocked-persons.csv"),
                    StandardCopyOption.REPLACE_EXISTING);
            return dataDir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The gateway's properties for this world: its keys, the treasury client, both banks over SFTP,
     * short cycles, a {@link #RESULT_DEADLINE} and one resend, so that overdue paths finish in seconds.
     * {@code overrides} replace or add properties.
     */
    Map<String, String> gatewayProperties(Path dataDir, Map<String, String> overrides) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("server.port", "0");
        properties.put("logging.file.name", dataDir.resolve("gateway.log").toString());
        properties.put("logging.threshold.console", "WARN");
        properties.putAll(WorldSettings.gatewayProperties(world, keys, dataDir));
        properties.put("onecard.dispatch.cycle-period", "200ms");
        properties.put("onecard.dispatch.retry-after", "500ms");
        properties.put("onecard.dispatch.resends-max", "1");
        properties.put("onecard.dispatch.lease-ttl", "10s");
        properties.put("onecard.callback.period", "200ms");
        properties.put("onecard.folders.poll-delay", "200ms");
        for (String code : WorldSettings.bankCodes(world)) {
            String prefix = "onecard.banks." + code + ".";
            properties.put(prefix + "dispatch-items-max", "500");
            properties.put(prefix + "result-deadline", RESULT_DEADLINE.toMillis() + "ms");
            properties.put(prefix + "transport.connect-timeout", "5s");
            properties.put(prefix + "transport.operation-timeout", "10s");
        }
        for (String kind : List.of("isoBanks", "httpBanks")) {
            String settings = kind.equals("isoBanks") ? "iso8583." : "http.";
            for (JsonNode bank : world.path(kind)) {
                String prefix = "onecard.banks." + bank.get("code").asString() + "." + settings;
                properties.put(prefix + "request-timeout", ONLINE_REQUEST_TIMEOUT.toMillis() + "ms");
                properties.put(prefix + "inquire-after", "1s");
                // a faulty bank opens its circuit; probed again soon, so that a test's batch finishes in seconds
                properties.put("onecard.banks." + bank.get("code").asString() + ".circuit.open-for", "2s");
            }
        }
        properties.putAll(overrides);
        return properties;
    }

    /** Starts a gateway on {@code dataDir} (its embedded PostgreSQL, unless the overrides name a datasource) and waits for its feeds. */
    public GatewayNode startGateway(Path dataDir, Map<String, String> overrides) {
        return startGateway(dataDir, overrides, null);
    }

    /** As {@link #startGateway(Path, Map)}, the node running on {@code clock} (null: the system's). */
    public GatewayNode startGateway(Path dataDir, Map<String, String> overrides, java.time.Clock clock) {
        GatewayNode node = GatewayNode.start(gatewayProperties(dataDir, overrides), treasuryClientId(), treasuryKey(), clock);
        gateways.add(node);
        return node;
    }

    /**
     * As {@link #startGateway(Path, Map)}, with only the banks in {@code banks} configured: items for
     * the others' cards are refused at intake (no bank for their BIN).
     */
    public GatewayNode startGatewayFor(Set<String> banks, Path dataDir, Map<String, String> overrides) {
        Map<String, String> properties = gatewayProperties(dataDir, overrides);
        properties.keySet().removeIf(key -> key.startsWith("onecard.banks.")
                && !banks.contains(key.substring("onecard.banks.".length(), key.indexOf('.', "onecard.banks.".length()))));
        GatewayNode node = GatewayNode.start(properties, treasuryClientId(), treasuryKey(), null);
        gateways.add(node);
        return node;
    }

    /** Where the world's ISO 8583 bank {@code code} listens. */
    public InetSocketAddress isoBankAddress(String code) {
        for (JsonNode bank : world.path("isoBanks")) {
            if (bank.get("code").asString().equals(code)) {
                return new InetSocketAddress(bank.get("host").asString(), bank.get("port").asInt());
            }
        }
        throw new IllegalArgumentException("no ISO 8583 bank " + code + " in this world");
    }

    /** The MAC key the world's ISO 8583 bank was given, as 32 hex digits. */
    public String isoMacKeyHex() {
        try {
            return Files.readString(keys.isoMacKeyForBank()).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The BINs of the world's bank {@code code}: its cards start with one of them. */
    public List<String> binsOf(String code) {
        for (JsonNode bank : world.get("banks")) {
            if (bank.get("code").asString().equals(code)) {
                List<String> bins = new ArrayList<>();
                bank.get("bins").forEach(bin -> bins.add(bin.asString()));
                return bins;
            }
        }
        throw new IllegalArgumentException("no bank " + code + " in this world");
    }

    public Sm2PublicKey gatewayPublicKey() {
        return keys.sm2().publicKey();
    }

    public Sm2PrivateKey gatewayPrivateKey() {
        return keys.sm2().privateKey();
    }

    public String treasuryClientId() {
        return world.at("/treasury/clientId").asString();
    }

    /** The world treasury's own SM2 key: the tests sign and seal as the real treasury does. */
    public Sm2PrivateKey treasuryKey() {
        try {
            return Sm2PrivateKey.fromPem(Files.readString(Path.of(world.at("/treasury/privateKey").asString())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Sm2PublicKey treasuryPublicKey() {
        try {
            return Sm2PublicKey.fromPem(Files.readString(Path.of(world.at("/treasury/publicKey").asString())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A bank's SFTP root on the world's side: {@code in/}, {@code out/}, {@code out/error/}. */
    public Path bankRoot(String code) {
        for (JsonNode bank : world.get("banks")) {
            if (bank.get("code").asString().equals(code)) {
                return Path.of(bank.get("root").asString());
            }
        }
        throw new IllegalArgumentException("no bank " + code);
    }

    // ---- the treasury

    /**
     * Has the treasury generate a batch and hand it over ({@code POST /batches/generate-and-submit}):
     * {@code mode} {@code api} to {@code gateway}'s API, {@code file} into its inbox.
     */
    public JsonNode submit(GatewayNode gateway, String mode, String programme, String period, int items, double badShare,
            long seed) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("items", items);
        request.put("mode", mode);
        if (mode.equals("api")) {
            request.put("apiUrl", gateway.baseUrl());
        } else {
            request.put("inboxDir", gateway.inbox().toString());
        }
        request.put("programme", programme);
        request.put("period", period);
        request.put("seed", seed);
        request.put("badShare", badShare);
        JsonNode answer = control("POST", "/batches/generate-and-submit", JSON.writeValueAsString(request), 200);
        if (!answer.path("handedOver").asBoolean(false)) {
            throw new AssertionError("the gateway did not take the treasury's batch: " + answer);
        }
        return answer;
    }

    /**
     * As {@link #submit} by API, with an exact share of each bad kind ({@code kindShares}, such as
     * {@code CARD_LUHN=0.05}; GOOD takes the rest), so that a test knows what the batch holds.
     */
    public JsonNode submit(GatewayNode gateway, String programme, String period, int items, Map<String, Double> kindShares,
            long seed) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("items", items);
        request.put("mode", "api");
        request.put("apiUrl", gateway.baseUrl());
        request.put("programme", programme);
        request.put("period", period);
        request.put("seed", seed);
        request.put("kindShares", kindShares);
        JsonNode answer = control("POST", "/batches/generate-and-submit", JSON.writeValueAsString(request), 200);
        if (!answer.path("handedOver").asBoolean(false)) {
            throw new AssertionError("the gateway did not take the treasury's batch: " + answer);
        }
        return answer;
    }

    /**
     * Has the treasury generate a batch file sealed to the gateway into {@code dir} (not an inbox the
     * gateway watches), for a test to open, spoil and hand over itself. Answers as {@link #submit}, with {@code file}.
     */
    public JsonNode generateFile(Path dir, String programme, String period, int items, double badShare, long seed) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("items", items);
        request.put("mode", "file");
        request.put("inboxDir", dir.toString());
        request.put("programme", programme);
        request.put("period", period);
        request.put("seed", seed);
        request.put("badShare", badShare);
        return control("POST", "/batches/generate-and-submit", JSON.writeValueAsString(request), 200);
    }

    /** The treasury's audit of these batches ({@code GET /report?batches=}). */
    public JsonNode report(String... batchIds) {
        return control("GET", "/report?batches=" + String.join(",", batchIds), null, 200);
    }

    /**
     * Replaces the treasury's callback receiver's faults ({@code POST /faults}: {@code downForMillis},
     * {@code dropShare}, {@code errorShare}, {@code lostAckShare}, {@code seed}; {@code {}}: none, and a
     * receiver that was down is up at once).
     */
    public JsonNode receiverFaults(String faultsJson) {
        return control("POST", "/faults", faultsJson, 200);
    }

    /** What the treasury's callback receiver has counted since the world started (its report's {@code counters}). */
    public JsonNode receiverCounters() {
        return control("GET", "/report", null, 200).get("counters");
    }

    /**
     * Every callback body of this batch the treasury filed, in the order it took them, repeats
     * included: its own journal ({@code callbacks.jsonl} in the treasury's directory).
     */
    public List<JsonNode> callbacksReceived(String batchId) {
        Path journal = Path.of(world.at("/treasury/privateKey").asString()).resolveSibling("callbacks.jsonl");
        try (Stream<String> lines = Files.lines(journal, StandardCharsets.UTF_8)) {
            return lines.filter(line -> !line.isBlank()).map(JSON::readTree).filter(line -> line.has("body"))
                    .map(line -> line.get("body")).filter(body -> body.path("batchId").asString("").equals(batchId)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- the banks

    /** Replaces a bank's faults with this JSON set ({@code {}}: none). */
    public JsonNode bankFaults(String code, String faultsJson) {
        return control("POST", "/banks/" + code + "/faults", faultsJson, 200);
    }

    public void closeBank(String code) {
        control("POST", "/banks/" + code + "/close", "", 200);
    }

    public void openBank(String code) {
        control("POST", "/banks/" + code + "/open", "", 200);
    }

    /** The bank's own ledger: {@code paidCount}, {@code paidSumFen}, {@code payments}, {@code referencesPaidMoreThanOnce}, ... */
    public JsonNode bankLedger(String code) {
        return control("GET", "/banks/" + code + "/ledger", null, 200);
    }

    /** Every bank open and without faults. */
    public void clearBankFaults() {
        BANKS.forEach(code -> bankFaults(code, "{}"));
        for (String kind : List.of("isoBanks", "httpBanks")) {
            world.path(kind).forEach(bank -> bankFaults(bank.get("code").asString(), "{}"));
        }
    }

    /** A control request; fails unless the answer has {@code expectedStatus}. */
    public JsonNode control(String method, String path, String body, int expectedStatus) {
        HttpResponse<String> response = controlRaw(method, path, body);
        if (response.statusCode() != expectedStatus) {
            throw new AssertionError(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> controlRaw(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(world.at("/treasury/controlUrl").asString() + path))
                .timeout(Duration.ofMinutes(2)).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("the world's control port did not answer " + method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every log of the world so far: the simulators' and each gateway node's. */
    public List<Path> logs() {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(path -> path.getFileName().toString().endsWith(".log")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of a batch file the treasury sealed to the gateway: the header, then one item a line. */
    public List<JsonNode> openBatchFile(Path file) {
        try {
            byte[] content = new cn.onecard.crypto.EnvelopeOpener().open(Files.readAllBytes(file), gatewayPrivateKey(),
                    treasuryPublicKey()).content();
            return new String(content, StandardCharsets.UTF_8).lines().map(JSON::readTree).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A directory of the world's for a test's own files, removed with the world. */
    public Path scratchDir() {
        try {
            return Files.createTempDirectory(root, "scratch");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops every gateway started here, then the world's process (closing its standard input, then by
     * force), and deletes the world's files but the logs ({@code simulators.log}, each gateway's
     * {@code gateway.log}), which stay for a failure's diagnosis.
     */
    @Override
    public void close() {
        for (GatewayNode gateway : gateways.reversed()) {
            gateway.close();
        }
        try {
            process.getOutputStream().close();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        deleteAllButLogs();
    }

    private void deleteAllButLogs() {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                if (Files.isDirectory(path)) {
                    try (Stream<Path> entries = Files.list(path)) {
                        if (entries.findAny().isEmpty()) {
                            Files.delete(path);
                        }
                    }
                } else if (!path.getFileName().toString().endsWith(".log")) {
                    Files.delete(path);
                }
            }
        } catch (IOException e) {
            // a leftover temporary file is no test failure
        }
    }
}
