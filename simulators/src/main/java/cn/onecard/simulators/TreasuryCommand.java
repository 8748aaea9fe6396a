package cn.onecard.simulators;

import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.simulators.population.Population;
import cn.onecard.simulators.population.PopulationOptions;
import cn.onecard.simulators.treasury.AuditReport;
import cn.onecard.simulators.treasury.Auditor;
import cn.onecard.simulators.treasury.BatchGenerator;
import cn.onecard.simulators.treasury.BatchSpec;
import cn.onecard.simulators.treasury.BatchSubmitter;
import cn.onecard.simulators.treasury.CallbackReceiver;
import cn.onecard.simulators.treasury.Expectations;
import cn.onecard.simulators.treasury.GeneratedBatch;
import cn.onecard.simulators.treasury.ItemKind;
import cn.onecard.simulators.treasury.ReceiverFaults;
import cn.onecard.simulators.treasury.ResultBook;
import cn.onecard.simulators.treasury.TreasuryControl;
import cn.onecard.simulators.treasury.TreasuryServer;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;

/** The treasury: generates batches, submits them, listens for results and audits them. */
@Command(name = "treasury", mixinStandardHelpOptions = true, description = "The treasury side: generate, submit, listen, audit.",
        subcommands = {TreasuryCommand.Generate.class, TreasuryCommand.Submit.class, TreasuryCommand.Listen.class, TreasuryCommand.Audit.class})
final class TreasuryCommand {

    static final String CLIENT_ID = "treasury-demo";
    static final String PAYER_ACCOUNT = "4103000001";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A treasury directory: {@code batches/} (manifests), {@code callbacks.jsonl} (journal), keys. */
    static Path batchesDir(Path treasuryDir) {
        return treasuryDir.resolve("batches");
    }

    static Path journal(Path treasuryDir) {
        return treasuryDir.resolve("callbacks.jsonl");
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Generate batches: API bodies into --out, or sealed batch files into --inbox; manifests into the treasury directory.")
    static final class Generate implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        PopulationMixin population;

        @Option(names = "--world", paramLabel = "FILE", description = "take the population, keys and callback URL from a world.json")
        Path world;

        @Option(names = "--treasury-dir", paramLabel = "DIR", description = "the treasury's directory (manifests go to DIR/batches; default: the world's)")
        Path treasuryDir;

        @Option(names = "--programme", defaultValue = "P29", paramLabel = "CODE", description = "programme P01..P45 (default: ${DEFAULT-VALUE})")
        String programme;

        @Option(names = "--period", paramLabel = "yyyyMM", description = "period (default: this month)")
        String period;

        @Option(names = "--items", defaultValue = "1000", paramLabel = "N", description = "items per batch (default: ${DEFAULT-VALUE})")
        int items;

        @Option(names = "--batches", defaultValue = "1", paramLabel = "N", description = "batches of the same programme and period (default: ${DEFAULT-VALUE})")
        int batches;

        @Option(names = "--bad-share", defaultValue = "0.05", paramLabel = "SHARE", description = "share of bad items, split over the kinds (default: ${DEFAULT-VALUE})")
        double badShare;

        @Option(names = "--kind-share", paramLabel = "KIND=SHARE", description = "share of one bad kind, repeatable (overrides --bad-share)")
        Map<ItemKind, Double> kindShares;

        @Option(names = "--batch-seed", defaultValue = "1", paramLabel = "N", description = "seed of the first batch; batch n uses N+n (default: ${DEFAULT-VALUE})")
        long batchSeed;

        @Option(names = "--batch-id", paramLabel = "ID", description = "batch id (default: T{yyyyMM}{programme}-{n})")
        String batchId;

        @Option(names = "--callback-url", paramLabel = "URL", description = "callback URL in the batch (default: the world's)")
        String callbackUrl;

        @Option(names = "--payer-account", defaultValue = PAYER_ACCOUNT, paramLabel = "ACCOUNT")
        String payerAccount;

        @Option(names = "--out", paramLabel = "DIR", description = "write API bodies {batchId}.json here")
        Path out;

        @Option(names = "--inbox", paramLabel = "DIR", description = "write sealed batch files {batchId}.jsonl.ocev here")
        Path inbox;

        @Option(names = "--gateway-public-key", paramLabel = "PEM", description = "seal batch files to this key (default: the world's)")
        Path gatewayPublicKey;

        @Option(names = "--treasury-key", paramLabel = "PEM", description = "sign batch files with this key (default: the world's)")
        Path treasuryKey;

        @Override
        public Integer call() throws Exception {
            World loaded = world == null ? null : World.read(world);
            PopulationOptions options = loaded == null ? population.options() : worldPopulation(loaded);
            Path dir = treasuryDir != null ? treasuryDir : loaded != null ? Path.of(loaded.treasury().privateKey()).getParent() : null;
            String callback = callbackUrl != null ? callbackUrl : loaded != null ? loaded.treasury().callbackUrl() : null;
            if (dir == null || callback == null) {
                throw new IllegalArgumentException("give --world, or --treasury-dir and --callback-url");
            }
            if ((out == null) == (inbox == null)) {
                throw new IllegalArgumentException("give one of --out (API bodies) and --inbox (batch files)");
            }
            if (batches < 1 || batches > 1000) {
                throw new IllegalArgumentException("--batches must be 1 to 1000");
            }
            Sm2PublicKey gateway = null;
            Sm2PrivateKey treasury = null;
            if (inbox != null) {
                Path gatewayPem = gatewayPublicKey != null ? gatewayPublicKey : loaded != null ? Path.of(loaded.gateway().publicKey()) : null;
                Path treasuryPem = treasuryKey != null ? treasuryKey : loaded != null ? Path.of(loaded.treasury().privateKey()) : null;
                if (gatewayPem == null || treasuryPem == null) {
                    throw new IllegalArgumentException("batch files need --gateway-public-key and --treasury-key (or --world)");
                }
                gateway = KeyFiles.publicKey(gatewayPem);
                treasury = KeyFiles.privateKey(treasuryPem);
                Files.createDirectories(inbox);
            } else {
                Files.createDirectories(out);
            }
            YearMonth month = period == null ? YearMonth.now(ZoneId.of("Asia/Shanghai")) : parsePeriod(period);
            BatchGenerator generator = new BatchGenerator(new Population(options), batchesDir(dir));
            PrintWriter print = spec.commandLine().getOut();
            for (int n = 1; n <= batches; n++) {
                String id = batchId == null ? BatchSpec.batchIdFor(programme, month, n) : batches == 1 ? batchId : batchId + "-" + n;
                BatchSpec batchSpec = new BatchSpec(id, programme, month, items, badShare, kindShares == null ? Map.of() : kindShares,
                        batchSeed + n - 1, payerAccount, callback);
                try (GeneratedBatch batch = generator.generate(batchSpec)) {
                    Path written = inbox != null ? batch.writeBatchFile(inbox, gateway, treasury)
                            : batch.writeApiBody(out.resolve(id + ".json"));
                    print.printf("%s: %,d items, %s, kinds %s; %,.0f items/s; %s; manifest %s%n", id, batch.header().itemCount(),
                            AuditReport.money(batch.header().totalAmountFen()), batch.kinds(), batch.itemsPerSecond(), written, batch.manifest());
                }
            }
            return SimulatorsMain.OK;
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true, description = "POST API bodies to the gateway, signed; print each answer.")
    static final class Submit implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--api", required = true, paramLabel = "URL", description = "the gateway's base URL or its /api/v1/batches URL")
        String api;

        @Option(names = "--client", defaultValue = CLIENT_ID, paramLabel = "ID", description = "X-OneCard-Client (default: ${DEFAULT-VALUE})")
        String client;

        @Option(names = "--key", required = true, paramLabel = "PEM", description = "the treasury's SM2 private key")
        Path key;

        @Option(names = "--timeout", defaultValue = "10m", converter = Serving.DurationConverter.class, paramLabel = "DURATION")
        Duration timeout;

        @Parameters(arity = "1..*", paramLabel = "BODY.json")
        List<Path> bodies;

        @Override
        public Integer call() throws Exception {
            BatchSubmitter submitter = new BatchSubmitter(api, client, KeyFiles.privateKey(key), Clock.systemUTC(), timeout);
            boolean allAccepted = true;
            for (Path body : bodies) {
                BatchSubmitter.Answer answer = submitter.submit(body);
                spec.commandLine().getOut().println(body.getFileName() + ": HTTP " + answer.status() + " " + answer.body());
                allAccepted &= answer.accepted();
            }
            return allAccepted ? SimulatorsMain.OK : SimulatorsMain.CHECK_FAILED;
        }
    }

    @Command(name = "listen", mixinStandardHelpOptions = true,
            description = "Receive the gateway's callbacks at /callbacks (and serve GET /report) until standard input ends.")
    static final class Listen implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--treasury-dir", required = true, paramLabel = "DIR", description = "manifests in DIR/batches; journal DIR/callbacks.jsonl")
        Path treasuryDir;

        @Option(names = "--gateway-public-key", required = true, paramLabel = "PEM", description = "verifies the callbacks")
        Path gatewayPublicKey;

        @Option(names = "--gateway-id", paramLabel = "ID", description = "insist on this X-OneCard-Client (default: any)")
        String gatewayId;

        @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "HOST")
        String bind;

        @Option(names = "--port", defaultValue = "0", paramLabel = "PORT", description = "0 for any free port (default)")
        int port;

        @Option(names = "--down-for", defaultValue = "0s", converter = Serving.DurationConverter.class, paramLabel = "DURATION",
                description = "fault: answer 503 for this long from the start")
        Duration downFor;

        @Option(names = "--drop-share", defaultValue = "0", paramLabel = "SHARE", description = "fault: odds of dropping a callback's connection")
        double dropShare;

        @Option(names = "--fault-seed", defaultValue = "1", paramLabel = "N")
        long faultSeed;

        @Option(names = "--until-killed", description = "ignore standard input; serve until the process is killed")
        boolean untilKilled;

        @Override
        public Integer call() throws Exception {
            ResultBook book = new ResultBook();
            Files.createDirectories(batchesDir(treasuryDir));
            book.registerAll(batchesDir(treasuryDir));
            if (Files.exists(journal(treasuryDir))) {
                book.replay(journal(treasuryDir));
            }
            CallbackReceiver receiver = new CallbackReceiver(book, KeyFiles.publicKey(gatewayPublicKey), gatewayId, Clock.systemUTC(),
                    journal(treasuryDir));
            receiver.faults(new ReceiverFaults(downFor, dropShare, faultSeed));
            Auditor auditor = new Auditor(Expectations.plausible(), Clock.systemUTC());
            TreasuryControl control = new TreasuryControl(new TreasuryControl.Treasury(CLIENT_ID, null, null, PAYER_ACCOUNT, null, treasuryDir),
                    null, receiver, auditor, Clock.systemUTC());
            Map<String, com.sun.net.httpserver.HttpHandler> handlers = new java.util.LinkedHashMap<>(control.handlers());
            handlers.remove(TreasuryControl.GENERATE_PATH);
            try (TreasuryServer server = TreasuryServer.start(new InetSocketAddress(bind, port), receiver, handlers)) {
                Serving.closeOnExit(server);
                spec.commandLine().getOut().println("LISTENING " + server.callbackUrl() + " (report: " + server.baseUrl() + TreasuryControl.REPORT_PATH + ")");
                Serving.awaitStop(untilKilled);
            }
            return SimulatorsMain.OK;
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true,
            description = "Audit the results: from a running treasury (--url) or from a treasury directory's manifests and journal.")
    static final class Audit implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @ArgGroup(multiplicity = "1")
        Source source;

        static final class Source {
            @Option(names = "--url", paramLabel = "CONTROL_URL", description = "a running treasury's control URL")
            String url;

            @Option(names = "--treasury-dir", paramLabel = "DIR", description = "replay DIR/batches and DIR/callbacks.jsonl")
            Path treasuryDir;
        }

        @Option(names = "--batches", split = ",", paramLabel = "ID", description = "audit these batches only")
        List<String> batchIds;

        @Option(names = "--expected-codes", paramLabel = "FILE", description = "KIND=CODE,CODE properties: exact codes per kind (with --treasury-dir)")
        Path expectedCodes;

        @Option(names = "--json", description = "print the machine-readable report")
        boolean json;

        @Override
        public Integer call() throws Exception {
            AuditReport report;
            if (source.url != null) {
                String uri = source.url.replaceAll("/+$", "") + TreasuryControl.REPORT_PATH
                        + (batchIds == null ? "" : "?batches=" + String.join(",", batchIds));
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(uri))
                        .timeout(Duration.ofMinutes(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("the treasury answered HTTP " + response.statusCode());
                }
                report = AuditReport.fromJson(JSON.readTree(response.body()));
            } else {
                ResultBook book = new ResultBook();
                book.registerAll(batchesDir(source.treasuryDir));
                if (Files.exists(journal(source.treasuryDir))) {
                    book.replay(journal(source.treasuryDir));
                }
                Expectations expectations = expectedCodes == null ? Expectations.plausible() : Expectations.fromProperties(expectedCodes);
                report = new Auditor(expectations, Clock.systemUTC()).audit(book, batchIds);
            }
            if (json) {
                spec.commandLine().getOut().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report.toJson()));
            } else {
                java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
                report.print(new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8));
                spec.commandLine().getOut().print(text.toString(java.nio.charset.StandardCharsets.UTF_8));
                spec.commandLine().getOut().flush();
            }
            return report.passed() ? SimulatorsMain.OK : SimulatorsMain.CHECK_FAILED;
        }
    }

    static PopulationOptions worldPopulation(World world) {
        World.Population population = world.population();
        if (population == null) {
            throw new IllegalArgumentException("the world.json has no population section");
        }
        return new PopulationOptions(population.seed(), population.persons(),
                population.banks().stream().map(cn.onecard.simulators.population.BankBins::parse).toList(),
                PopulationOptions.defaultTraitShares(), 0.4);
    }

    static YearMonth parsePeriod(String text) {
        if (text == null || !text.matches("\\d{4}(0[1-9]|1[0-2])")) {
            throw new IllegalArgumentException("period must be yyyyMM, a real month");
        }
        return YearMonth.of(Integer.parseInt(text.substring(0, 4)), Integer.parseInt(text.substring(4)));
    }
}
