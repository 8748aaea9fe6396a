package cn.onecard.gateway.intake;

import cn.onecard.gateway.feeds.FeedLoader;
import cn.onecard.gateway.ledger.BatchWriter;
import cn.onecard.gateway.ledger.ItemWriter;
import cn.onecard.gateway.ledger.ReportOutbox;
import cn.onecard.gateway.validation.BankRouting;
import cn.onecard.gateway.validation.CardNumbers;
import cn.onecard.gateway.validation.IdentityNumbers;
import cn.onecard.gateway.validation.ItemChecks;
import cn.onecard.gateway.validation.SubsidyCatalogue;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real {@link BatchIntake}, built by hand without Spring on an embedded PostgreSQL holding the
 * ledger's schema, with the feed loader and what tests need to make batches and read the ledger.
 */
final class HandBuiltIntake implements AutoCloseable {

    static final String CLIENT_ID = "hand-built";
    /** LYB's BIN: the one bank this intake routes to. */
    static final String BIN = "623595";
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    /** One item as the treasury sends it; the name and item id are made up when the batch is written. */
    record Item(String idNumber, String cardNumber, long amountFen, boolean householdHead) {
    }

    private final EmbeddedPostgres postgres;
    private final DataSource ledger;
    private final BatchIntake intake;
    private final FeedLoader feeds;

    /**
     * @param serverSettings PostgreSQL settings of the embedded server
     * @param intakeConnections where the intake takes its connections, given the server's JDBC URL;
     *        null for the plain ones
     */
    static HandBuiltIntake start(Map<String, String> serverSettings,
            Function<String, DataSource> intakeConnections) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        serverSettings.forEach(builder::setServerConfig);
        return new HandBuiltIntake(builder.start(), intakeConnections);
    }

    private HandBuiltIntake(EmbeddedPostgres postgres, Function<String, DataSource> intakeConnections)
            throws IOException {
        this.postgres = postgres;
        this.ledger = postgres.getPostgresDatabase();
        Flyway.configure().dataSource(ledger).locations("classpath:db/migration").load().migrate();
        Clock clock = Clock.systemUTC();
        SubsidyCatalogue catalogue;
        try (InputStream in = HandBuiltIntake.class.getResourceAsStream("/onecard/catalogue.properties")) {
            catalogue = SubsidyCatalogue.read(in, "catalogue.properties");
        }
        DataSource connections = intakeConnections == null ? ledger
                : intakeConnections.apply(postgres.getJdbcUrl("postgres", "postgres"));
        ReportOutbox outbox = new ReportOutbox(JSON, clock, ZONE, 1_000);
        this.intake = new BatchIntake(connections, new BatchParser(1_000_000),
                new ItemChecks(BankRouting.of(Map.of("LYB", List.of(BIN)))), catalogue, new ItemWriter(outbox, clock),
                new BatchWriter(outbox, clock), clock, ZONE, 1L << 30, new IntakeStats(),
                new cn.onecard.gateway.results.CallbackHosts(Map.of(CLIENT_ID, List.of("127.0.0.1")),
                        java.net.InetAddress::getAllByName));
        this.feeds = new FeedLoader(ledger, clock);
    }

    DataSource ledger() {
        return ledger;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }

    // ---- people and cards

    /** A valid identity number of its own for each {@code person} from 0 to about 18 million. */
    static String idNumber(int person) {
        LocalDate birth = LocalDate.of(1950, 1, 1).plusDays(person / 999);
        String first17 = "410305" + birth.toString().replace("-", "") + String.format("%03d", person % 999 + 1);
        return first17 + IdentityNumbers.checkCharacter(first17);
    }

    /** A valid LYB card number of its own for each {@code card} up to a billion. */
    static String card(int card) {
        String payload = BIN + String.format("%09d", card);
        return payload + CardNumbers.luhnDigit(payload);
    }

    /** The same identity number with a wrong check character. */
    static String brokenCheck(String idNumber) {
        char last = idNumber.charAt(17);
        return idNumber.substring(0, 17) + (last == '0' ? '1' : last == 'X' ? '0' : (char) (last - 1));
    }

    // ---- taking batches in

    /** Submits the items as an inbox file would bring them (JSON Lines, the envelope already opened). */
    BatchIntake.Accepted takeIn(String batchId, String programme, String period, List<Item> items) {
        return intake.submit(CLIENT_ID, BatchIntake.Source.FILE, BatchIntake.Format.JSON_LINES,
                new ByteArrayInputStream(jsonLines(batchId, programme, period, items)));
    }

    private static byte[] jsonLines(String batchId, String programme, String period, List<Item> items) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("batchId", batchId);
        header.put("programCode", programme);
        header.put("programName", "困难残疾人生活补贴");
        header.put("period", period);
        header.put("payerAccount", "4103000001");
        header.put("callbackUrl", "http://127.0.0.1:1/callbacks");
        header.put("itemCount", items.size());
        header.put("totalAmountFen", items.stream().mapToLong(Item::amountFen).sum());
        StringBuilder out = new StringBuilder(JSON.writeValueAsString(header)).append('\n');
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            out.append("{\"itemId\":\"i").append(i + 1).append("\",\"name\":\"张三\",\"idNumber\":\"").append(item.idNumber())
                    .append("\",\"cardNumber\":\"").append(item.cardNumber()).append("\",\"amountFen\":").append(item.amountFen())
                    .append(",\"householdHead\":").append(item.householdHead()).append("}\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    void loadFeed(FeedLoader.Feed feed, String csv) throws IOException {
        feeds.load(feed, new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
    }

    // ---- reading the ledger

    /** Each item's {@code STATE:CODE} ({@code VALIDATED:} without a code), in batch order. */
    List<String> verdicts(long batchPk) throws SQLException {
        return strings("select state || ':' || coalesce(code, '') from items where batch_pk = ? order by seq", batchPk);
    }

    List<String> strings(String sql, Object... parameters) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = ledger.getConnection(); PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
        }
        return values;
    }

    long count(String sql, Object... parameters) throws SQLException {
        return Long.parseLong(strings(sql, parameters).getFirst());
    }

    void execute(String sql) throws SQLException {
        try (Connection connection = ledger.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.execute();
        }
    }
}
