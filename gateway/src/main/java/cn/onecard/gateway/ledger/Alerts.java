package cn.onecard.gateway.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Alerts for the operator, stored and logged. Texts never hold personal data. */
public final class Alerts {

    private static final Logger log = LoggerFactory.getLogger(Alerts.class);

    private final DataSource dataSource;
    private final Clock clock;

    public Alerts(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public void raise(String bankCode, String kind, String source, String detail) {
        log.warn("ALERT {} bank={} source={}: {}", kind, bankCode, source, detail);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "insert into alerts (at, bank_code, kind, source, detail) values (?, ?, ?, ?, ?)")) {
            insert.setTimestamp(1, Timestamp.from(clock.instant()));
            insert.setString(2, bankCode);
            insert.setString(3, kind);
            insert.setString(4, source);
            insert.setString(5, detail);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while storing an alert", e);
        }
    }
}
