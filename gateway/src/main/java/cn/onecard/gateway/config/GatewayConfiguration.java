package cn.onecard.gateway.config;

import cn.onecard.adapters.BankAdapter;
import cn.onecard.adapters.file.FileTransportConfig;
import cn.onecard.gateway.dispatch.BankCycle;
import cn.onecard.gateway.dispatch.BankReports;
import cn.onecard.gateway.dispatch.GatewayRoutes;
import cn.onecard.gateway.dispatch.GuardedBank;
import cn.onecard.gateway.feeds.FeedLoader;
import cn.onecard.gateway.feeds.FeedsFolder;
import cn.onecard.gateway.intake.BatchIntake;
import cn.onecard.gateway.intake.BatchParser;
import cn.onecard.gateway.intake.BatchQueries;
import cn.onecard.gateway.intake.BodyGate;
import cn.onecard.gateway.intake.FileRoutes;
import cn.onecard.gateway.intake.IntakeStats;
import cn.onecard.gateway.intake.Nonces;
import cn.onecard.gateway.intake.RequestAuthenticator;
import cn.onecard.gateway.intake.SignedRequests;
import cn.onecard.gateway.intake.SpooledBody;
import cn.onecard.gateway.intake.TreasuryClients;
import cn.onecard.gateway.intake.TreasuryInbox;
import cn.onecard.gateway.intake.TreasurySftpInbox;
import cn.onecard.gateway.intake.TreasurySources;
import cn.onecard.gateway.ledger.AccountCheckCache;
import cn.onecard.gateway.ledger.Alerts;
import cn.onecard.gateway.ledger.BatchWriter;
import cn.onecard.gateway.ledger.DispatchWriter;
import cn.onecard.gateway.ledger.ItemWriter;
import cn.onecard.gateway.ledger.Leases;
import cn.onecard.gateway.ledger.ReportOutbox;
import cn.onecard.gateway.results.CallbackHosts;
import cn.onecard.gateway.results.CallbackSender;
import cn.onecard.gateway.results.ResultFiles;
import cn.onecard.gateway.validation.BankRouting;
import cn.onecard.gateway.validation.ItemChecks;
import cn.onecard.gateway.validation.SubsidyCatalogue;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import tools.jackson.databind.json.JsonMapper;

/** Wires the gateway's parts from {@link OneCardProperties}. */
@Configuration(proxyBeanMethods = false)
public class GatewayConfiguration {

    /** The programme's business day and every time the treasury sees are China Standard Time. */
    public static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    /** The system's clock, unless the program embedding the gateway registered its own. */
    @Bean
    @ConditionalOnMissingBean(Clock.class)
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    SubsidyCatalogue subsidyCatalogue(OneCardProperties properties, ResourceLoader resources) {
        String location = properties.catalogue().location();
        try (InputStream in = resources.getResource(location).getInputStream()) {
            return SubsidyCatalogue.read(in, location);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the subsidy catalogue at " + location, e);
        }
    }

    @Bean
    BankRouting bankRouting(OneCardProperties properties) {
        Map<String, List<String>> bins = new LinkedHashMap<>();
        properties.banks().forEach((code, bank) -> bins.put(code, bank.bins()));
        return BankRouting.of(bins);
    }

    @Bean
    TreasuryClients treasuryClients(OneCardProperties properties) {
        return TreasuryClients.from(properties.treasury());
    }

    @Bean
    TreasurySources treasurySources(OneCardProperties properties) {
        return TreasurySources.from(properties.treasury());
    }

    @Bean
    SignedRequests signedRequests(RequestAuthenticator authenticator, TreasurySources sources, Nonces nonces) {
        return new SignedRequests(authenticator, sources, nonces);
    }

    @Bean
    RequestAuthenticator requestAuthenticator(TreasuryClients clients, Clock clock, OneCardProperties properties) {
        return new RequestAuthenticator(clients, clock, properties.intake().timestampWindow());
    }

    @Bean
    BodyGate bodyGate(OneCardProperties properties) {
        return new BodyGate(properties.intake().bodiesReadingMax(), properties.intake().bodiesReadingPerSenderMax());
    }

    @Bean
    SpooledBody.Limits bodyLimits(OneCardProperties properties) {
        OneCardProperties.Intake intake = properties.intake();
        return new SpooledBody.Limits(intake.bodyBytesMax().toBytes(), Math.toIntExact(intake.bodyMemoryBytesMax().toBytes()),
                intake.bodyMinBytesPerSecond().toBytes(), intake.bodyRateGrace(),
                SpooledBody.prepareDirectory(properties.dataDir().resolve("spool").toAbsolutePath()),
                new SpooledBody.SpoolRoom(intake.spoolBytesMax().toBytes()));
    }

    @Bean
    Nonces nonces(DataSource dataSource, Clock clock, OneCardProperties properties) {
        Duration retention = properties.intake().nonceRetention();
        Duration window = properties.intake().timestampWindow();
        // a request stamped at the window's far edge stays acceptable for two windows after it is spent
        if (retention.compareTo(window.multipliedBy(2)) <= 0) {
            throw new IllegalStateException("onecard.intake.nonce-retention (" + retention + ") must exceed twice "
                    + "onecard.intake.timestamp-window (" + window + "), with room for the nodes' clock differences");
        }
        return new Nonces(dataSource, clock, retention);
    }

    @Bean
    ReportOutbox reportOutbox(Clock clock, OneCardProperties properties) {
        return new ReportOutbox(JsonMapper.builder().build(), clock, ZONE, properties.callback().chunkItems());
    }

    @Bean
    GatewayKeys gatewayKeys(OneCardProperties properties) {
        return GatewayKeys.load(properties);
    }

    @Bean
    Leases leases(DataSource dataSource, OneCardProperties properties) {
        String node = properties.nodeId() != null ? properties.nodeId()
                : hostName() + "-" + ProcessHandle.current().pid();
        return new Leases(dataSource, node);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "node";
        }
    }

    @Bean
    Alerts alerts(DataSource dataSource, Clock clock) {
        return new Alerts(dataSource, clock);
    }

    @Bean
    ItemWriter itemWriter(ReportOutbox outbox, Clock clock) {
        return new ItemWriter(outbox, clock);
    }

    @Bean
    BatchWriter batchWriter(ReportOutbox outbox, Clock clock) {
        return new BatchWriter(outbox, clock);
    }

    @Bean
    DispatchWriter dispatchWriter(DataSource dataSource, ItemWriter items, BatchWriter batches, Alerts alerts, Clock clock,
            OneCardProperties properties) {
        return new DispatchWriter(dataSource, items, batches, alerts, clock,
                new DispatchWriter.Durations(properties.dispatch().retryAfter()));
    }

    @Bean
    CallbackHosts callbackHosts(OneCardProperties properties) {
        Map<String, List<String>> hosts = new LinkedHashMap<>();
        for (OneCardProperties.Client client : properties.treasury().clients()) {
            if (client.callbackHosts().isEmpty()) {
                throw new IllegalArgumentException("onecard.treasury.clients (" + client.id() + ").callback-hosts: list the "
                        + "hosts its callbacks may go to");
            }
            hosts.put(client.id(), client.callbackHosts());
        }
        return new CallbackHosts(hosts, InetAddress::getAllByName);
    }

    @Bean(destroyMethod = "close")
    CallbackSender callbackSender(DataSource dataSource, Clock clock, OneCardProperties properties, GatewayKeys keys,
            Leases leases, BatchWriter batches, CallbackHosts callbackHosts, Alerts alerts) {
        return new CallbackSender(dataSource, clock, properties.gatewayId(), keys.privateKey(), leases.owner(), batches,
                callbackHosts, alerts);
    }

    /** The adapters of the banks configured under {@code onecard.banks}; closed with the context. */
    public record ConfiguredBanks(List<BankAdapter> adapters) implements AutoCloseable {
        @Override
        public void close() {
            adapters.forEach(BankAdapter::close);
        }
    }

    @Bean(destroyMethod = "close")
    ConfiguredBanks configuredBanks(OneCardProperties properties, GatewayKeys keys) {
        return new ConfiguredBanks(BankAdapters.build(properties, keys));
    }

    @Bean
    CircuitBreakerRegistry bankCircuits(MeterRegistry meters) {
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
        return registry;
    }

    /** Every bank the dispatcher works with, each with its circuit and its meters. */
    @Bean
    List<GuardedBank> guardedBanks(ObjectProvider<BankAdapter> adapterBeans, ConfiguredBanks configured,
            CircuitBreakerRegistry circuits, MeterRegistry meters, OneCardProperties properties) {
        return java.util.stream.Stream.concat(adapterBeans.orderedStream(), configured.adapters().stream())
                .map(adapter -> {
                    OneCardProperties.Bank bank = properties.banks().get(adapter.bankCode());
                    OneCardProperties.Circuit circuit = bank == null ? OneCardProperties.Circuit.defaults() : bank.circuit();
                    return new GuardedBank(adapter, circuits.circuitBreaker(adapter.bankCode(), CircuitBreakerConfig.custom()
                            .failureRateThreshold(circuit.failureRatePercent())
                            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                            .slidingWindowSize(circuit.windowCalls())
                            .minimumNumberOfCalls(circuit.minimumCalls())
                            .waitDurationInOpenState(circuit.openFor())
                            .permittedNumberOfCallsInHalfOpenState(circuit.probeCalls())
                            .automaticTransitionFromOpenToHalfOpenEnabled(true)
                            .build()), meters);
                })
                .toList();
    }

    @Bean
    List<BankCycle> bankCycles(List<GuardedBank> banks, DataSource dataSource,
            ItemWriter items, DispatchWriter dispatches, BatchWriter batches, Alerts alerts, Clock clock, Leases leases,
            OneCardProperties properties) {
        BankCycle.Settings settings = properties.dispatch().cycleSettings();
        AccountCheckCache accountChecks = new AccountCheckCache(dataSource, clock);
        return banks.stream()
                .map(adapter -> {
                    OneCardProperties.Bank bank = properties.banks().get(adapter.bankCode());
                    return new BankCycle(adapter, dispatches, new BankReports(dataSource, items, dispatches, batches,
                            alerts, clock, adapter.bankCode(), BankCycle.rulesFor(adapter.capabilities(), settings),
                            adapter.capabilities().resultDeadline()), leases, clock, ZONE, settings, accountChecks,
                            bank == null || bank.accountCheckTtl() == null ? Duration.ZERO : bank.accountCheckTtl());
                })
                .toList();
    }

    @Bean
    GatewayRoutes gatewayRoutes(List<BankCycle> bankCycles, CallbackSender callbacks, OneCardProperties properties) {
        return new GatewayRoutes(bankCycles, callbacks, properties.dispatch().cyclePeriod(), properties.callback().period());
    }

    @Bean
    IntakeStats intakeStats() {
        return new IntakeStats();
    }

    @Bean
    BatchIntake batchIntake(DataSource dataSource, BankRouting routing, SubsidyCatalogue catalogue, ItemWriter items,
            BatchWriter batches, Clock clock, OneCardProperties properties, IntakeStats stats, CallbackHosts callbackHosts) {
        return new BatchIntake(dataSource, new BatchParser(properties.intake().batchItemsMax()), new ItemChecks(routing),
                catalogue, items, batches, clock, ZONE, properties.intake().bodyBytesMax().toBytes(), stats, callbackHosts);
    }

    @Bean
    FeedLoader feedLoader(DataSource dataSource, Clock clock) {
        return new FeedLoader(dataSource, clock);
    }

    @Bean
    TreasuryInbox treasuryInbox(OneCardProperties properties, TreasuryClients clients, BatchIntake intake,
            GatewayKeys keys, Clock clock) throws java.io.IOException {
        return new TreasuryInbox(properties.inboxDir(), clients, intake, keys.privateKey(), clock, ZONE);
    }

    /** The treasury's SFTP inbox folder, when {@code onecard.folders.inbox-sftp.host} is set. */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "onecard.folders.inbox-sftp", name = "host")
    TreasurySftpInbox treasurySftpInbox(OneCardProperties properties, TreasuryInbox inbox, Alerts alerts, Leases leases) {
        OneCardProperties.InboxSftp sftp = properties.folders().inboxSftp();
        if (sftp.user() == null || sftp.clientKey() == null || sftp.hostKey() == null) {
            throw new IllegalArgumentException("onecard.folders.inbox-sftp: user, client-key and host-key are required");
        }
        FileTransportConfig.Sftp server = new FileTransportConfig.Sftp(sftp.host(), sftp.port(), sftp.user(),
                sftp.clientKey(), sftp.hostKey(), sftp.folder(), sftp.connectTimeout(), sftp.connectTimeout(),
                sftp.operationTimeout());
        return new TreasurySftpInbox(new TreasurySftpInbox.Settings(server, sftp.fileBytesMax().toBytes(), sftp.pollDelay(),
                properties.dispatch().leaseTtl()), inbox, alerts, leases);
    }

    @Bean
    FileRoutes fileRoutes(TreasuryInbox inbox, ObjectProvider<TreasurySftpInbox> sftpInbox, FeedLoader loader,
            OneCardProperties properties, Alerts alerts) throws java.io.IOException {
        TreasurySftpInbox sftp = sftpInbox.getIfAvailable();
        if (sftp == null && properties.folders().inboxSftp() != null) {
            throw new IllegalArgumentException("onecard.folders.inbox-sftp is set without its host");
        }
        return new FileRoutes(inbox, sftp, new FeedsFolder(properties.feedsDir(), loader), properties.folders().pollDelay(),
                alerts);
    }

    @Bean
    ResultFiles resultFiles(DataSource dataSource, GatewayKeys keys) {
        return new ResultFiles(dataSource, keys.privateKey(), ZONE);
    }

    @Bean
    BatchQueries batchQueries(DataSource dataSource) {
        return new BatchQueries(dataSource, ZONE);
    }
}
