package cn.onecard.gateway.cli;

import cn.onecard.gateway.GatewayApplication;
import cn.onecard.gateway.demo.WorldKeys;
import cn.onecard.gateway.demo.WorldSettings;
import cn.onecard.gateway.intake.BatchQueries;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The main job, end to end: the simulators (a treasury, two file banks over SFTP, an ISO 8583 bank
 * and an HTTP bank) start in their own process, the gateway starts with an embedded PostgreSQL
 * configured from the simulated world, the treasury submits a signed batch, the gateway pays it
 * through the four banks and reports every result back, and the summary is printed with each bank's
 * share, checked against each bank's own books. The gateway stays up until Ctrl-C ({@code --exit} stops).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Pay a demo batch end to end: embedded PostgreSQL, the gateway, a treasury and four banks "
                + "(two file banks, an ISO 8583 bank, an HTTP bank).",
                "The last line printed is one JSON object with the batch's counts and sums in fen by final state."})
final class DemoCommand implements Callable<Integer> {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final CliContext context;

    @Option(names = "--items", defaultValue = "10000", paramLabel = "N", description = "items in the demo batch (default: ${DEFAULT-VALUE})")
    int items;

    @Option(names = "--dir", defaultValue = "data/demo", paramLabel = "DIR",
            description = "the demo's world, keys and database; emptied first (default: ${DEFAULT-VALUE})")
    Path directory;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "the gateway's HTTP port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--exit", description = "stop when the batch is done instead of serving until Ctrl-C")
    boolean exit;

    @Option(names = "--bad-share", defaultValue = "0.05", paramLabel = "X",
            description = "share of items the treasury makes bad or suspicious (default: ${DEFAULT-VALUE})")
    double badShare;

    @Option(names = "--seed", defaultValue = "20261123", paramLabel = "N", description = "the world's seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--load-items", defaultValue = "0", paramLabel = "N",
            description = "instead of one API batch, the load run: N items as sealed batch files through the inbox, "
                    + "timed end to end, with the gateway's intake rate, peak heap and a bare COPY baseline")
    int loadItems;

    @Option(names = "--batch-items", defaultValue = "100000", paramLabel = "N",
            description = "items per batch file in the load run (default: ${DEFAULT-VALUE})")
    int batchItems;

    @Option(names = "--file-banks-only", description = "only the two file banks, as before online banks; the load run "
            + "(--load-items) always runs so, the way its figures since issue 10 were taken")
    boolean fileBanksOnly;

    @Option(names = "--simulators-jar", paramLabel = "JAR", description = "the simulators' executable "
            + "(default: $ONECARD_HOME/simulators/target/onecard-simulators.jar)")
    Path simulatorsJar;

    private PrintStream out;

    DemoCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        out = context.out();
        fileBanksOnly |= loadItems > 0;
        // the demo prints its own story; the gateway's log goes to a file
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Path root = directory.toAbsolutePath();
        wipe(root);
        Path gatewayDir = Files.createDirectories(root.resolve("gateway"));
        Path keys = Files.createDirectories(gatewayDir.resolve("keys"));
        Path worldDir = Files.createDirectories(root.resolve("world"));
        step("Keys: the gateway's SM2 key, its SSH key, a master key and LYB's SM4 data key (wrapped under it)");
        WorldKeys gatewayKeys = WorldKeys.make(keys, "onecard-gateway");

        step("Simulators: a treasury and two file banks (LYB: delimited GBK yuan + SM4/SM2; ABC: fixed-width UTF-8 fen + envelope)"
                + (fileBanksOnly ? "" : ", an ISO 8583 bank (HNNX: agent-bcd, SM4 MAC) and an HTTP bank (ZYB: SM2-signed JSON "
                        + "over pinned TLS)"));
        Process world = startWorld(worldDir, gatewayKeys);
        ConfigurableApplicationContext gateway = null;
        try {
            Path worldFile = awaitReady(world);
            JsonNode worldJson = JSON.readTree(worldFile.toFile());
            Path feeds = Files.createDirectories(gatewayDir.resolve("feeds"));
            Files.copy(Path.of(worldJson.at("/feeds/cardRegistry").asString()), feeds.resolve("card-registry.csv"),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.copy(Path.of(worldJson.at("/feeds/blockedPersons").asString()), feeds.resolve("blocked-persons.csv"),
                    StandardCopyOption.REPLACE_EXISTING);

            step("Gateway: embedded PostgreSQL in " + gatewayDir.resolve("postgres") + ", HTTP on port " + port);
            gateway = GatewayApplication.start(gatewayArguments(gatewayDir, gatewayKeys, worldJson).toArray(String[]::new));
            JdbcTemplate jdbc = gateway.getBean(JdbcTemplate.class);
            awaitCondition(Duration.ofMinutes(2), () -> jdbc.queryForObject("select count(*) from feed_loads", Integer.class) == 2);
            out.printf("  screening feeds loaded: %,d cards in the registry, %,d blocked persons%n",
                    jdbc.queryForObject("select count(*) from card_registry", Long.class),
                    jdbc.queryForObject("select count(*) from blocked_persons", Long.class));

            if (loadItems > 0) {
                return loadRun(gateway, worldFile, gatewayDir);
            }
            step("Treasury: generates and submits a signed batch of " + String.format("%,d", items) + " items (POST /api/v1/batches)");
            String controlUrl = worldJson.at("/treasury/controlUrl").asString();
            JsonNode submitted = submit(controlUrl);
            String batchId = submitted.get("batchId").asString();
            out.printf("  batch %s: %,d items, %s yuan, gateway answered %s%n", batchId, submitted.get("itemCount").asLong(),
                    yuan(submitted.get("totalAmountFen").asLong()), submitted.path("httpStatus").asString("?"));
            if (!submitted.path("handedOver").asBoolean(false)) {
                throw new CliInputException("the gateway did not take the demo batch: " + submitted.path("answer"));
            }

            step(fileBanksOnly ? "Paying: files to both banks over SFTP, results back, callbacks to the treasury"
                    : "Paying: files to the file banks over SFTP, each online bank's items verified and credited one by one, "
                            + "results back, callbacks to the treasury");
            BatchQueries queries = gateway.getBean(BatchQueries.class);
            String clientId = worldJson.at("/treasury/clientId").asString();
            Instant started = Instant.now();
            awaitDone(jdbc, queries, clientId, batchId);
            Duration took = Duration.between(started, Instant.now());

            Map<String, Object> batch = queries.batch(clientId, batchId);
            JsonNode audit = report(controlUrl, batchId);
            List<BankShare> shares = bankShares(jdbc, worldJson, controlUrl, batchId);
            printSummary(batchId, batch, took, audit);
            printShares(shares);
            out.println(summaryJson(batchId, batch, audit, shares));
            if (!exit) {
                out.println("The gateway is up: Ctrl-C to stop.");
                CountDownLatch forever = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
                forever.await();
            }
            return audit.path("passed").asBoolean(false) && shares.stream().allMatch(BankShare::booksAgree) ? ExitCode.OK
                    : ExitCode.VERIFICATION_FAILED;
        } finally {
            if (gateway != null) {
                gateway.close();
            }
            world.getOutputStream().close();
            if (!world.waitFor(10, TimeUnit.SECONDS)) {
                world.destroy();
            }
        }
    }

    private Process startWorld(Path worldDir, WorldKeys keys) throws IOException {
        Path jar = simulatorsJarPath();
        if (!Files.isRegularFile(jar)) {
            throw new CliInputException("the simulators' executable is missing: " + jar
                    + " (./onecard demo builds it; or pass --simulators-jar)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-jar", jar.toString(), "run", "--dir",
                worldDir.toString(), "--gateway-public-key", keys.sm2Public().toString(), "--gateway-ssh-public-key",
                keys.sshPublic().toString(), "--lyb-data-key-file", keys.lybDataKeyForBank().toString(), "--seed",
                Long.toString(seed), "--persons", Integer.toString(loadItems > 0 ? Math.max(30_000, batchItems * 13 / 10)
                        : Math.max(30_000, items * 3))));
        if (!fileBanksOnly) {
            command.addAll(List.of("--iso-bank-mac-key-file", keys.isoMacKeyForBank().toString(), "--http-bank"));
        }
        return new ProcessBuilder(command).redirectError(worldDir.resolve("simulators.log").toFile()).start();
    }

    private static Path awaitReady(Process world) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(world.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = lines.readLine()) != null; ) {
            if (line.startsWith("READY ")) {
                return Path.of(line.substring("READY ".length()).strip());
            }
        }
        throw new CliInputException("the simulators stopped before they were ready (see their log)");
    }

    private List<String> gatewayArguments(Path gatewayDir, WorldKeys keys, JsonNode world) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("server.port", Integer.toString(port));
        properties.put("logging.file.name", gatewayDir.resolve("gateway.log").toString());
        properties.put("logging.threshold.console", "WARN");
        properties.putAll(WorldSettings.gatewayProperties(world, keys, gatewayDir));
        properties.put("onecard.dispatch.cycle-period", "300ms");
        properties.put("onecard.callback.period", "200ms");
        for (String code : WorldSettings.bankCodes(world)) {
            properties.put("onecard.banks." + code + ".dispatch-items-max",
                    Integer.toString(loadItems > 0 ? 50_000 : Math.max(1_000, items / 4)));
            properties.put("onecard.banks." + code + ".result-deadline", "2m");
        }
        List<String> args = new ArrayList<>();
        properties.forEach((name, value) -> args.add("--" + name + "=" + value));
        return args;
    }

    private JsonNode submit(String controlUrl) throws IOException, InterruptedException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("items", items);
        request.put("mode", "api");
        request.put("apiUrl", "http://127.0.0.1:" + port);
        request.put("programme", "P29");
        request.put("period", java.time.YearMonth.now(java.time.ZoneId.of("Asia/Shanghai")).format(
                java.time.format.DateTimeFormatter.ofPattern("yyyyMM")));
        request.put("seed", seed);
        request.put("badShare", badShare);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(controlUrl + "/batches/generate-and-submit"))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(10))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new CliInputException("the treasury could not submit the batch: HTTP " + response.statusCode() + " "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static JsonNode report(String controlUrl, String batchId) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(controlUrl + "/report?batches=" + batchId)).timeout(Duration.ofMinutes(1)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** Done when nothing of the batch is in flight and every callback of it is acknowledged. */
    private void awaitDone(JdbcTemplate jdbc, BatchQueries queries, String clientId, String batchId) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(30));
        while (true) {
            Map<String, Object> batch = queries.batch(clientId, batchId);
            @SuppressWarnings("unchecked")
            Map<String, Object> progress = (Map<String, Object>) batch.get("progress");
            long settled = ((Number) progress.get("settled")).longValue();
            long total = ((Number) progress.get("total")).longValue();
            Integer pending = jdbc.queryForObject("select count(*) from callback_outbox o join batches b using (batch_pk) "
                    + "where b.batch_id = ? and o.delivered_at is null", Integer.class, batchId);
            progressBar(settled, total, pending);
            if (settled == total && pending == 0 && !"IN_PROGRESS".equals(batch.get("state"))) {
                context.err().println();
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new CliInputException("the batch did not finish in 30 minutes");
            }
            Thread.sleep(250);
        }
    }

    private void progressBar(long settled, long total, int callbacksPending) {
        int width = 40;
        int filled = total == 0 ? 0 : (int) (settled * width / total);
        context.err().printf("\r  [%s%s] %,d / %,d settled, %d callbacks to deliver   ", "#".repeat(filled),
                ".".repeat(width - filled), settled, total, callbacksPending);
        context.err().flush();
    }

    @SuppressWarnings("unchecked")
    private void printSummary(String batchId, Map<String, Object> batch, Duration took, JsonNode audit) {
        step("Summary of batch " + batchId + " (" + batch.get("state") + ", settled in " + took.toMillis() / 1000.0 + " s)");
        out.printf("  %-30s %10s %16s%n", "by state", "items", "yuan");
        ((Map<String, Map<String, Long>>) batch.get("byState")).forEach((state, sums) ->
                out.printf("  %-30s %,10d %16s%n", state, sums.get("count"), yuan(sums.get("amountFen"))));
        out.printf("  %-30s %10s %16s%n", "by code", "items", "yuan");
        ((Map<String, Map<String, Long>>) batch.get("byCode")).forEach((code, sums) ->
                out.printf("  %-30s %,10d %16s%n", code, sums.get("count"), yuan(sums.get("amountFen"))));
        out.println("  treasury's own audit of the callbacks: " + (audit.path("passed").asBoolean(false) ? "PASSED" : "FAILED")
                + (audit.path("issues").isEmpty() ? "" : " " + audit.get("issues")));
        out.println("Explore (requests are SM2-signed; the simulators' treasury key is in " + directory + "/world/treasury):");
        out.println("  GET http://127.0.0.1:" + port + "/api/v1/batches/" + batchId);
        out.println("  GET http://127.0.0.1:" + port + "/api/v1/batches/" + batchId + "/items?state=REJECTED");
        out.println("  GET http://127.0.0.1:" + port + "/api/v1/batches/" + batchId + "/result-file");
        out.println("  bank folders: " + directory + "/world/banks/{LYB,ABC}/sftp   inbox: " + directory + "/gateway/inbox");
    }

    @SuppressWarnings("unchecked")
    private static String summaryJson(String batchId, Map<String, Object> batch, JsonNode audit, List<BankShare> shares) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("batchId", batchId);
        line.put("state", batch.get("state"));
        line.put("itemCount", batch.get("itemCount"));
        line.put("totalAmountFen", batch.get("totalAmountFen"));
        Map<String, Object> byState = new LinkedHashMap<>();
        ((Map<String, Map<String, Long>>) batch.get("byState")).forEach((state, sums) ->
                byState.put(state, Map.of("count", sums.get("count"), "amountFen", sums.get("amountFen"))));
        line.put("byState", byState);
        line.put("auditPassed", audit.path("passed").asBoolean(false));
        List<Map<String, Object>> banks = new ArrayList<>();
        for (BankShare share : shares) {
            Map<String, Object> bank = new LinkedHashMap<>();
            bank.put("bank", share.code());
            bank.put("kind", share.kind());
            bank.put("items", share.items());
            bank.put("paidCount", share.paidCount());
            bank.put("paidFen", share.paidFen());
            bank.put("booksAgree", share.booksAgree());
            banks.add(bank);
        }
        line.put("banks", banks);
        return JSON.writeValueAsString(line);
    }

    /** The load run: the simulators' own load driver against this gateway, then the gateway's figures. */
    private int loadRun(ConfigurableApplicationContext gateway, Path worldFile, Path gatewayDir) throws Exception {
        step("Load: " + String.format("%,d", loadItems) + " items in batch files of " + String.format("%,d", batchItems)
                + " through the inbox to both banks, until the treasury has every result");
        java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        java.util.concurrent.atomic.AtomicLong peakHeap = new java.util.concurrent.atomic.AtomicLong();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Path jar = simulatorsJarPath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process load = new ProcessBuilder(java, "-Xmx1g", "-jar", jar.toString(), "load", "--world", worldFile.toString(),
                "--inbox", gatewayDir.resolve("inbox").toString(), "--items", Integer.toString(loadItems),
                "--batch-items", Integer.toString(batchItems), "--timeout", "60m")
                .redirectErrorStream(false).redirectError(worldFile.resolveSibling("load.log").toFile()).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(load.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                out.println("  load | " + line);
            }
        }
        int loadExit = load.waitFor();
        sampler.interrupt();
        cn.onecard.gateway.intake.IntakeStats stats = gateway.getBean(cn.onecard.gateway.intake.IntakeStats.class);
        double busySeconds = stats.busyNanos() / 1e9;
        double spanSeconds = stats.spanNanos() / 1e9;
        long copyRowsPerSecond = copyBaseline(gateway.getBean(javax.sql.DataSource.class), stats.items(), gatewayDir);
        step("Gateway figures");
        out.printf("  intake + validation: %,d items in %d batches, %.1f s inside intakes: %,.0f items/s per intake; "
                + "%.1f s from the first start to the last commit: %,.0f items/s%n", stats.items(), stats.batches(),
                busySeconds, stats.items() / Math.max(busySeconds, 1e-9), spanSeconds, stats.items() / Math.max(spanSeconds, 1e-9));
        out.printf("  bare PostgreSQL COPY of the same rows into an unindexed table: %,d rows/s; intake is %.2f of it%n",
                copyRowsPerSecond, stats.items() / Math.max(spanSeconds, 1e-9) / copyRowsPerSecond);
        out.printf("  gateway heap: peak %,d MiB used (max %,d MiB)%n", peakHeap.get() >> 20,
                memory.getHeapMemoryUsage().getMax() >> 20);
        return loadExit == 0 ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
    }

    /** Rows per second of a plain COPY of the load's items into a new table without indexes, durable. */
    private static long copyBaseline(javax.sql.DataSource dataSource, long rows, Path dir) throws Exception {
        Path file = dir.resolve("copy-baseline.tsv");
        try (java.sql.Connection connection = dataSource.getConnection()) {
            org.postgresql.copy.CopyManager copy = connection.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
            try (OutputStream outFile = Files.newOutputStream(file)) {
                copy.copyOut("copy (select * from items order by batch_pk, seq limit " + rows + ") to stdout", outFile);
            }
            try (java.sql.Statement statement = connection.createStatement()) {
                statement.execute("drop table if exists copy_baseline");
                statement.execute("create table copy_baseline (like items)");
            }
            connection.setAutoCommit(false);
            long start = System.nanoTime();
            try (java.io.InputStream in = Files.newInputStream(file)) {
                copy.copyIn("copy copy_baseline from stdin", in);
            }
            connection.commit();
            long nanos = System.nanoTime() - start;
            connection.setAutoCommit(true);
            try (java.sql.Statement statement = connection.createStatement()) {
                statement.execute("drop table copy_baseline");
            }
            return (long) (rows / (nanos / 1e9));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private Path simulatorsJarPath() {
        return simulatorsJar != null ? simulatorsJar : Path.of(System.getenv().getOrDefault("ONECARD_HOME", "."))
                .resolve("simulators/target/onecard-simulators.jar");
    }

    /**
     * One bank's share of the batch as the gateway's ledger has it, and what the bank's own books say
     * it paid (the simulator's ledger, through the world's control port): the books agree when the bank
     * paid the same items and fen the gateway holds paid, none of them twice.
     */
    record BankShare(String code, String kind, long items, long paidCount, long paidFen, long booksPaidCount,
            long booksPaidFen, long booksPaidTwice) {

        boolean booksAgree() {
            return booksPaidCount == paidCount && booksPaidFen == paidFen && booksPaidTwice == 0;
        }
    }

    private static List<BankShare> bankShares(JdbcTemplate jdbc, JsonNode world, String controlUrl, String batchId)
            throws IOException, InterruptedException {
        Map<String, String> kinds = new LinkedHashMap<>();
        world.path("banks").forEach(bank -> kinds.put(bank.get("code").asString(), "file"));
        world.path("isoBanks").forEach(bank -> kinds.put(bank.get("code").asString(), "iso8583"));
        world.path("httpBanks").forEach(bank -> kinds.put(bank.get("code").asString(), "http"));
        List<BankShare> shares = new ArrayList<>();
        for (Map.Entry<String, String> bank : kinds.entrySet()) {
            Map<String, Object> mine = jdbc.queryForMap("select count(*) as items, count(*) filter (where i.state = 'PAID') as paid, "
                    + "coalesce(sum(i.amount_fen) filter (where i.state = 'PAID'), 0) as paid_fen from items i "
                    + "join batches b using (batch_pk) where b.batch_id = ? and i.bank_code = ?", batchId, bank.getKey());
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(controlUrl + "/banks/" + bank.getKey() + "/ledger")).timeout(Duration.ofMinutes(1)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode books = JSON.readTree(response.body());
            // an online bank's books keep reversals apart: what stands paid is paid less reversed
            long booksCount = books.path("paidCount").asLong() - books.path("reversedCount").asLong(0);
            long booksFen = books.has("standingSumFen") ? books.get("standingSumFen").asLong() : books.path("paidSumFen").asLong();
            shares.add(new BankShare(bank.getKey(), bank.getValue(), ((Number) mine.get("items")).longValue(),
                    ((Number) mine.get("paid")).longValue(), ((Number) mine.get("paid_fen")).longValue(), booksCount, booksFen,
                    books.path("referencesPaidMoreThanOnce").asLong(-1)));
        }
        return shares;
    }

    private void printShares(List<BankShare> shares) {
        out.printf("  %-6s %-8s %10s %10s %16s   %s%n", "bank", "kind", "items", "paid", "paid yuan", "the bank's own books");
        for (BankShare share : shares) {
            out.printf("  %-6s %-8s %,10d %,10d %16s   %s%n", share.code(), share.kind(), share.items(), share.paidCount(),
                    yuan(share.paidFen()), share.booksAgree() ? "agree, none paid twice"
                            : String.format("DISAGREE: %,d paid, %s yuan, %d paid twice", share.booksPaidCount(),
                                    yuan(share.booksPaidFen()), share.booksPaidTwice()));
        }
    }

    private static String yuan(long fen) {
        return String.format("%,d.%02d", fen / 100, Math.abs(fen % 100));
    }

    private void step(String what) {
        out.println("== " + what);
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitCondition(Duration timeout, Condition condition) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.holds()) {
            if (Instant.now().isAfter(deadline)) {
                throw new CliInputException("timed out waiting for the gateway");
            }
            Thread.sleep(100);
        }
    }

    private static void wipe(Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        Files.createDirectories(root);
    }
}
