package cn.onecard.gateway.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts for the operator, stored and logged. Texts never hold personal data. The same alert (bank,
 * kind, source) is raised once while it is open and younger than {@link #REPEAT_QUIET}, so a bank
 * that stays unreachable does not write a row per cycle.
 */
public final class Alerts {

    public static final java.time.Duration REPEAT_QUIET = java.time.Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(Alerts.class);

    private final DataSource dataSource;
    private final Clock clock;

    public Alerts(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /**
     * Stores and logs an alert unless the same one (bank, kind, source) is open and younger than
     * {@link #REPEAT_QUIET}. {@code bankCode} is null for alerts that concern no bank.
     */
    public void raise(String bankCode, AlertKind kind, String source, String detail) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "insert into alerts (at, bank_code, kind, source, detail) select ?, ?, ?, ?, ? "
                                + "where not exists (select 1 from alerts where bank_code is not distinct from ? and kind = ? "
                                + "and source = ? and acknowledged_at is null and at > ?)")) {
            insert.setTimestamp(1, Timestamp.from(clock.instant()));
            insert.setString(2, bankCode);
            insert.setString(3, kind.name());
            insert.setString(4, source);
            insert.setString(5, detail);
            insert.setString(6, bankCode);
            insert.setString(7, kind.name());
            insert.setString(8, source);
            insert.setTimestamp(9, Timestamp.from(clock.instant().minus(REPEAT_QUIET)));
            if (insert.executeUpdate() > 0) {
                log.warn("ALERT {} bank={} source={}: {}", kind, bankCode, source, detail);
            } else {
                log.debug("alert {} bank={} source={} is already open", kind, bankCode, source);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while storing an alert", e);
        }
    }
}
