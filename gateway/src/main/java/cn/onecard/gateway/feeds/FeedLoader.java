package cn.onecard.gateway.feeds;

import cn.onecard.crypto.Sm3InputStream;
import cn.onecard.gateway.db.CopyRows;
import cn.onecard.gateway.validation.BlockReason;
import cn.onecard.gateway.validation.CardRegistryState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a screening feed (docs/files/feeds.md) as a full snapshot: every line checked, then the
 * old snapshot replaced whole in one transaction. A file with any bad line is refused whole,
 * naming the line number, never its content; the previous snapshot stays.
 */
public final class FeedLoader {

    private static final Logger log = LoggerFactory.getLogger(FeedLoader.class);

    private static final Pattern CARD = Pattern.compile("[0-9]{16}|[0-9]{19}");
    private static final Pattern ID_NUMBER = Pattern.compile("[0-9]{17}[0-9X]");
    // the feeds' vocabularies are the enums the intake maps to item codes, so the two cannot drift apart
    private static final Set<String> CARD_STATES = names(CardRegistryState.values());
    private static final Set<String> BLOCK_REASONS = names(BlockReason.values());

    /** The two feeds. */
    public enum Feed {
        CARD_REGISTRY("card_number,id_number,state", "card_registry"),
        BLOCKED_PERSONS("id_number,reason", "blocked_persons");

        private final String header;
        private final String table;

        Feed(String header, String table) {
            this.header = header;
            this.table = table;
        }

        /** The feed a file name belongs to, or null. */
        public static Feed forFileName(String fileName) {
            if (fileName.startsWith("card-registry") && fileName.endsWith(".csv")) {
                return CARD_REGISTRY;
            }
            if (fileName.startsWith("blocked-persons") && fileName.endsWith(".csv")) {
                return BLOCKED_PERSONS;
            }
            return null;
        }
    }

    /** A feed file that cannot be loaded; the message names the line, never its content. */
    public static final class FeedRefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FeedRefusedException(String message) {
            super(message, null, false, false);
        }
    }

    private final DataSource dataSource;
    private final Clock clock;

    public FeedLoader(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    private static Set<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).collect(Collectors.toUnmodifiableSet());
    }

    /** Loads the feed; returns the number of rows. */
    public int load(Feed feed, InputStream content) throws IOException {
        Sm3InputStream hashing = new Sm3InputStream(content);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int rows = loadInTransaction(connection, feed, hashing);
                connection.commit();
                log.info("feed {} loaded: {} rows", feed, rows);
                return rows;
            } catch (SQLException | IOException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new FeedRefusedException("the feed lists the same " + (feed == Feed.CARD_REGISTRY ? "card" : "person")
                        + " twice");
            }
            throw new IllegalStateException("the ledger failed while loading feed " + feed, e);
        }
    }

    private int loadInTransaction(Connection connection, Feed feed, Sm3InputStream content)
            throws SQLException, IOException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("create temp table feed_rows (like " + feed.table + " including all) on commit drop");
        }
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        PGCopyOutputStream copy = new PGCopyOutputStream(connection.unwrap(PGConnection.class), "copy feed_rows from stdin");
        int rows = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(content, decoder))) {
            CopyRows out = new CopyRows(copy);
            String header = reader.readLine();
            if (header == null || !header.strip().equals(feed.header)) {
                throw new FeedRefusedException("line 1 must be the header " + feed.header);
            }
            int lineNumber = 1;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.strip().split(",", -1);
                switch (feed) {
                    case CARD_REGISTRY -> {
                        if (fields.length != 3 || !CARD.matcher(fields[0]).matches()
                                || !ID_NUMBER.matcher(fields[1]).matches() || !CARD_STATES.contains(fields[2])) {
                            throw new FeedRefusedException("line " + lineNumber + " is not card_number,id_number,state");
                        }
                        out.text(fields[0]).text(fields[1]).text(fields[2]);
                    }
                    case BLOCKED_PERSONS -> {
                        if (fields.length != 2 || !ID_NUMBER.matcher(fields[0]).matches()
                                || !BLOCK_REASONS.contains(fields[1])) {
                            throw new FeedRefusedException("line " + lineNumber + " is not id_number,reason");
                        }
                        out.text(fields[0]).text(fields[1]);
                    }
                }
                out.endRow();
                rows++;
            }
            out.flush();
            copy.endCopy();
        } catch (CharacterCodingException e) {
            throw new FeedRefusedException("the feed is not UTF-8 text");
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("delete from " + feed.table);
            statement.execute("insert into " + feed.table + " select * from feed_rows");
        }
        try (PreparedStatement record = connection.prepareStatement(
                "insert into feed_loads (feed, rows_loaded, content_sm3, loaded_at) values (?, ?, ?, ?) "
                        + "on conflict (feed) do update set rows_loaded = excluded.rows_loaded, "
                        + "content_sm3 = excluded.content_sm3, loaded_at = excluded.loaded_at")) {
            record.setString(1, feed.name());
            record.setInt(2, rows);
            record.setString(3, content.digestToEndHex());
            record.setTimestamp(4, Timestamp.from(clock.instant()));
            record.executeUpdate();
        }
        return rows;
    }
}
