package cn.onecard.gateway.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A build check: no code but the three writers writes a state column. It reads every main source
 * file of the gateway, joins the SQL string literals each statement is built from, and looks for a
 * statement that inserts or copies into {@code items}, {@code dispatches} or {@code batches}, or
 * updates one of them setting {@code state}. Such a statement outside {@link ItemWriter},
 * {@link DispatchWriter} and {@link BatchWriter} fails the build: every transition goes through a
 * state machine.
 */
class StateWritersOnlyTest {

    private static final Set<String> WRITERS = Set.of("ItemWriter.java", "DispatchWriter.java", "BatchWriter.java");
    private static final Pattern TEXT_BLOCK = Pattern.compile("\"\"\"(.*?)\"\"\"", Pattern.DOTALL);
    /** Possessive: a long literal is matched by a loop, not by one stack frame per character. */
    private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]++|\\\\.)*+)\"");
    /** A literal, a plus, maybe one expression and a plus, another literal: parts of one statement. */
    private static final Pattern JOINED = Pattern.compile("\"\\s*\\+\\s*(?:[A-Za-z_][A-Za-z0-9_.()]*\\s*\\+\\s*)?\"");
    /** One of the three tables, perhaps schema-qualified or quoted ({@code public.items}, {@code "items"}). */
    private static final String TABLE = "(?:\\\\?\"?\\w+\\\\?\"?\\.)?\\\\?\"?(?:items|dispatches|batches)\\\\?\"?(?![\\w.])";
    private static final Pattern INSERTS_OR_COPIES = Pattern.compile("(?i)\\b(?:insert\\s+into|copy)\\s+" + TABLE);
    private static final Pattern UPDATES = Pattern.compile("(?i)\\bupdate\\s+(?:only\\s+)?" + TABLE);
    private static final Pattern SET = Pattern.compile("(?i)\\bset\\b");
    private static final Pattern WHERE = Pattern.compile("(?i)\\bwhere\\b");
    private static final Pattern STATE_ASSIGNED = Pattern.compile("(?i)\\bstate\\s*=");

    /** Every SQL-like string of a source: its text blocks, and its literals with the parts of one statement joined. */
    static List<String> statements(String source) {
        List<String> statements = new ArrayList<>();
        Matcher blocks = TEXT_BLOCK.matcher(source);
        while (blocks.find()) {
            statements.add(blocks.group(1));
        }
        String withoutBlocks = TEXT_BLOCK.matcher(source).replaceAll("\"\"");
        String joined = JOINED.matcher(withoutBlocks).replaceAll("");
        Matcher literals = LITERAL.matcher(joined);
        while (literals.find()) {
            statements.add(literals.group(1));
        }
        return statements;
    }

    static List<String> stateWrites(String source) {
        return statements(source).stream().filter(StateWritersOnlyTest::writesState).toList();
    }

    /**
     * Whether a statement inserts or copies into a stateful table, or updates one setting {@code state}
     * before its {@code where}. Found clause by clause with plain searches: a pattern stepping a
     * look-ahead over each character overflowed the stack on a long text block.
     */
    static boolean writesState(String statement) {
        if (INSERTS_OR_COPIES.matcher(statement).find()) {
            return true;
        }
        Matcher update = UPDATES.matcher(statement);
        while (update.find()) {
            int end = statement.indexOf(';', update.end());
            String rest = statement.substring(update.end(), end < 0 ? statement.length() : end);
            Matcher set = SET.matcher(rest);
            if (set.find()) {
                Matcher where = WHERE.matcher(rest);
                String assignments = rest.substring(set.end(), where.find(set.end()) ? where.start() : rest.length());
                if (STATE_ASSIGNED.matcher(assignments).find()) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void onlyTheWritersWriteAStateColumn() throws IOException {
        Path here = Path.of("").toAbsolutePath();
        Path sources = Stream.of(here.resolve("src/main/java"), here.resolve("gateway/src/main/java")).filter(Files::isDirectory)
                .findFirst().orElseThrow(() -> new AssertionError("the gateway's sources are not under " + here));
        List<String> offences = new ArrayList<>();
        int writersWriting = 0;
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                List<String> writes = stateWrites(read(file));
                if (WRITERS.contains(file.getFileName().toString())) {
                    writersWriting += writes.isEmpty() ? 0 : 1;
                } else {
                    writes.forEach(write -> offences.add(sources.relativize(file) + ": " + write.strip()));
                }
            }
        }
        assertThat(offences).as("state columns written outside the writers").isEmpty();
        assertThat(writersWriting).as("the three writers do write states (the check sees them)").isEqualTo(3);
    }

    @Test
    void theCheckFindsAStateWrittenByAStatementBuiltInPieces() {
        Map<String, Boolean> sources = Map.of(
                "x.prepareStatement(\"update items i set state = 'PAID', \"\n + \"code = ?\")", true,
                "x.prepareStatement(\"update dispatches set updated_at = ?, \"\n  + \"state = '\" + NEXT + \"' where pk = ?\")", true,
                "x.prepareStatement(\"insert into batches (batch_id, state) values (?, ?)\")", true,
                "String sql = \"\"\"\n  with w as (insert into items (seq, state) select 1, 'X')\n  select 1\"\"\";", true,
                "x.execute(\"copy items (batch_pk) from stdin\")", true,
                "x.prepareStatement(\"update items set bank_code = ? where state = 'VALIDATED'\")", false,
                "x.prepareStatement(\"select state from items\")", false,
                "x.prepareStatement(\"update callback_outbox set delivered_at = ?\")", false);
        sources.forEach((source, writes) -> assertThat(stateWrites(source)).as(source).hasSize(writes ? 1 : 0));
    }

    @Test
    void theCheckSeesTheTablesQualifiedOrQuoted_andNoOtherTable() {
        Map<String, Boolean> sources = Map.of(
                "x.prepareStatement(\"update public.items set state = ?\")", true,
                "x.prepareStatement(\"insert into \\\"dispatches\\\" (state) values (?)\")", true,
                "x.prepareStatement(\"update only batches set state = ?\")", true,
                "x.prepareStatement(\"update items_archive set state = ?\")", false,
                "x.prepareStatement(\"insert into batches_seen (state) values (?)\")", false);
        sources.forEach((source, writes) -> assertThat(stateWrites(source)).as(source).hasSize(writes ? 1 : 0));
    }

    @Test
    void aVeryLongStatementIsCheckedWithoutOverflowingTheStack() {
        String assignments = "note = 'x', ".repeat(100_000);
        assertThat(stateWrites("x.prepareStatement(\"\"\"\n update items set " + assignments + "state = ? where pk = ?\"\"\")"))
                .hasSize(1);
        assertThat(stateWrites("x.prepareStatement(\"update items set " + assignments + "code = ? where state = ?\")")).isEmpty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
