package cn.onecard.gateway.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Named leases in the ledger, so that several gateway nodes sharing one database run each bank's
 * cycle on one node at a time, and a dead node's work is taken over once its lease expires.
 */
public final class Leases {

    private final DataSource dataSource;
    private final Clock clock;
    private final String owner;

    public Leases(DataSource dataSource, Clock clock, String owner) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.owner = owner;
    }

    public String owner() {
        return owner;
    }

    /** Takes or renews the lease; true when this node holds it until {@code now + ttl}. */
    public boolean acquire(String name, Duration ttl) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement upsert = connection.prepareStatement(
                        "insert into leases (name, owner, until) values (?, ?, ?) "
                                + "on conflict (name) do update set owner = excluded.owner, until = excluded.until "
                                + "where leases.owner = excluded.owner or leases.until < ? returning owner")) {
            Timestamp now = Timestamp.from(clock.instant());
            upsert.setString(1, name);
            upsert.setString(2, owner);
            upsert.setTimestamp(3, Timestamp.from(clock.instant().plus(ttl)));
            upsert.setTimestamp(4, now);
            try (ResultSet rows = upsert.executeQuery()) {
                return rows.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while taking lease " + name, e);
        }
    }

    /** Gives the lease up, if this node holds it. */
    public void release(String name) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement("delete from leases where name = ? and owner = ?")) {
            delete.setString(1, name);
            delete.setString(2, owner);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while releasing lease " + name, e);
        }
    }
}
