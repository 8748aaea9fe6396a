package cn.onecard.simulators;

import cn.onecard.simulators.treasury.AuditReport;
import cn.onecard.simulators.treasury.Catalogue;
import cn.onecard.simulators.treasury.Programme;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The load driver: has a running world's treasury generate and seal every batch file first, in a
 * staging folder beside the gateway's inbox (the treasury's own work, timed apart), then drops them
 * all into the inbox at once, waits until the treasury holds every result and prints the time from
 * the drop to the first and the last result, and the audit. Generating while the gateway works
 * would measure the generator: on a small machine both would share the same cores.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Drop batches into the gateway's inbox through a running world's treasury; wait for every result; audit.")
final class LoadCommand implements Callable<Integer> {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--world", required = true, paramLabel = "FILE", description = "the world.json of a running `run`")
    Path world;

    @Option(names = "--inbox", required = true, paramLabel = "DIR", description = "the gateway's inbox directory")
    Path inbox;

    @Option(names = "--stage", paramLabel = "DIR",
            description = "where the batch files are made before the drop (default: INBOX.load-staging beside the inbox)")
    Path stage;

    @Option(names = "--items", defaultValue = "1000000", paramLabel = "N", description = "items in all (default: ${DEFAULT-VALUE})")
    long items;

    @Option(names = "--batch-items", defaultValue = "100000", paramLabel = "N", description = "items per batch (default: ${DEFAULT-VALUE})")
    int batchItems;

    @Option(names = "--period", paramLabel = "yyyyMM", description = "period of every batch (default: this month)")
    String period;

    @Option(names = "--programmes", split = ",", paramLabel = "CODE",
            description = "programmes to rotate over, one per batch (default: the per-person programmes of the catalogue)")
    List<String> programmes;

    @Option(names = "--bad-share", defaultValue = "0.05", paramLabel = "SHARE", description = "share of bad items (default: ${DEFAULT-VALUE})")
    double badShare;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "seed of batch 1; batch n uses N+n-1 (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--timeout", defaultValue = "60m", converter = Serving.DurationConverter.class, paramLabel = "DURATION",
            description = "give up waiting for results after this long (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--poll", defaultValue = "1s", converter = Serving.DurationConverter.class, paramLabel = "DURATION")
    Duration poll;

    @Override
    public Integer call() throws Exception {
        if (items < 1 || batchItems < 1 || batchItems > 2_000_000) {
            throw new IllegalArgumentException("--items must be positive and --batch-items 1 to 2,000,000");
        }
        World loaded = World.read(world);
        String control = loaded.treasury().controlUrl();
        List<String> rotation = programmes != null && !programmes.isEmpty() ? programmes
                : Catalogue.all().stream().filter(programme -> !programme.household()).map(Programme::code).toList();
        rotation.forEach(Catalogue::byCode);
        if (period != null) {
            TreasuryCommand.parsePeriod(period);
        }
        Files.createDirectories(inbox);
        Path staging = stage != null ? stage : inbox.toAbsolutePath().resolveSibling(inbox.getFileName() + ".load-staging");
        Files.createDirectories(staging);
        PrintWriter out = spec.commandLine().getOut();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        List<String> batchIds = new ArrayList<>();
        long generationMillis = 0;
        long sealMillis = 0;
        long remaining = items;
        for (int n = 0; remaining > 0; n++) {
            int count = (int) Math.min(batchItems, remaining);
            ObjectNode request = JSON.createObjectNode();
            request.put("items", count);
            request.put("mode", "file");
            request.put("inboxDir", staging.toAbsolutePath().toString());
            request.put("programme", rotation.get(n % rotation.size()));
            if (period != null) {
                request.put("period", period);
            }
            request.put("seed", seed + n);
            request.put("badShare", badShare);
            JsonNode answer = post(http, control + "/batches/generate-and-submit", request);
            batchIds.add(answer.get("batchId").asString());
            generationMillis += answer.path("generationMillis").asLong();
            sealMillis += answer.path("sealMillis").asLong();
            remaining -= count;
            out.printf("batch %s: %,d items, %s, generated at %,d items/s, sealed in %,d ms%n", answer.get("batchId").asString(),
                    count, AuditReport.money(answer.path("totalAmountFen").asLong()), answer.path("itemsPerSecond").asLong(),
                    answer.path("sealMillis").asLong());
            out.flush();
        }
        out.printf("generated %,d items in %d batches: %,.0f items/s generating, %,d ms sealing%n", items, batchIds.size(),
                items * 1000.0 / Math.max(1, generationMillis), sealMillis);
        // the drop: every file renamed into the inbox (same file system, so each appears whole)
        Instant start = Instant.now();
        int dropped = 0;
        for (String batchId : batchIds) {
            String name = batchId + ".jsonl.ocev";
            Files.move(staging.resolve(name), inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            dropped++;
        }
        out.printf("dropped %d batch files into the inbox at once%n", dropped);
        out.flush();

        String reportUrl = control + "/report?batches=" + String.join(",", batchIds);
        Instant deadline = Instant.now().plus(timeout);
        Instant nextProgress = Instant.now();
        AuditReport report = report(http, reportUrl);
        while (!done(report) && Instant.now().isBefore(deadline)) {
            if (!Instant.now().isBefore(nextProgress)) {
                out.printf("waiting: %,d of %,d items reported, %,d final%n", report.itemsReported(), report.items(), report.itemsFinal());
                out.flush();
                nextProgress = Instant.now().plusSeconds(10);
            }
            Thread.sleep(poll.toMillis()); // polling a remote party: nothing to wait on but time
            report = report(http, reportUrl);
        }
        if (!done(report)) {
            out.println("timed out after " + timeout + " waiting for results");
        }
        if (report.firstResultAt() != null) {
            Duration first = Duration.between(start, Instant.parse(report.firstResultAt()));
            Duration last = Duration.between(start, Instant.parse(report.lastResultAt()));
            out.printf("first result after %,.1f s, last after %,.1f s: %,.0f items/s end to end%n", first.toMillis() / 1000.0,
                    last.toMillis() / 1000.0, report.itemsReported() * 1000.0 / Math.max(1, last.toMillis()));
        }
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        report.print(new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8));
        out.print(text.toString(java.nio.charset.StandardCharsets.UTF_8));
        out.flush();
        return report.passed() ? SimulatorsMain.OK : SimulatorsMain.CHECK_FAILED;
    }

    /** Every item settled and every summary agrees with the results. */
    private static boolean done(AuditReport report) {
        return report.settled() && report.issues().stream().noneMatch(issue -> issue.check().startsWith("SUMMARY_"));
    }

    private static JsonNode post(HttpClient http, String url, JsonNode body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the treasury answered HTTP " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static AuditReport report(HttpClient http, String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the treasury answered HTTP " + response.statusCode() + ": " + response.body());
        }
        return AuditReport.fromJson(JSON.readTree(response.body()));
    }
}
