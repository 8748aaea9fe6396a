package cn.onecard.gateway.intake;

import static cn.onecard.gateway.intake.HandBuiltIntake.brokenCheck;
import static cn.onecard.gateway.intake.HandBuiltIntake.card;
import static cn.onecard.gateway.intake.HandBuiltIntake.idNumber;
import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.gateway.feeds.FeedLoader;
import cn.onecard.gateway.intake.HandBuiltIntake.Item;
import cn.onecard.gateway.testing.PlanCapturingDataSource.CapturedPlan;
import cn.onecard.gateway.testing.PlanCapturingDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The intake's statements read a number of rows that grows linearly with the batch, whatever the
 * statistics say. The real {@link BatchIntake} takes in batches of 10,000 to 100,000 items that the
 * statistics have never seen (the tables were analysed while they held one small batch, and
 * autovacuum is off), and PostgreSQL's auto_explain hands back the plan of every statement it runs
 * with actual row counts. What is asserted is a count of rows, never a time.
 *
 * <p>{@code -Donecard.test.intake-plan-sizes=10000,20000} runs other sizes (the first is the base);
 * {@code -Donecard.test.intake-plans-file=FILE} writes the plans out.
 */
class IntakePlansTest {

    private static final List<Integer> BATCH_ITEMS = Arrays.stream(
            System.getProperty("onecard.test.intake-plan-sizes", "10000,20000,50000,100000").split(","))
            .map(String::strip).map(Integer::valueOf).toList();
    /** Linear: a statement may read at most this much more per item in the largest batch than in the smallest. */
    private static final double ROWS_PER_ITEM_GROWTH_MAX = 1.5;
    /**
     * A statement reading fewer rows per item than this in the largest batch is not a bulk one: it
     * reads a row or two of the batch's header or the outbox, and how many depends on the other
     * batches in the ledger, not on this one's size. It is printed, not held to linear growth.
     */
    private static final double BULK_ROWS_PER_ITEM_MIN = 0.01;
    /** No plan node reads more rows than this many per item; a join re-reading the batch per item reads thousands. */
    private static final int NODE_ROWS_PER_ITEM_MAX = 4;

    private static final String PROGRAMME = "P29";
    private static final long PROGRAMME_CAP_FEN = 300_000;
    private static final long AMOUNT_FEN = 9_000;

    private static PlanCapturingDataSource capturing;
    private static HandBuiltIntake ledger;
    /** Numbers people and cards: each one new, so that no two items share a person or card by chance. */
    private static int nextPerson;

    @BeforeAll
    static void startDatabase() throws IOException {
        // the statistics change only when this test analyses
        ledger = HandBuiltIntake.start(Map.of("autovacuum", "off"), url -> {
            capturing = new PlanCapturingDataSource();
            capturing.setURL(url);
            return capturing;
        });
    }

    @AfterAll
    static void stopDatabase() throws IOException {
        if (ledger != null) {
            ledger.close();
        }
    }

    // ---- a world in which every item's code is known in advance

    /** What an item is made to meet; each kind fails at most one check, so its code is known. */
    private enum Kind {
        ID_CHECKSUM("REJECTED:ID_NUMBER_CHECKSUM"),
        ZERO_AMOUNT("REJECTED:AMOUNT_NOT_POSITIVE"),
        OVER_CAP("REJECTED:AMOUNT_OVER_CAP"),
        DECEASED("REJECTED:PERSON_DECEASED"),
        BLOCKED("REJECTED:PERSON_BLOCKED"),
        CARD_UNREGISTERED("REJECTED:CARD_NOT_IN_REGISTRY"),
        CARD_OF_ANOTHER_HOLDER("REJECTED:CARD_HOLDER_MISMATCH"),
        CARD_NOT_ACTIVATED("REJECTED:CARD_NOT_ACTIVATED"),
        CARD_LOST_TEMPORARY("REJECTED:CARD_LOST_TEMPORARY"),
        CARD_LOST_FORMAL("REJECTED:CARD_LOST_FORMAL"),
        CARD_CANCELLED("REJECTED:CARD_CANCELLED"),
        CARD_FROZEN("REJECTED:CARD_FROZEN"),
        /** The person of the item before, whose card is frozen: the first item of the person still passing. */
        AGAIN_AFTER_A_REJECTED_ITEM("VALIDATED:"),
        /** The person of the GOOD item 50 before. */
        AGAIN_IN_THE_BATCH("HELD:DUPLICATE_IN_BATCH"),
        /** A person an earlier batch of the same programme and period pays. */
        PAID_BY_AN_EARLIER_BATCH("HELD:DUPLICATE_ACROSS_BATCHES"),
        GOOD("VALIDATED:");

        final String stateAndCode;

        Kind(String stateAndCode) {
            this.stateAndCode = stateAndCode;
        }

        /** Of every hundred items, the 51st to the 65th are one of each kind but GOOD, the others GOOD. */
        static Kind of(int index) {
            int special = index % 100 - 50;
            return special >= 0 && special < GOOD.ordinal() ? values()[special] : GOOD;
        }
    }

    /** A batch, the feeds it meets, the earlier batch some of its persons are in, and the expected verdicts. */
    private record World(List<Item> items, List<Item> earlierItems, String registryCsv, String blockedCsv,
            Map<String, Integer> expected) {
    }

    private static World world(int itemCount) {
        List<Item> items = new ArrayList<>(itemCount);
        List<Item> earlier = new ArrayList<>();
        StringBuilder registry = new StringBuilder("card_number,id_number,state\n");
        StringBuilder blocked = new StringBuilder("id_number,reason\n");
        Map<String, Integer> expected = new TreeMap<>();
        for (int index = 0; index < itemCount; index++) {
            Kind kind = Kind.of(index);
            int person = nextPerson++;
            String id = idNumber(person);
            String card = card(person);
            String registryState = "NORMAL";
            long amount = AMOUNT_FEN;
            switch (kind) {
                case ID_CHECKSUM -> id = brokenCheck(id);
                case ZERO_AMOUNT -> amount = 0;
                case OVER_CAP -> amount = PROGRAMME_CAP_FEN + 1;
                case DECEASED -> blocked.append(id).append(",DECEASED\n");
                case BLOCKED -> blocked.append(id).append(",BLOCKED\n");
                case CARD_UNREGISTERED -> registryState = null;
                case CARD_NOT_ACTIVATED -> registryState = "NOT_ACTIVATED";
                case CARD_LOST_TEMPORARY -> registryState = "LOST_TEMPORARY";
                case CARD_LOST_FORMAL -> registryState = "LOST_FORMAL";
                case CARD_CANCELLED -> registryState = "CANCELLED";
                case CARD_FROZEN -> registryState = "FROZEN";
                case AGAIN_AFTER_A_REJECTED_ITEM -> id = items.get(index - 1).idNumber();
                case AGAIN_IN_THE_BATCH -> id = items.get(index - 50).idNumber();
                case PAID_BY_AN_EARLIER_BATCH -> {
                    int earlierPerson = nextPerson++;
                    earlier.add(new Item(id, card(earlierPerson), AMOUNT_FEN, false));
                    registry.append(card(earlierPerson)).append(',').append(id).append(",NORMAL\n");
                }
                case CARD_OF_ANOTHER_HOLDER, GOOD -> {
                    // the registry line below names another holder for CARD_OF_ANOTHER_HOLDER
                }
            }
            String registeredHolder = kind == Kind.CARD_OF_ANOTHER_HOLDER ? idNumber(nextPerson++) : id;
            if (registryState != null) {
                registry.append(card).append(',').append(registeredHolder).append(',').append(registryState).append('\n');
            }
            items.add(new Item(id, card, amount, false));
            expected.merge(kind.stateAndCode, 1, Integer::sum);
        }
        return new World(items, earlier, registry.toString(), blocked.toString(), expected);
    }

    // ---- the measurement

    /** The rows each statement of one intake read, by statement. */
    private record Measured(int items, Map<String, Long> rowsByStatement, Map<String, JsonNode> heaviestNodeByStatement) {
        double perItem(String statement) {
            return rowsByStatement.getOrDefault(statement, 0L) / (double) items;
        }
    }

    private static Measured measure(int items, List<CapturedPlan> plans) {
        Map<String, Long> rows = new LinkedHashMap<>();
        Map<String, JsonNode> heaviest = new LinkedHashMap<>();
        for (CapturedPlan plan : plans) {
            rows.merge(plan.statement(), plan.rowsRead(), Long::sum);
            for (JsonNode node : plan.nodes()) {
                JsonNode known = heaviest.get(plan.statement());
                if (known == null || CapturedPlan.rowsRead(node) > CapturedPlan.rowsRead(known)) {
                    heaviest.put(plan.statement(), node);
                }
            }
        }
        return new Measured(items, rows, heaviest);
    }

    @Test
    void intake_readsRowsInProportionToTheBatch_whateverTheStatisticsSay() throws Exception {
        // statistics of a ledger holding one small batch: to the planner, any other batch has one row
        List<Item> seed = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            int person = nextPerson++;
            seed.add(new Item(idNumber(person), card(person), AMOUNT_FEN, false));
        }
        ledger.takeIn("SEED", PROGRAMME, "202512", seed);
        ledger.execute("analyze");

        List<Measured> runs = new ArrayList<>();
        for (int size = 0; size < BATCH_ITEMS.size(); size++) {
            int itemCount = BATCH_ITEMS.get(size);
            World world = world(itemCount);
            String period = "2026" + String.format("%02d", size + 1);
            ledger.loadFeed(FeedLoader.Feed.CARD_REGISTRY, world.registryCsv());
            ledger.loadFeed(FeedLoader.Feed.BLOCKED_PERSONS, world.blockedCsv());
            ledger.takeIn("EARLIER-" + itemCount, PROGRAMME, period, world.earlierItems());
            capturing.drain();

            BatchIntake.Accepted accepted = ledger.takeIn("MEASURED-" + itemCount, PROGRAMME, period, world.items());

            List<CapturedPlan> plans = capturing.drain();
            assertThat(accepted.created()).isTrue();
            Map<String, Integer> verdicts = new TreeMap<>();
            ledger.verdicts(accepted.batchPk()).forEach(verdict -> verdicts.merge(verdict, 1, Integer::sum));
            assertThat(verdicts).as("the verdicts of %,d items", itemCount).isEqualTo(world.expected());
            assertThat(ledger.count("select count(*) from item_events where batch_pk = ? and from_state = 'RECEIVED' and cause = 'intake'",
                    accepted.batchPk())).as("one intake event per item").isEqualTo(itemCount);
            assertThat(ledger.count("select count(*) from entitlements where batch_pk = ?", accepted.batchPk()))
                    .as("a claim per validated item").isEqualTo(world.expected().entrySet().stream()
                            .filter(e -> e.getKey().startsWith("VALIDATED")).mapToLong(Map.Entry::getValue).sum());
            runs.add(measure(itemCount, plans));
            writePlans(itemCount, plans);
        }
        print(runs);

        Measured smallest = runs.getFirst();
        Measured largest = runs.getLast();
        List<String> bulkStatements = largest.rowsByStatement().keySet().stream()
                .filter(statement -> largest.perItem(statement) >= BULK_ROWS_PER_ITEM_MIN).toList();
        assertThat(bulkStatements).as("the bulk statements").isNotEmpty();
        for (Measured run : runs) {
            assertThat(run.rowsByStatement()).as("the statements of the %,d-item intake", run.items())
                    .containsKeys(bulkStatements.toArray(String[]::new));
        }
        for (String statement : bulkStatements) {
            assertThat(largest.perItem(statement)).as("rows read per item at %,d items against %,d items by: %s",
                    largest.items(), smallest.items(), statement)
                    .isLessThanOrEqualTo(ROWS_PER_ITEM_GROWTH_MAX * smallest.perItem(statement));
            JsonNode heaviest = largest.heaviestNodeByStatement().get(statement);
            assertThat(CapturedPlan.rowsRead(heaviest)).as("the rows the heaviest node (%s, %s loops) read at %,d items in: %s",
                    heaviest.path("Node Type").asString(), heaviest.path("Actual Loops").toString(), largest.items(), statement)
                    .isLessThanOrEqualTo((long) NODE_ROWS_PER_ITEM_MAX * largest.items());
        }
    }

    /** With {@code -Donecard.test.intake-plans-file=FILE}, appends every plan to FILE, to be read. */
    private static void writePlans(int itemCount, List<CapturedPlan> plans) throws IOException {
        String file = System.getProperty("onecard.test.intake-plans-file");
        if (file == null) {
            return;
        }
        for (CapturedPlan plan : plans) {
            Files.writeString(Path.of(file), itemCount + "\t" + plan.statement() + "\n" + plan.plan().toPrettyString() + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    private static void print(List<Measured> runs) {
        StringBuilder out = new StringBuilder("\nRows read per intake statement (EXPLAIN ANALYZE through auto_explain), "
                + "statistics blind to the batch:\n");
        out.append(String.format("%-90s", "statement"));
        for (Measured run : runs) {
            out.append(String.format(" | %,11d items: rows (per item)", run.items()));
        }
        out.append('\n');
        for (String statement : runs.getLast().rowsByStatement().keySet()) {
            String shown = statement.length() > 90 ? statement.substring(0, 87) + "..." : statement;
            out.append(String.format("%-90s", shown));
            for (Measured run : runs) {
                out.append(String.format(" | %,18d (%,8.2f)", run.rowsByStatement().getOrDefault(statement, 0L),
                        run.perItem(statement)));
            }
            out.append('\n');
        }
        out.append(String.format("%-90s", "all statements"));
        for (Measured run : runs) {
            long total = run.rowsByStatement().values().stream().collect(Collectors.summingLong(Long::longValue));
            out.append(String.format(" | %,18d (%,8.2f)", total, total / (double) run.items()));
        }
        System.out.println(out.append('\n'));
    }
}
