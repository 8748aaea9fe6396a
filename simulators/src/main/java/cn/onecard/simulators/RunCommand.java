package cn.onecard.simulators;

import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.simulators.filebank.Accounts;
import cn.onecard.simulators.filebank.FileBankKind;
import cn.onecard.simulators.filebank.FileBankOptions;
import cn.onecard.simulators.filebank.FileBankSimulator;
import cn.onecard.simulators.httpbank.HttpBankHost;
import cn.onecard.simulators.httpbank.ServerCertificate;
import cn.onecard.simulators.isobank.IsoBankDialect;
import cn.onecard.simulators.isobank.IsoBankHost;
import cn.onecard.simulators.population.BankBins;
import cn.onecard.simulators.population.Population;
import cn.onecard.simulators.population.PopulationExporter;
import cn.onecard.simulators.population.PopulationOptions;
import cn.onecard.simulators.treasury.Auditor;
import cn.onecard.simulators.treasury.BatchGenerator;
import cn.onecard.simulators.treasury.CallbackReceiver;
import cn.onecard.simulators.treasury.Expectations;
import cn.onecard.simulators.treasury.ResultBook;
import cn.onecard.simulators.treasury.TreasuryControl;
import cn.onecard.simulators.treasury.TreasuryServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A whole world of simulated parties in one process: the treasury (callbacks and control API),
 * two file banks (LYB and ABC) over SFTP, given its MAC key one ISO 8583 bank and, when asked, one
 * HTTP bank, with the keys they own, a population's feeds and accounts, and {@code DIR/world.json}
 * telling the gateway where everything is. The treasury's control port also drives the banks
 * ({@code /banks/{CODE}/faults|ledger|open|close}). Serves until standard input ends or the process
 * is killed.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Start the treasury and the LYB and ABC file banks in one process; write DIR/world.json; print READY.")
final class RunCommand implements Callable<Integer> {

    static final String LYB_UNIT_NUMBER = "4103000001";
    static final String SFTP_USER = "onecard";
    static final String LOOPBACK = "127.0.0.1";
    /** Henan rural credit's social security cards: BINs none of the file banks use. */
    static final String DEFAULT_ISO_BANK = "HNNX:623059,621585:19";
    /** Zhongyuan Bank's cards, under BINs no other bank of the world uses. */
    static final String DEFAULT_HTTP_BANK = "ZYB:623138,621389:19";
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "the world's directory (keys, feeds, bank roots, world.json)")
    Path dir;

    @Option(names = "--gateway-public-key", required = true, paramLabel = "PEM", description = "the gateway's SM2 public key")
    Path gatewayPublicKey;

    @Option(names = "--gateway-ssh-public-key", required = true, paramLabel = "OPENSSH_PUB", description = "the gateway's SSH client key, authorized on the banks' SFTP")
    Path gatewaySshPublicKey;

    @Option(names = "--lyb-data-key-file", required = true, paramLabel = "HEXFILE", description = "the SM4 data key agreed with LYB, 32 hex digits")
    Path lybDataKeyFile;

    @Option(names = "--iso-bank-mac-key-file", paramLabel = "HEXFILE",
            description = "the MAC key the gateway made for the ISO 8583 bank, 32 hex digits; without it, no ISO 8583 bank")
    Path isoBankMacKeyFile;

    @Option(names = "--iso-bank", defaultValue = DEFAULT_ISO_BANK, paramLabel = "CODE:BIN,BIN:DIGITS",
            description = "the ISO 8583 bank's code and BINs (default: ${DEFAULT-VALUE})")
    String isoBank;

    @Option(names = "--iso-bank-dialect", defaultValue = "agent-bcd", converter = IsoBankCommand.DialectConverter.class,
            description = "agent-bcd (SM4 MAC key) or agent-ascii87 (TDES MAC key) (default: ${DEFAULT-VALUE})")
    IsoBankDialect isoBankDialect;

    @Option(names = "--http-bank", arity = "0..1", fallbackValue = DEFAULT_HTTP_BANK, paramLabel = "CODE:BIN,BIN:DIGITS",
            description = "run an HTTP bank with this code and these BINs (alone: " + DEFAULT_HTTP_BANK + "); without it, none")
    String httpBank;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "population seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--persons", defaultValue = "200000", paramLabel = "N", description = "people in the population (default: ${DEFAULT-VALUE})")
    int persons;

    @Option(names = "--port", defaultValue = "0", paramLabel = "PORT", description = "the treasury's HTTP port, 0 for any (default)")
    int port;

    @Option(names = "--until-killed", description = "ignore standard input; serve until the process is killed")
    boolean untilKilled;

    @Option(names = "--expected-codes", paramLabel = "FILE",
            description = "KIND=CODE,CODE properties: the audit (GET /report) checks these kinds' codes exactly")
    Path expectedCodes;

    @Option(names = "--bank-poll-interval", defaultValue = "1s", paramLabel = "D", converter = Serving.DurationConverter.class,
            description = "how often the banks look into in/: 250ms, 1s, ... (default: ${DEFAULT-VALUE})")
    Duration bankPollInterval;

    @Override
    public Integer call() throws Exception {
        Path root = Files.createDirectories(dir).toAbsolutePath().normalize();
        Sm2PublicKey gatewayKey = KeyFiles.publicKey(gatewayPublicKey);
        SymmetricKey lybDataKey = KeyFiles.sm4HexFile(lybDataKeyFile);
        if (!Files.isRegularFile(gatewaySshPublicKey)) {
            throw new java.nio.file.NoSuchFileException(gatewaySshPublicKey.toString());
        }
        // the ISO 8583 bank joins the population only when it runs, so a world without it draws the same people as before
        BankBins onlineBank = isoBankMacKeyFile == null ? null : BankBins.parse(isoBank);
        SymmetricKey isoMacKey = onlineBank == null ? null : KeyFiles.hexKeyFile(isoBankMacKeyFile, isoBankDialect.macKeyAlgorithm());
        List<BankBins> fileBanks = BankBins.demoBanks();
        List<BankBins> populationBanks = new ArrayList<>(fileBanks);
        if (onlineBank != null) {
            populationBanks.add(onlineBank);
        }
        // the HTTP bank joins last and only when it runs, so worlds without it draw the same people as before
        BankBins apiBank = httpBank == null ? null : BankBins.parse(httpBank);
        if (apiBank != null) {
            populationBanks.add(apiBank);
        }
        PopulationOptions populationOptions = new PopulationOptions(seed, persons, populationBanks,
                PopulationOptions.defaultTraitShares(), PopulationOptions.defaults(seed, persons).householdHeadShare());
        log.info("{}", populationOptions);
        List<AutoCloseable> running = new ArrayList<>();
        Thread hook = Serving.closeOnExit(() -> closeAll(running));
        try {
            Path treasuryDir = root.resolve("treasury");
            Sm2KeyPair treasuryKeys = KeyFiles.sm2Pair(treasuryDir);

            long started = System.nanoTime();
            Population population = new Population(populationOptions);
            PopulationExporter.Exported exported = PopulationExporter.export(population, root.resolve("feeds"),
                    code -> root.resolve("banks").resolve(code).resolve("accounts-" + code + ".csv"));
            log.info("population of {} written in {} ms: accounts {}", population.size(), (System.nanoTime() - started) / 1_000_000,
                    exported.accountsPerBank());

            ResultBook book = new ResultBook();
            Path batches = Files.createDirectories(TreasuryCommand.batchesDir(treasuryDir));
            book.registerAll(batches);
            Path journal = TreasuryCommand.journal(treasuryDir);
            if (Files.exists(journal)) {
                book.replay(journal);
            }
            CallbackReceiver receiver = new CallbackReceiver(book, gatewayKey, null, Clock.systemUTC(), journal);
            BatchGenerator generator = new BatchGenerator(population, batches);
            Auditor auditor = new Auditor(expectedCodes == null ? Expectations.plausible()
                    : Expectations.fromProperties(expectedCodes), Clock.systemUTC());
            // the callback URL is known only once the server has a port, and the control needs it: bind first
            TreasuryServer[] server = new TreasuryServer[1];
            TreasuryControl[] control = new TreasuryControl[1];
            Map<String, com.sun.net.httpserver.HttpHandler> handlers = new java.util.LinkedHashMap<>();
            for (String path : List.of(TreasuryControl.GENERATE_PATH, TreasuryControl.REPORT_PATH, TreasuryControl.FAULTS_PATH)) {
                handlers.put(path, exchange -> control[0].handlers().get(path).handle(exchange));
            }
            // the banks start after the server; their routes find them here once they run
            Map<String, FileBankSimulator> bankSimulators = new ConcurrentHashMap<>();
            Map<String, IsoBankHost> isoBankHosts = new ConcurrentHashMap<>();
            Map<String, HttpBankHost> httpBankHosts = new ConcurrentHashMap<>();
            handlers.put(BankControlRoutes.PATH, new BankControlRoutes(bankSimulators, isoBankHosts, httpBankHosts));
            server[0] = TreasuryServer.start(new InetSocketAddress("127.0.0.1", port), receiver, handlers);
            running.add(server[0]);
            control[0] = new TreasuryControl(new TreasuryControl.Treasury(TreasuryCommand.CLIENT_ID, treasuryKeys.privateKey(),
                    server[0].callbackUrl(), TreasuryCommand.PAYER_ACCOUNT, gatewayKey, treasuryDir), generator, receiver, auditor,
                    Clock.systemUTC());

            List<World.Bank> banks = new ArrayList<>();
            for (BankBins bank : fileBanks) {
                banks.add(startBank(bank, root, gatewayKey, lybDataKey, exported.accounts().get(bank.code()), running,
                        bankSimulators));
            }
            List<World.IsoBank> isoBanks = new ArrayList<>();
            if (onlineBank != null) {
                isoBanks.add(startIsoBank(onlineBank, root, isoMacKey, exported.accounts().get(onlineBank.code()), running,
                        isoBankHosts));
            }
            List<World.HttpBank> httpBanks = new ArrayList<>();
            if (apiBank != null) {
                httpBanks.add(startHttpBank(apiBank, root, gatewayKey, exported.accounts().get(apiBank.code()), running,
                        httpBankHosts));
            }
            World world = new World(
                    new World.Treasury(TreasuryCommand.CLIENT_ID, treasuryDir.resolve("sm2-private.pem").toString(),
                            treasuryDir.resolve("sm2-public.pem").toString(), server[0].callbackUrl(), server[0].baseUrl()),
                    banks,
                    isoBanks,
                    httpBanks,
                    new World.Feeds(exported.cardRegistry().toString(), exported.blockedPersons().toString()),
                    new World.Gateway(gatewayPublicKey.toAbsolutePath().toString(), gatewaySshPublicKey.toAbsolutePath().toString()),
                    new World.Population(seed, persons, populationOptions.banks().stream().map(BankBins::toString).toList()));
            Path worldFile = root.resolve("world.json");
            world.write(worldFile);
            spec.commandLine().getOut().println("READY " + worldFile);
            spec.commandLine().getOut().flush();
            Serving.awaitStop(untilKilled);
        } finally {
            closeAll(running);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException stopping) {
                // the hook is running already
            }
        }
        return SimulatorsMain.OK;
    }

    private World.Bank startBank(BankBins bank, Path root, Sm2PublicKey gatewayKey, SymmetricKey lybDataKey, Path accounts,
                                 List<AutoCloseable> running, Map<String, FileBankSimulator> started) throws IOException {
        FileBankKind kind = FileBankKind.valueOf(bank.code());
        Path bankDir = root.resolve("banks").resolve(bank.code());
        Sm2KeyPair keys = KeyFiles.sm2Pair(bankDir);
        Path hostKey = bankDir.resolve("ssh-host-key.pem");
        FileBankOptions.Builder options = FileBankOptions.builder()
                .kind(kind)
                .root(bankDir.resolve("sftp"))
                .accountsFile(accounts)
                .gatewayPublicKey(gatewayKey)
                .bankPrivateKey(keys.privateKey())
                .hostKeyFile(hostKey)
                .authorizedKeyFile(gatewaySshPublicKey)
                .userName(SFTP_USER)
                .pollInterval(bankPollInterval)
                .faultSeed(seed);
        if (kind == FileBankKind.LYB) {
            options.unitNumber(LYB_UNIT_NUMBER).lybDataKey(lybDataKey);
        }
        FileBankSimulator simulator = FileBankSimulator.start(options.build());
        running.add(simulator);
        started.put(bank.code(), simulator);
        Path hostPublicKey = bankDir.resolve("ssh-host.pub");
        KeyFiles.write(hostPublicKey, PublicKeyEntry.toString(loadKeyPair(hostKey).getPublic()) + "\n", false);
        return new World.Bank(bank.code(), bank.bins(), bank.cardDigits(), kind == FileBankKind.LYB ? LYB_UNIT_NUMBER : null,
                "127.0.0.1", simulator.port(), SFTP_USER, hostPublicKey.toString(), bankDir.resolve("sm2-public.pem").toString(),
                simulator.root().toAbsolutePath().toString(), accounts.toString());
    }

    private World.IsoBank startIsoBank(BankBins bank, Path root, SymmetricKey macKey, Path accounts, List<AutoCloseable> running,
                                       Map<String, IsoBankHost> started) throws IOException {
        Path ledger = root.resolve("banks").resolve(bank.code()).resolve("ledger.log");
        IsoBankHost host = IsoBankHost.start(new IsoBankHost.Config(isoBankDialect.dialect(), Accounts.load(accounts), ledger)
                .macKey(macKey).seed(seed).bind(new InetSocketAddress("127.0.0.1", 0)));
        running.add(host);
        started.put(bank.code(), host);
        return new World.IsoBank(bank.code(), bank.bins(), bank.cardDigits(), isoBankDialect.dialectName(), "127.0.0.1",
                host.address().getPort(), HexFormat.of().withUpperCase().formatHex(macKey.checkValue()), accounts.toString(),
                ledger.toString());
    }

    private World.HttpBank startHttpBank(BankBins bank, Path root, Sm2PublicKey gatewayKey, Path accounts,
                                         List<AutoCloseable> running, Map<String, HttpBankHost> started) throws IOException {
        Path bankDir = root.resolve("banks").resolve(bank.code());
        Sm2KeyPair keys = KeyFiles.sm2Pair(bankDir);
        ServerCertificate certificate = KeyFiles.serverCertificate(bankDir, bank.code(), List.of(LOOPBACK));
        Path ledger = bankDir.resolve("ledger.log");
        HttpBankHost host = HttpBankHost.start(new HttpBankHost.Config(Accounts.load(accounts), ledger, keys.privateKey(),
                gatewayKey, certificate).appId(HttpBankCommand.APP_ID).seed(seed).bind(new InetSocketAddress(LOOPBACK, 0)));
        running.add(host);
        started.put(bank.code(), host);
        return new World.HttpBank(bank.code(), bank.bins(), bank.cardDigits(), host.baseUri().toString(), LOOPBACK, host.port(),
                HttpBankCommand.APP_ID, bankDir.resolve("tls-certificate.pem").toString(), certificate.fingerprint(),
                bankDir.resolve("sm2-public.pem").toString(), gatewayPublicKey.toAbsolutePath().toString(), accounts.toString(),
                ledger.toString());
    }

    private static KeyPair loadKeyPair(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Iterator<KeyPair> keys = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.toString()), in,
                    FilePasswordProvider.EMPTY).iterator();
            if (!keys.hasNext()) {
                throw new IOException("host key file " + file + " holds no key");
            }
            return keys.next();
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("host key file " + file + " does not load: " + e.getMessage(), e);
        }
    }

    private static synchronized void closeAll(List<AutoCloseable> running) {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", running.get(i).getClass().getSimpleName(), e.getMessage());
            }
        }
        running.clear();
    }
}
