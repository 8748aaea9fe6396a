package cn.onecard.simulators.population;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * A seeded population of card holders that holds nobody in memory: person {@code i} is computed
 * from the seed and {@code i} alone, so any person can be drawn again at any time, and a million
 * people cost nothing until exported. Identity numbers and card numbers are unique by
 * construction (keyed permutations of the person's index), not by luck. Thread-safe.
 */
public final class Population {

    static final LocalDate BORN_FROM = LocalDate.of(1930, 1, 1);
    static final LocalDate BORN_TO = LocalDate.of(2015, 12, 31);
    private static final long DAYS = ChronoUnit.DAYS.between(BORN_FROM, BORN_TO) + 1;
    private static final int SEQUENCES = 999;
    private static final long STREAM_PERSON = 1;
    private static final long STREAM_IDS = 2;
    private static final long STREAM_CARDS = 3;
    private static final String[] PHONE_PREFIXES = {
        "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
        "156", "157", "158", "159", "166", "173", "176", "177", "178", "180", "181", "182", "183", "184", "185",
        "186", "187", "188", "189", "191", "193", "195", "198", "199"};

    private final PopulationOptions options;
    private final Trait[] traitOrder;
    private final double[] traitCumulative;
    private final IndexPermutation identities;
    private final IndexPermutation[] cardBodies;

    public Population(PopulationOptions options) {
        this.options = options;
        List<Trait> bad = options.traitShares().keySet().stream().sorted().toList();
        traitOrder = bad.toArray(Trait[]::new);
        traitCumulative = new double[traitOrder.length];
        double sum = 0;
        for (int i = 0; i < traitOrder.length; i++) {
            sum += options.traitShares().get(traitOrder[i]);
            traitCumulative[i] = sum;
        }
        identities = new IndexPermutation((long) Regions.CODES.length * DAYS * SEQUENCES, Mix.seedFor(options.seed(), STREAM_IDS, 0));
        cardBodies = new IndexPermutation[options.banks().size()];
        for (int i = 0; i < cardBodies.length; i++) {
            BankBins bank = options.banks().get(i);
            long bodies = pow10(bank.cardDigits() - 7);
            if (bodies < options.persons()) {
                throw new IllegalArgumentException("bank " + bank.code() + ": too few card numbers for " + options.persons() + " persons");
            }
            cardBodies[i] = new IndexPermutation(bodies, Mix.seedFor(options.seed(), STREAM_CARDS, i));
        }
    }

    public PopulationOptions options() {
        return options;
    }

    public int size() {
        return options.persons();
    }

    public List<BankBins> banks() {
        return options.banks();
    }

    /** The bank that issues cards with this number's BIN, or null when no configured bank does. */
    public BankBins bankOf(String cardNumber) {
        if (cardNumber == null || cardNumber.length() < 6) {
            return null;
        }
        String bin = cardNumber.substring(0, 6);
        for (BankBins bank : options.banks()) {
            if (bank.bins().contains(bin)) {
                return bank;
            }
        }
        return null;
    }

    /** The person's trait, cheaply (without building the person). */
    public Trait trait(long index) {
        return draw(index).trait;
    }

    /** Whether the person heads a household, cheaply. */
    public boolean householdHead(long index) {
        return draw(index).householdHead;
    }

    /** The bank (index into {@link PopulationOptions#banks()}) of the person's card, cheaply. */
    public int bankIndex(long index) {
        return draw(index).bank;
    }

    public Person person(long index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("person " + index + " outside population of " + size());
        }
        Draw draw = draw(index);
        SplittableRandom random = draw.random;

        long identity = identities.apply(index);
        int sequence = (int) (identity % SEQUENCES) + 1;
        long day = (identity / SEQUENCES) % DAYS;
        int region = (int) (identity / SEQUENCES / DAYS);
        LocalDate birthDate = BORN_FROM.plusDays(day);
        boolean male = (sequence & 1) == 1;
        StringBuilder id = new StringBuilder(18).append(Regions.CODES[region]);
        appendDigits(id, birthDate.getYear(), 4);
        appendDigits(id, birthDate.getMonthValue(), 2);
        appendDigits(id, birthDate.getDayOfMonth(), 2);
        appendDigits(id, sequence, 3);
        id.append(IdentityNumbers.checkCharacter(id));

        BankBins bank = options.banks().get(draw.bank);
        StringBuilder card = new StringBuilder(bank.cardDigits()).append(bank.bins().get(random.nextInt(bank.bins().size())));
        appendDigits(card, cardBodies[draw.bank].apply(index), bank.cardDigits() - 7);
        card.append(CardNumbers.luhnCheckDigit(card));

        String name = ChineseNames.draw(random, male);
        String bankName = draw.trait == Trait.NAME_MISMATCH ? ChineseNames.misspelt(name, random, male) : name;
        StringBuilder phone = new StringBuilder(11).append(PHONE_PREFIXES[random.nextInt(PHONE_PREFIXES.length)]);
        appendDigits(phone, random.nextInt(100_000_000), 8);
        long balanceFen = random.nextLong(0, 2_000_000);
        return new Person(index, name, id.toString(), male, birthDate, phone.toString(), bank.code(), card.toString(),
                draw.trait, bankName, draw.householdHead, balanceFen);
    }

    /** Everyone, in index order, built lazily. */
    public Stream<Person> stream() {
        return LongStream.range(0, size()).mapToObj(this::person);
    }

    /** How many people have each trait: the exact census (walks the whole population's traits). */
    public Map<Trait, Long> traitCensus() {
        EnumMap<Trait, Long> census = new EnumMap<>(Trait.class);
        for (long i = 0; i < size(); i++) {
            census.merge(trait(i), 1L, Long::sum);
        }
        return census;
    }

    private Draw draw(long index) {
        SplittableRandom random = new SplittableRandom(Mix.seedFor(options.seed(), STREAM_PERSON, index));
        double ticket = random.nextDouble();
        Trait trait = Trait.CLEAN;
        for (int i = 0; i < traitCumulative.length; i++) {
            if (ticket < traitCumulative[i]) {
                trait = traitOrder[i];
                break;
            }
        }
        int bank = random.nextInt(options.banks().size());
        boolean householdHead = random.nextDouble() < options.householdHeadShare();
        return new Draw(trait, bank, householdHead, random);
    }

    private record Draw(Trait trait, int bank, boolean householdHead, SplittableRandom random) {
    }

    private static void appendDigits(StringBuilder out, long value, int width) {
        int start = out.length();
        for (int i = 0; i < width; i++) {
            out.append('0');
        }
        for (int i = out.length() - 1; i >= start; i--) {
            out.setCharAt(i, (char) ('0' + value % 10));
            value /= 10;
        }
        if (value != 0) {
            throw new IllegalArgumentException("value does not fit " + width + " digits");
        }
    }

    private static long pow10(int exponent) {
        long value = 1;
        for (int i = 0; i < exponent; i++) {
            value *= 10;
        }
        return value;
    }
}
