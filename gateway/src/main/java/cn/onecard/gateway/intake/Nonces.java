package cn.onecard.gateway.intake;

import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Spent request nonces, kept beyond the timestamp window so that a replay inside the window is
 * refused; expired ones are swept. A nonce is spent only by a request whose signature verified.
 */
public final class Nonces {

    private final DataSource dataSource;
    private final Clock clock;
    private final Duration retention;

    public Nonces(DataSource dataSource, Clock clock, Duration retention) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.retention = retention;
    }

    /** Spends a nonce in its own transaction; refuses one spent before. */
    public void spend(String clientId, String nonce) {
        try (Connection connection = dataSource.getConnection()) {
            spend(connection, clientId, nonce);
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while recording a nonce", e);
        }
    }

    /** Spends a nonce in the caller's transaction. */
    public void spend(Connection connection, String clientId, String nonce) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into nonces (client_id, nonce, expires_at) values (?, ?, ?) "
                        + "on conflict (client_id, nonce) do update set expires_at = excluded.expires_at "
                        + "where nonces.expires_at <= ?")) {
            insert.setString(1, clientId);
            insert.setString(2, nonce);
            insert.setTimestamp(3, Timestamp.from(clock.instant().plus(retention)));
            insert.setTimestamp(4, Timestamp.from(clock.instant()));
            if (insert.executeUpdate() == 0) {
                throw new ApiException(ApiCode.NONCE_REPLAYED, "the nonce was used before");
            }
        }
    }

    /** Removes expired nonces; returns how many. */
    public int sweep() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement("delete from nonces where expires_at <= ?")) {
            delete.setTimestamp(1, Timestamp.from(clock.instant()));
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while sweeping nonces", e);
        }
    }
}
