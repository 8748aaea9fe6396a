package cn.onecard.gateway.ledger;

import cn.onecard.iso8583.InputText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
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

    /** An alert stored in a transaction, to be logged once that transaction has committed. */
    public record Stored(String bankCode, AlertKind kind, String source, String detail) {
        public void log() {
            // sources and details may hold pieces of input (a file name): escaped, so no line can be forged
            log.warn("ALERT {} bank={} source={}: {}", kind, bankCode, InputText.quoted(source), InputText.escaped(detail));
        }
    }

    /**
     * Stores and logs an alert in a transaction of its own unless the same one (bank, kind, source) is
     * open and younger than {@link #REPEAT_QUIET}. {@code bankCode} is null for alerts that concern no bank.
     */
    public void raise(String bankCode, AlertKind kind, String source, String detail) {
        try (Connection connection = dataSource.getConnection()) {
            // one transaction: the lock store() takes holds until the insert is committed
            connection.setAutoCommit(false);
            Optional<Stored> stored;
            try {
                stored = store(connection, bankCode, kind, source, detail);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
            stored.ifPresent(Stored::log);
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while storing an alert", e);
        }
    }

    /**
     * Stores an alert in the caller's transaction, so that it commits with the change it reports or not
     * at all; empty when the same one is open and younger than {@link #REPEAT_QUIET}. The caller logs
     * what was stored after committing.
     */
    public Optional<Stored> store(Connection connection, String bankCode, AlertKind kind, String source, String detail)
            throws SQLException {
        // two raisers of the same alert at once (the inbox's two pollers) would both find none open: the
        // second waits here for the first to commit, and its insert's own snapshot then sees it
        try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            lock.setString(1, "alert " + bankCode + " " + kind.name() + " " + source);
            lock.execute();
        }
        try (PreparedStatement insert = connection.prepareStatement(
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
                return Optional.of(new Stored(bankCode, kind, source, detail));
            }
            log.debug("alert {} bank={} source={} is already open", kind, bankCode, source);
            return Optional.empty();
        }
    }
}
