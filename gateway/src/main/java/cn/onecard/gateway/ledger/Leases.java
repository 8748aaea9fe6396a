package cn.onecard.gateway.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Named leases in the ledger, so that several gateway nodes sharing one database run each bank's
 * cycle on one node at a time, and a dead node's work is taken over once its lease expires. Times are
 * the database's ({@code clock_timestamp()}), never a node's: nodes whose clocks disagree still agree
 * on who holds a lease and until when.
 */
public final class Leases {

    public static final Duration TTL_MAX = Duration.ofHours(1);

    private final DataSource dataSource;
    private final String owner;

    public Leases(DataSource dataSource, String owner) {
        this.dataSource = dataSource;
        this.owner = owner;
    }

    public String owner() {
        return owner;
    }

    /** Takes or renews the lease; true when this node holds it until the database's now + {@code ttl}. */
    public boolean acquire(String name, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(TTL_MAX) > 0) {
            throw new IllegalArgumentException("a lease lasts more than nothing and at most " + TTL_MAX + ": " + ttl);
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement upsert = connection.prepareStatement(
                        "insert into leases (name, owner, until) values (?, ?, clock_timestamp() + ? * interval '1 millisecond') "
                                + "on conflict (name) do update set owner = excluded.owner, until = excluded.until "
                                + "where leases.owner = excluded.owner or leases.until < clock_timestamp() returning owner")) {
            upsert.setString(1, name);
            upsert.setString(2, owner);
            upsert.setLong(3, ttl.toMillis());
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
