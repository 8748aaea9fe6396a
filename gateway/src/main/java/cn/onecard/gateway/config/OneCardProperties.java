package cn.onecard.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The gateway's configuration under {@code onecard.*} (docs/configuration.md).
 *
 * @param dataDir    where the embedded PostgreSQL, the inbox and the feeds folder live
 * @param gatewayId  the gateway's name in the callbacks it signs
 * @param gatewayKey the gateway's SM2 private key (PEM file): signs callbacks, receipts and bank
 *                   files, opens treasury batch files
 * @param nodeId     this node's name in leases; defaults to host name and process id
 */
@ConfigurationProperties("onecard")
public record OneCardProperties(
        @DefaultValue("./data") Path dataDir,
        @DefaultValue("onecard-gateway") String gatewayId,
        Path gatewayKey,
        String nodeId,
        @DefaultValue Treasury treasury,
        @DefaultValue Intake intake,
        @DefaultValue Catalogue catalogue,
        @DefaultValue Dispatch dispatch,
        @DefaultValue Callback callback,
        @DefaultValue Folders folders,
        Map<String, Bank> banks) {

    public OneCardProperties {
        banks = banks == null ? Map.of() : Map.copyOf(banks);
    }

    /** The treasury clients allowed to submit batches. */
    public record Treasury(List<Client> clients) {
        public Treasury {
            clients = clients == null ? List.of() : List.copyOf(clients);
        }
    }

    /** A treasury client: its id (header {@code X-OneCard-Client}) and its SM2 public key (PEM file). */
    public record Client(String id, Path publicKey) {
    }

    /** Limits of the batch intake. */
    public record Intake(
            @DefaultValue("512MB") DataSize bodyBytesMax,
            @DefaultValue("2000000") int batchItemsMax,
            @DefaultValue("5m") Duration timestampWindow,
            @DefaultValue("10m") Duration nonceRetention) {
    }

    /** How each bank's cycle runs. */
    public record Dispatch(
            @DefaultValue("1s") Duration cyclePeriod,
            @DefaultValue("30s") Duration leaseTtl,
            @DefaultValue("30s") Duration retryAfter,
            @DefaultValue("2") int resendsMax) {
    }

    /** The treasury inbox and the feeds folder (default: under the data directory) and how often they are polled. */
    public record Folders(Path inbox, Path feeds, @DefaultValue("500ms") Duration pollDelay) {
    }

    public Path inboxDir() {
        return folders.inbox() != null ? folders.inbox() : dataDir.resolve("inbox");
    }

    public Path feedsDir() {
        return folders.feeds() != null ? folders.feeds() : dataDir.resolve("feeds");
    }

    /** How callbacks are delivered. */
    public record Callback(
            @DefaultValue("500ms") Duration period,
            @DefaultValue("1000") int chunkItems) {
    }

    /** Where the subsidy catalogue is read from (a Spring resource location). */
    public record Catalogue(@DefaultValue("classpath:onecard/catalogue.properties") String location) {
    }

    /** One agent bank: the BINs routed to it (its adapter's settings follow in the bank's section). */
    public record Bank(List<String> bins) {
        public Bank {
            bins = bins == null ? List.of() : List.copyOf(bins);
        }
    }
}
