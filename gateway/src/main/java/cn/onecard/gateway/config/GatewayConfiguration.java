package cn.onecard.gateway.config;

import cn.onecard.gateway.intake.BatchIntake;
import cn.onecard.gateway.intake.BatchParser;
import cn.onecard.gateway.intake.BatchQueries;
import cn.onecard.gateway.intake.Nonces;
import cn.onecard.gateway.intake.RequestAuthenticator;
import cn.onecard.gateway.intake.TreasuryClients;
import cn.onecard.gateway.ledger.ReportOutbox;
import cn.onecard.gateway.validation.BankRouting;
import cn.onecard.gateway.validation.ItemChecks;
import cn.onecard.gateway.validation.SubsidyCatalogue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import tools.jackson.databind.json.JsonMapper;

/** Wires the gateway's parts from {@link OneCardProperties}. */
@Configuration(proxyBeanMethods = false)
public class GatewayConfiguration {

    /** The programme's business day and every time the treasury sees are China Standard Time. */
    public static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    @Bean
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
    RequestAuthenticator requestAuthenticator(TreasuryClients clients, Clock clock, OneCardProperties properties) {
        return new RequestAuthenticator(clients, clock, properties.intake().timestampWindow());
    }

    @Bean
    Nonces nonces(DataSource dataSource, Clock clock, OneCardProperties properties) {
        return new Nonces(dataSource, clock, properties.intake().nonceRetention());
    }

    @Bean
    ReportOutbox reportOutbox(Clock clock) {
        return new ReportOutbox(JsonMapper.builder().build(), clock, ZONE, 1_000);
    }

    @Bean
    BatchIntake batchIntake(DataSource dataSource, BankRouting routing, SubsidyCatalogue catalogue, ReportOutbox outbox,
            Clock clock, Nonces nonces, OneCardProperties properties) {
        return new BatchIntake(dataSource, new BatchParser(properties.intake().batchItemsMax()), new ItemChecks(routing),
                catalogue, outbox, clock, ZONE, properties.intake().bodyBytesMax().toBytes(), nonces);
    }

    @Bean
    BatchQueries batchQueries(DataSource dataSource) {
        return new BatchQueries(dataSource, ZONE);
    }
}
