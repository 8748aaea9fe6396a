package cn.onecard.gateway.intake;

import static cn.onecard.gateway.intake.HandBuiltIntake.brokenCheck;
import static cn.onecard.gateway.intake.HandBuiltIntake.card;
import static cn.onecard.gateway.intake.HandBuiltIntake.idNumber;
import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.SeededCases;
import cn.onecard.gateway.feeds.FeedLoader;
import cn.onecard.gateway.intake.HandBuiltIntake.Item;
import cn.onecard.gateway.validation.CardNumbers;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Every item's verdict at intake, for batches drawn at random, against a model written from
 * docs/codes.md: the first failed check in precedence order, a person's later items in the batch
 * held among the items still passing, a person another batch of the programme and period pays
 * held; and what the ledger and the treasury's reports say of it.
 */
class IntakeVerdictsTest {

    /** A BIN no bank of this intake issues. */
    private static final String UNROUTED_BIN = "622848";
    private static final Map<String, String> CODE_OF_CARD_STATE = Map.of("NOT_ACTIVATED", "CARD_NOT_ACTIVATED",
            "LOST_TEMPORARY", "CARD_LOST_TEMPORARY", "LOST_FORMAL", "CARD_LOST_FORMAL", "CANCELLED", "CARD_CANCELLED",
            "FROZEN", "CARD_FROZEN");
    private static final List<String> CARD_STATES = List.of("NORMAL", "NOT_ACTIVATED", "LOST_TEMPORARY", "LOST_FORMAL",
            "CANCELLED", "FROZEN");
    private static final Map<String, String> CODE_OF_BLOCK_REASON = Map.of("DECEASED", "PERSON_DECEASED",
            "BLOCKED", "PERSON_BLOCKED");

    private static HandBuiltIntake ledger;
    /** Numbers people, cards and periods: each case's own, so that cases never meet. */
    private static int nextPerson;
    private static int nextCard;
    private static int nextPeriod;

    @BeforeAll
    static void startDatabase() throws IOException {
        ledger = HandBuiltIntake.start(Map.of(), null);
    }

    @AfterAll
    static void stopDatabase() throws IOException {
        if (ledger != null) {
            ledger.close();
        }
    }

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("intake-verdicts", 60);
    }

    // ---- a world drawn at random

    private record Programme(String code, long capFen, boolean household) {
    }

    private static final List<Programme> PROGRAMMES = List.of(new Programme("P29", 300_000, false),
            new Programme("P02", 1_000_000, true));

    /** The registry's line for a card: its holder and state; none for a card it does not know. */
    private record Registered(String holderIdNumber, String state) {
    }

    /** A batch and what it meets; {@code persons} are the valid identity numbers the items were drawn from. */
    private record World(Programme programme, String period, Set<String> persons, boolean registryLoaded,
            Map<String, Registered> registry, Map<String, String> blockReasons, List<Item> earlierItems, List<Item> items) {
    }

    private static World world(SplittableRandom random) {
        Programme programme = PROGRAMMES.get(random.nextInt(PROGRAMMES.size()));
        int months = nextPeriod++;
        String period = String.format("%04d%02d", 2000 + months / 12, months % 12 + 1);
        Map<String, Registered> registry = new LinkedHashMap<>();
        Map<String, String> blockReasons = new LinkedHashMap<>();
        List<Item> earlier = new ArrayList<>();
        List<String> persons = new ArrayList<>();
        Map<String, List<String>> cardsOfPerson = new LinkedHashMap<>();
        for (int p = 1 + random.nextInt(12); p > 0; p--) {
            String person = idNumber(nextPerson++);
            persons.add(person);
            int block = random.nextInt(10);
            if (block == 0) {
                blockReasons.put(person, "DECEASED");
            } else if (block == 1) {
                blockReasons.put(person, "BLOCKED");
            }
            List<String> cards = new ArrayList<>();
            for (int c = 1 + random.nextInt(2); c > 0; c--) {
                String card = card(nextCard++);
                cards.add(card);
                int kind = random.nextInt(10);
                if (kind == 0) {
                    continue; // unknown to the registry
                }
                String holder = kind == 1 ? idNumber(nextPerson++) : person;
                String state = kind < 6 ? "NORMAL" : CARD_STATES.get(random.nextInt(CARD_STATES.size()));
                registry.put(card, new Registered(holder, state));
            }
            cardsOfPerson.put(person, cards);
            if (random.nextInt(6) == 0) {
                // paid by an earlier batch of the programme and period, through a card of its own
                String card = card(nextCard++);
                registry.put(card, new Registered(person, "NORMAL"));
                earlier.add(new Item(person, card, 9_000, true));
            }
        }
        List<Item> items = new ArrayList<>();
        for (int i = 1 + random.nextInt(40); i > 0; i--) {
            String person = persons.get(random.nextInt(persons.size()));
            List<String> cards = random.nextInt(10) == 0 ? cardsOfPerson.get(persons.get(random.nextInt(persons.size())))
                    : cardsOfPerson.get(person);
            String card = cards.get(random.nextInt(cards.size()));
            if (random.nextInt(30) == 0) {
                String payload = UNROUTED_BIN + card.substring(6, 15);
                card = payload + CardNumbers.luhnDigit(payload);
            }
            String idNumber = random.nextInt(20) == 0 ? brokenCheck(person) : person;
            long amount = switch (random.nextInt(20)) {
                case 0 -> 0;
                case 1 -> -100;
                case 2 -> programme.capFen() + 1;
                default -> 1 + random.nextLong(programme.capFen());
            };
            items.add(new Item(idNumber, card, amount, random.nextInt(5) != 0));
        }
        return new World(programme, period, Set.copyOf(persons), random.nextInt(10) < 7, registry, blockReasons, earlier,
                items);
    }

    // ---- the model: docs/codes.md, item codes at intake

    /** The code of the first check the item fails before the duplicate checks; null when it passes them all. */
    private static String firstFailedCheck(Item item, World world) {
        String person = item.idNumber();
        if (!world.persons().contains(person)) {
            return "ID_NUMBER_CHECKSUM"; // drawn with a broken check character
        }
        if (!item.cardNumber().startsWith(HandBuiltIntake.BIN)) {
            return "CARD_BANK_NOT_CONTRACTED";
        }
        if (item.amountFen() <= 0) {
            return "AMOUNT_NOT_POSITIVE";
        }
        if (item.amountFen() > world.programme().capFen()) {
            return "AMOUNT_OVER_CAP";
        }
        if (world.programme().household() && !item.householdHead()) {
            return "NOT_HOUSEHOLD_HEAD";
        }
        String reason = world.blockReasons().get(person);
        if (reason != null) {
            return CODE_OF_BLOCK_REASON.get(reason);
        }
        Registered registered = world.registry().get(item.cardNumber());
        if (registered == null) {
            return world.registryLoaded() ? "CARD_NOT_IN_REGISTRY" : null;
        }
        if (!registered.holderIdNumber().equals(person)) {
            return "CARD_HOLDER_MISMATCH";
        }
        return CODE_OF_CARD_STATE.get(registered.state());
    }

    /** Each item's {@code STATE:CODE}, in batch order. */
    private static List<String> expectedVerdicts(List<Item> items, World world, Set<String> paidElsewhere) {
        List<String> verdicts = new ArrayList<>();
        Set<String> passing = new HashSet<>();
        for (Item item : items) {
            String code = firstFailedCheck(item, world);
            if (code != null) {
                verdicts.add("REJECTED:" + code);
            } else if (!passing.add(item.idNumber())) {
                verdicts.add("HELD:DUPLICATE_IN_BATCH");
            } else if (paidElsewhere.contains(item.idNumber())) {
                verdicts.add("HELD:DUPLICATE_ACROSS_BATCHES");
            } else {
                verdicts.add("VALIDATED:");
            }
        }
        return verdicts;
    }

    // ---- the property

    @ParameterizedTest
    @MethodSource("seeds")
    void takeIn_randomBatch_givesEachItemTheVerdictOfItsFirstFailedCheck(long seed) throws Exception {
        World world = world(new SplittableRandom(seed));
        load(world);

        String caseName = "C" + nextPeriod;
        Set<String> paidEarlier = new HashSet<>();
        if (!world.earlierItems().isEmpty()) {
            BatchIntake.Accepted earlier = ledger.takeIn(caseName + "-EARLIER", world.programme().code(), world.period(),
                    world.earlierItems());
            List<String> verdicts = expectedVerdicts(world.earlierItems(), world, Set.of());
            assertThat(ledger.verdicts(earlier.batchPk())).as("seed %d, the earlier batch", seed).isEqualTo(verdicts);
            for (int i = 0; i < verdicts.size(); i++) {
                if (verdicts.get(i).startsWith("VALIDATED")) {
                    paidEarlier.add(world.earlierItems().get(i).idNumber());
                }
            }
        }
        BatchIntake.Accepted accepted = ledger.takeIn(caseName, world.programme().code(), world.period(), world.items());

        List<String> expected = expectedVerdicts(world.items(), world, paidEarlier);
        long batchPk = accepted.batchPk();
        assertThat(ledger.verdicts(batchPk)).as("seed %d, the verdicts", seed).isEqualTo(expected);
        assertThat(ledger.strings("select to_state || ':' || coalesce(code, '') from item_events "
                + "where batch_pk = ? and from_state = 'RECEIVED' and cause = 'intake' order by seq", batchPk))
                .as("seed %d, one intake event per item, to its verdict", seed).isEqualTo(expected);
        List<String> claimed = new ArrayList<>();
        Map<String, String> reported = new TreeMap<>();
        Map<String, Integer> byCode = new TreeMap<>();
        for (int i = 0; i < expected.size(); i++) {
            String verdict = expected.get(i);
            String state = verdict.substring(0, verdict.indexOf(':'));
            String code = verdict.substring(verdict.indexOf(':') + 1);
            byCode.merge(code.isEmpty() ? state : code, 1, Integer::sum);
            if (state.equals("VALIDATED")) {
                claimed.add(world.items().get(i).idNumber());
            } else {
                reported.put("i" + (i + 1), verdict);
            }
        }
        assertThat(ledger.strings("select id_number from entitlements where batch_pk = ? order by seq", batchPk))
                .as("seed %d, a claim per validated item", seed).isEqualTo(claimed);
        assertReports(seed, batchPk, reported, byCode, !claimed.isEmpty());
    }

    private static void assertReports(long seed, long batchPk, Map<String, String> reported, Map<String, Integer> byCode,
            boolean anyValidated) throws SQLException {
        Map<String, String> inResults = new TreeMap<>();
        JsonNode summary = null;
        for (String payload : ledger.strings("select payload from callback_outbox where batch_pk = ? order by sequence", batchPk)) {
            JsonNode message = HandBuiltIntake.JSON.readTree(payload);
            if (message.get("type").asString().equals("SUMMARY")) {
                summary = message;
            }
            for (JsonNode item : message.path("items")) {
                inResults.put(item.get("itemId").asString(), item.get("state").asString() + ":" + item.get("code").asString());
            }
        }
        assertThat(inResults).as("seed %d, the rejected and held items reported", seed).isEqualTo(reported);
        String batchState = ledger.strings("select state from batches where batch_pk = ?", batchPk).getFirst();
        boolean anyHeld = reported.values().stream().anyMatch(verdict -> verdict.startsWith("HELD"));
        assertThat(batchState).as("seed %d, the batch's state", seed)
                .isEqualTo(anyValidated ? "IN_PROGRESS" : anyHeld ? "AWAITING_REVIEW" : "COMPLETED");
        if (anyValidated) {
            assertThat(summary).as("seed %d, no summary while items are in flight", seed).isNull();
            return;
        }
        assertThat(summary).as("seed %d, the summary of a batch with nothing in flight", seed).isNotNull();
        Map<String, Integer> summed = new TreeMap<>();
        summary.get("byCode").properties().forEach(entry -> summed.put(entry.getKey(), entry.getValue().get("count").asInt()));
        assertThat(summed).as("seed %d, the summary by code", seed).isEqualTo(byCode);
    }

    private static void load(World world) throws IOException, SQLException {
        StringBuilder registry = new StringBuilder("card_number,id_number,state\n");
        world.registry().forEach((card, line) -> registry.append(card).append(',').append(line.holderIdNumber()).append(',')
                .append(line.state()).append('\n'));
        StringBuilder blocked = new StringBuilder("id_number,reason\n");
        world.blockReasons().forEach((person, reason) -> blocked.append(person).append(',').append(reason).append('\n'));
        ledger.loadFeed(FeedLoader.Feed.CARD_REGISTRY, registry.toString());
        ledger.loadFeed(FeedLoader.Feed.BLOCKED_PERSONS, blocked.toString());
        if (!world.registryLoaded()) {
            // the registry's lines stay and still screen the cards they name; a card they do not name passes
            ledger.execute("delete from feed_loads where feed = 'CARD_REGISTRY'");
        }
    }
}
