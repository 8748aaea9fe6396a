package cn.onecard.simulators.treasury;

import cn.onecard.simulators.population.BankBins;
import cn.onecard.simulators.population.CardNumbers;
import cn.onecard.simulators.population.IdentityNumbers;
import cn.onecard.simulators.population.IndexPermutation;
import cn.onecard.simulators.population.Person;
import cn.onecard.simulators.population.Population;
import cn.onecard.simulators.population.Trait;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import tools.jackson.core.JsonGenerator;

/**
 * Generates realistic seeded batches from a population, with a chosen share of bad items, each
 * tagged in a manifest with the kind the treasury put in on purpose (and so the outcome it
 * expects). Items stream to a spool file, so a batch of a million items costs a few kilobytes of
 * heap beyond one bit per person for the programme and period.
 *
 * <p>Good items never repeat a person within a programme and period, across all batches this
 * generator makes: a keyed walk over the population hands each person out once. That is what makes
 * the deliberate duplicates the only duplicates.
 */
public final class BatchGenerator {

    private static final int RESERVOIR_ITEMS = 4096;
    private static final double PHONE_SHARE = 0.8;
    private static final String[][] FOREIGN_BINS = {
        {"621700", "19"}, {"622700", "19"}, {"622202", "19"}, {"621226", "19"}, {"621661", "19"}, {"622588", "16"},
        {"625965", "16"}};
    private static final String ID_CHECK_CHARACTERS = "0123456789X";

    private final Population population;
    private final Path manifestDir;
    private static final int WITHDRAWABLE_BATCHES = 16;

    private final Map<String, DrawState> states = new HashMap<>();
    /** The good persons of the last few batches, so that a batch the gateway never got stops counting as "earlier". */
    private final Map<String, Withdrawable> recent = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Withdrawable> eldest) {
            return size() > WITHDRAWABLE_BATCHES;
        }
    };
    private EnumMap<ItemKind, int[]> traitPersons;

    /** @param manifestDir where manifests ({@code {batchId}.expect.csv}) and spool files go */
    public BatchGenerator(Population population, Path manifestDir) {
        this.population = population;
        this.manifestDir = manifestDir;
    }

    public Population population() {
        return population;
    }

    public synchronized GeneratedBatch generate(BatchSpec spec) throws IOException {
        long started = System.nanoTime();
        Programme programme = Catalogue.byCode(spec.programCode());
        DrawState state = state(spec.programCode(), spec.periodText());
        SplittableRandom random = new SplittableRandom(spec.seed());
        Files.createDirectories(manifestDir);
        long[] remaining = plan(spec, programme, state);
        EnumMap<ItemKind, Long> planned = toMap(remaining);
        int width = Math.max(4, Integer.toString(spec.items()).length());

        Path spool = Files.createTempFile(manifestDir, "." + spec.batchId() + ".items.", ".part");
        Path rows = Files.createTempFile(manifestDir, "." + spec.batchId() + ".expect.", ".part");
        boolean done = false;
        try {
            Batch batch = new Batch(spec, programme, state, random);
            try (OutputStream itemsOut = new BufferedOutputStream(Files.newOutputStream(spool), 1 << 20);
                 JsonGenerator json = Json.MAPPER.createGenerator(itemsOut);
                 Writer manifest = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(rows), StandardCharsets.UTF_8), 1 << 20)) {
                StringBuilder row = new StringBuilder(64);
                for (int i = 0; i < spec.items(); i++) {
                    String itemId = pad(i + 1, width);
                    ItemKind kind = drawKind(remaining, random, batch.reservoirSize > 0);
                    Built built = batch.build(kind, itemId);
                    built.item.write(json);
                    row.setLength(0);
                    row.append(itemId).append(',').append(built.kind.name()).append(',').append(built.item.amountFen())
                            .append(',').append(built.detail).append('\n');
                    manifest.append(row);
                    batch.total = Math.addExact(batch.total, built.item.amountFen());
                    batch.kindCounts.merge(built.kind, 1L, Long::sum);
                }
                json.writeRaw('\n');
            }
            state.goodEarlier.or(batch.goodPersons);
            recent.put(spec.batchId(), new Withdrawable(state, batch.goodPersons));
            state.save();
            BatchHeader header = new BatchHeader(spec.batchId(), programme.code(), programme.name(), spec.periodText(),
                    spec.payerAccount(), spec.callbackUrl(), spec.items(), batch.total);
            Path manifestPath = Manifest.write(manifestDir, header, width, rows);
            done = true;
            return new GeneratedBatch(header, planned, batch.kindCounts, spool, manifestPath, System.nanoTime() - started);
        } finally {
            Files.deleteIfExists(rows);
            if (!done) {
                Files.deleteIfExists(spool);
            }
        }
    }

    /**
     * Forgets a recent batch that never reached the gateway: its people no longer serve as the
     * earlier payment a cross-batch duplicate repeats (they stay used, so nobody is paid twice).
     */
    public synchronized void withdraw(String batchId) {
        Withdrawable batch = recent.remove(batchId);
        if (batch != null) {
            batch.state.goodEarlier.andNot(batch.goodPersons);
            try {
                batch.state.save();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private record Withdrawable(DrawState state, BitSet goodPersons) {
    }

    /**
     * The people a programme and period has handed out, kept beside the manifests
     * ({@code .draws-{programme}-{period}}), so that another process or a restart goes on where the
     * last batch stopped instead of paying the same people again.
     */
    private DrawState state(String programme, String period) throws IOException {
        String key = programme + "/" + period;
        DrawState state = states.get(key);
        if (state == null) {
            state = new DrawState(population.size(), population.options().seed() ^ key.hashCode() * 0x9E3779B97F4A7C15L,
                    manifestDir.resolve(".draws-" + programme + "-" + period), population.options().seed());
            state.load();
            states.put(key, state);
        }
        return state;
    }

    /** Exact count per kind (by ordinal): the shares of the spec over the kinds that apply here. */
    private long[] plan(BatchSpec spec, Programme programme, DrawState state) {
        ItemKind[] kinds = ItemKind.values();
        List<ItemKind> applicable = new ArrayList<>();
        for (ItemKind kind : kinds) {
            if (kind.bad() && applies(kind, programme, state)) {
                applicable.add(kind);
            }
        }
        long[] counts = new long[kinds.length];
        long bad = 0;
        for (ItemKind kind : applicable) {
            double share = spec.kindShares().isEmpty() ? spec.badShare() / applicable.size() : spec.kindShares().getOrDefault(kind, 0.0);
            counts[kind.ordinal()] = Math.round(spec.items() * share);
            bad += counts[kind.ordinal()];
        }
        while (bad > spec.items()) {
            int largest = 1;
            for (int i = 1; i < counts.length; i++) {
                if (counts[i] > counts[largest]) {
                    largest = i;
                }
            }
            counts[largest]--;
            bad--;
        }
        counts[ItemKind.GOOD.ordinal()] = spec.items() - bad;
        return counts;
    }

    private static boolean applies(ItemKind kind, Programme programme, DrawState state) {
        return switch (kind) {
            case NOT_HOUSEHOLD_HEAD -> programme.household();
            case DUPLICATE_ACROSS_BATCHES -> !state.goodEarlier.isEmpty();
            default -> true;
        };
    }

    private static ItemKind drawKind(long[] remaining, SplittableRandom random, boolean earlierGoodItem) {
        ItemKind[] kinds = ItemKind.values();
        long total = Arrays.stream(remaining).sum();
        long ticket = random.nextLong(total);
        int chosen = 0;
        for (int i = 0; i < remaining.length; i++) {
            if (ticket < remaining[i]) {
                chosen = i;
                break;
            }
            ticket -= remaining[i];
        }
        if (kinds[chosen] == ItemKind.DUPLICATE_IN_BATCH && !earlierGoodItem) {
            // nothing to repeat yet: take another kind now and leave the duplicate for later
            int other = remaining[ItemKind.GOOD.ordinal()] > 0 ? ItemKind.GOOD.ordinal() : -1;
            for (int i = 0; other < 0 && i < remaining.length; i++) {
                if (i != chosen && remaining[i] > 0) {
                    other = i;
                }
            }
            if (other >= 0) {
                chosen = other;
            }
        }
        remaining[chosen]--;
        return kinds[chosen];
    }

    /** One batch in the making. */
    private final class Batch {
        final BatchSpec spec;
        final Programme programme;
        final DrawState state;
        final SplittableRandom random;
        final long[] reservoir = new long[RESERVOIR_ITEMS];
        int reservoirSize;
        long goodSeen;
        final BitSet goodPersons = new BitSet();
        final BitSet crossUsed = new BitSet();
        final EnumMap<ItemKind, Long> kindCounts = new EnumMap<>(ItemKind.class);
        final EnumMap<ItemKind, Boolean> exhausted = new EnumMap<>(ItemKind.class);
        long total;

        Batch(BatchSpec spec, Programme programme, DrawState state, SplittableRandom random) {
            this.spec = spec;
            this.programme = programme;
            this.state = state;
            this.random = random;
        }

        Built build(ItemKind kind, String itemId) {
            return switch (kind) {
                case GOOD -> good(itemId);
                case ID_CHECKSUM -> {
                    Person person = population.person(nextClean(programme.household()));
                    char right = person.idNumber().charAt(17);
                    char wrong;
                    do {
                        wrong = ID_CHECK_CHARACTERS.charAt(random.nextInt(ID_CHECK_CHARACTERS.length()));
                    } while (wrong == right);
                    yield built(kind, item(itemId, person, person.idNumber().substring(0, 17) + wrong, person.cardNumber(),
                            typicalAmount(), programme.household()), "");
                }
                case ID_BIRTH_DATE -> {
                    Person person = population.person(nextClean(programme.household()));
                    String[] impossible = impossibleDate(person.birthDate().getYear());
                    String id = IdentityNumbers.withCheck(person.idNumber().substring(0, 6) + impossible[0] + person.idNumber().substring(14, 17) + "0");
                    yield built(kind, item(itemId, person, id, person.cardNumber(), typicalAmount(), programme.household()), impossible[1]);
                }
                case CARD_LUHN -> {
                    Person person = population.person(nextClean(programme.household()));
                    String card = person.cardNumber();
                    int last = card.charAt(card.length() - 1) - '0';
                    char wrong = (char) ('0' + (last + 1 + random.nextInt(9)) % 10);
                    yield built(kind, item(itemId, person, person.idNumber(), card.substring(0, card.length() - 1) + wrong,
                            typicalAmount(), programme.household()), "");
                }
                case CARD_UNKNOWN_BIN -> {
                    String[] bin = foreignBin();
                    if (bin == null) {
                        yield downgrade(kind, itemId);
                    }
                    Person person = population.person(nextClean(programme.household()));
                    StringBuilder card = new StringBuilder(bin[0]);
                    int digits = Integer.parseInt(bin[1]);
                    while (card.length() < digits - 1) {
                        card.append((char) ('0' + random.nextInt(10)));
                    }
                    card.append(CardNumbers.luhnCheckDigit(card));
                    yield built(kind, item(itemId, person, person.idNumber(), card.toString(), typicalAmount(), programme.household()), bin[0]);
                }
                case AMOUNT_NOT_POSITIVE -> {
                    Person person = population.person(nextClean(programme.household()));
                    long amount = random.nextBoolean() ? 0 : -typicalAmount();
                    yield built(kind, item(itemId, person, person.idNumber(), person.cardNumber(), amount, programme.household()),
                            amount == 0 ? "ZERO" : "NEGATIVE");
                }
                case AMOUNT_OVER_CAP -> {
                    Person person = population.person(nextClean(programme.household()));
                    long amount = programme.capFen() + 100 * (1 + random.nextLong(Math.max(1, programme.capFen() / 100)));
                    yield built(kind, item(itemId, person, person.idNumber(), person.cardNumber(), amount, programme.household()), "");
                }
                case NOT_HOUSEHOLD_HEAD -> {
                    Person person = population.person(nextClean(false));
                    yield built(kind, item(itemId, person, person.idNumber(), person.cardNumber(), typicalAmount(), false), "");
                }
                case CARD_STATE, PERSON_DECEASED, PERSON_BLOCKED, BANK_ACCOUNT_STATE, BANK_NAME_MISMATCH -> {
                    int index = nextWithTrait(kind);
                    if (index < 0) {
                        yield downgrade(kind, itemId);
                    }
                    Person person = population.person(index);
                    String detail = switch (kind) {
                        case CARD_STATE -> person.cardState().name();
                        case BANK_ACCOUNT_STATE -> person.accountState().name();
                        default -> "";
                    };
                    yield built(kind, item(itemId, person, person.idNumber(), person.cardNumber(), typicalAmount(), programme.household()), detail);
                }
                case DUPLICATE_IN_BATCH -> {
                    if (reservoirSize == 0) {
                        yield downgrade(kind, itemId);
                    }
                    Person person = population.person(reservoir[random.nextInt(reservoirSize)]);
                    yield built(kind, item(itemId, person, person.idNumber(), person.cardNumber(), typicalAmount(), programme.household()), "");
                }
                case DUPLICATE_ACROSS_BATCHES -> {
                    int index = earlierGoodPerson();
                    if (index < 0) {
                        yield downgrade(kind, itemId);
                    }
                    Person person = population.person(index);
                    yield built(kind, item(itemId, person, person.idNumber(), person.cardNumber(), typicalAmount(), programme.household()), "");
                }
            };
        }

        private Built good(String itemId) {
            int index = nextClean(programme.household());
            Person person = population.person(index);
            goodSeen++;
            if (reservoirSize < RESERVOIR_ITEMS) {
                reservoir[reservoirSize++] = index;
            } else {
                long slot = random.nextLong(goodSeen);
                if (slot < RESERVOIR_ITEMS) {
                    reservoir[(int) slot] = index;
                }
            }
            goodPersons.set(index);
            return built(ItemKind.GOOD, item(itemId, person, person.idNumber(), person.cardNumber(), typicalAmount(), programme.household()), "");
        }

        /** A kind that cannot be made (no such person left, no foreign BIN) becomes a good item, and is counted as what it is. */
        private Built downgrade(ItemKind kind, String itemId) {
            exhausted.put(kind, true);
            return good(itemId);
        }

        private BatchItem item(String itemId, Person person, String idNumber, String cardNumber, long amountFen, boolean head) {
            String phone = random.nextDouble() < PHONE_SHARE ? person.phone() : null;
            return new BatchItem(itemId, person.name(), idNumber, cardNumber, amountFen, head, null, phone);
        }

        private long typicalAmount() {
            long steps = (programme.typicalMaxFen() - programme.typicalMinFen()) / programme.stepFen();
            return programme.typicalMinFen() + programme.stepFen() * random.nextLong(steps + 1);
        }

        private int nextClean(boolean requireHead) {
            DrawState walk = state;
            while (walk.cursor < walk.order.size()) {
                int index = (int) walk.order.apply(walk.cursor++);
                if (walk.used.get(index) || population.trait(index) != Trait.CLEAN
                        || (requireHead && !population.householdHead(index))) {
                    continue;
                }
                walk.used.set(index);
                return index;
            }
            throw new IllegalStateException("the population of " + population.size() + " has no unused person left for "
                    + programme.code() + " " + spec.periodText() + "; use a larger population, another programme or another period");
        }

        private int nextWithTrait(ItemKind kind) {
            if (exhausted.containsKey(kind)) {
                return -1;
            }
            int[] persons = traitPersons().get(kind);
            if (persons.length == 0) {
                return -1;
            }
            int start = random.nextInt(persons.length);
            for (int j = 0; j < persons.length; j++) {
                int index = persons[(start + j) % persons.length];
                if (!state.used.get(index)) {
                    state.used.set(index);
                    return index;
                }
            }
            return -1;
        }

        private int earlierGoodPerson() {
            BitSet earlier = state.goodEarlier;
            int start = random.nextInt(population.size());
            for (int pass = 0; pass < 2; pass++) {
                for (int index = earlier.nextSetBit(pass == 0 ? start : 0); index >= 0 && (pass == 0 || index < start);
                     index = earlier.nextSetBit(index + 1)) {
                    if (!crossUsed.get(index)) {
                        crossUsed.set(index);
                        return index;
                    }
                }
            }
            return -1;
        }

        private String[] foreignBin() {
            List<String[]> free = new ArrayList<>();
            for (String[] bin : FOREIGN_BINS) {
                boolean served = false;
                for (BankBins bank : population.banks()) {
                    served |= bank.bins().contains(bin[0]);
                }
                if (!served) {
                    free.add(bin);
                }
            }
            return free.isEmpty() ? null : free.get(random.nextInt(free.size()));
        }

        /** {yyyyMMdd that is no date, what is wrong with it}. */
        private String[] impossibleDate(int year) {
            String y = String.format("%04d", year);
            return switch (random.nextInt(6)) {
                case 0 -> new String[] {y + "13" + String.format("%02d", 1 + random.nextInt(28)), "MONTH_13"};
                case 1 -> new String[] {y + "00" + String.format("%02d", 1 + random.nextInt(28)), "MONTH_00"};
                case 2 -> new String[] {y + String.format("%02d", 1 + random.nextInt(12)) + "00", "DAY_00"};
                case 3 -> new String[] {y + "0230", "FEB_30"};
                case 4 -> new String[] {y + "0431", "APR_31"};
                default -> new String[] {String.format("%04d", nonLeapYear(year)) + "0229", "FEB_29_NOT_LEAP"};
            };
        }
    }

    private static int nonLeapYear(int year) {
        int candidate = year;
        while (java.time.Year.isLeap(candidate)) {
            candidate++;
        }
        return candidate;
    }

    private static Built built(ItemKind kind, BatchItem item, String detail) {
        return new Built(kind, item, detail);
    }

    private record Built(ItemKind kind, BatchItem item, String detail) {
    }

    /** The persons with the trait each person-borne kind needs, found once per generator. */
    private EnumMap<ItemKind, int[]> traitPersons() {
        if (traitPersons == null) {
            EnumMap<ItemKind, IntList> lists = new EnumMap<>(ItemKind.class);
            for (ItemKind kind : List.of(ItemKind.CARD_STATE, ItemKind.PERSON_DECEASED, ItemKind.PERSON_BLOCKED,
                    ItemKind.BANK_ACCOUNT_STATE, ItemKind.BANK_NAME_MISMATCH)) {
                lists.put(kind, new IntList());
            }
            for (int index = 0; index < population.size(); index++) {
                Trait trait = population.trait(index);
                ItemKind kind = kindOf(trait);
                if (kind != null) {
                    lists.get(kind).add(index);
                }
            }
            traitPersons = new EnumMap<>(ItemKind.class);
            lists.forEach((kind, list) -> traitPersons.put(kind, list.toArray()));
        }
        return traitPersons;
    }

    private static ItemKind kindOf(Trait trait) {
        return switch (trait) {
            case CLEAN -> null;
            case CARD_NOT_ACTIVATED, CARD_LOST_TEMPORARY, CARD_LOST_FORMAL, CARD_CANCELLED, CARD_FROZEN -> ItemKind.CARD_STATE;
            case ACCOUNT_CLOSED, ACCOUNT_FROZEN, ACCOUNT_CREDIT_RESTRICTED, ACCOUNT_NON_SETTLEMENT, ACCOUNT_LOST,
                 ACCOUNT_NOT_ACTIVATED -> ItemKind.BANK_ACCOUNT_STATE;
            case NAME_MISMATCH -> ItemKind.BANK_NAME_MISMATCH;
            case DECEASED -> ItemKind.PERSON_DECEASED;
            case BLOCKED -> ItemKind.PERSON_BLOCKED;
        };
    }

    /** Which persons a programme and period has handed out. */
    private static final class DrawState {
        private static final int FORMAT = 1;
        final IndexPermutation order;
        long cursor;
        BitSet used;
        BitSet goodEarlier;
        final Path file;
        final long populationSeed;

        DrawState(int persons, long key, Path file, long populationSeed) {
            this.order = new IndexPermutation(persons, key);
            this.used = new BitSet(persons);
            this.goodEarlier = new BitSet(persons);
            this.file = file;
            this.populationSeed = populationSeed;
        }

        void load() throws IOException {
            if (!Files.exists(file)) {
                return;
            }
            try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
                if (in.readInt() != FORMAT || in.readLong() != populationSeed || in.readLong() != order.size()) {
                    throw new IllegalStateException(file.getFileName() + " was written for another population; remove it to start afresh");
                }
                cursor = in.readLong();
                used = BitSet.valueOf(in.readNBytes(in.readInt()));
                goodEarlier = BitSet.valueOf(in.readNBytes(in.readInt()));
            }
        }

        void save() throws IOException {
            Path part = file.resolveSibling(file.getFileName() + ".part");
            try (java.io.DataOutputStream out = new java.io.DataOutputStream(new BufferedOutputStream(Files.newOutputStream(part)))) {
                out.writeInt(FORMAT);
                out.writeLong(populationSeed);
                out.writeLong(order.size());
                out.writeLong(cursor);
                byte[] usedBytes = used.toByteArray();
                out.writeInt(usedBytes.length);
                out.write(usedBytes);
                byte[] earlierBytes = goodEarlier.toByteArray();
                out.writeInt(earlierBytes.length);
                out.write(earlierBytes);
            }
            Files.move(part, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static final class IntList {
        int[] values = new int[64];
        int size;

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private static EnumMap<ItemKind, Long> toMap(long[] counts) {
        EnumMap<ItemKind, Long> map = new EnumMap<>(ItemKind.class);
        for (ItemKind kind : ItemKind.values()) {
            if (counts[kind.ordinal()] > 0) {
                map.put(kind, counts[kind.ordinal()]);
            }
        }
        return map;
    }

    static String pad(int number, int width) {
        String digits = Integer.toString(number);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }
}
