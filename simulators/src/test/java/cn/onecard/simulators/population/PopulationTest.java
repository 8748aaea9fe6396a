package cn.onecard.simulators.population;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.crypto.SeededCases;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PopulationTest {

    private static final int[] ID_WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final String ID_CHECKS = "10X98765432";

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("population draws", 20);
    }

    /** GB 11643 written again here, from the standard's table, not from the code under test. */
    private static boolean independentIdCheck(String id) {
        if (!id.matches("\\d{17}[0-9X]")) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (id.charAt(i) - '0') * ID_WEIGHTS[i];
        }
        int year = Integer.parseInt(id.substring(6, 10));
        int month = Integer.parseInt(id.substring(10, 12));
        int day = Integer.parseInt(id.substring(12, 14));
        int[] monthDays = {31, (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        boolean realDate = month >= 1 && month <= 12 && day >= 1 && day <= monthDays[month - 1];
        return realDate && ID_CHECKS.charAt(sum % 11) == id.charAt(17);
    }

    /** Luhn written again here: double every second digit from the right. */
    private static boolean independentLuhn(String card) {
        int sum = 0;
        for (int i = 0; i < card.length(); i++) {
            int digit = card.charAt(card.length() - 1 - i) - '0';
            if (i % 2 == 1) {
                digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
            }
            sum += digit;
        }
        return sum % 10 == 0;
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void everyPerson_hasAValidIdentityNumberAndLuhnCardOfItsBank(long seed) {
        Population population = new Population(PopulationOptions.defaults(seed, 1_000_000));
        SplittableRandom random = new SplittableRandom(seed);
        for (int draw = 0; draw < 500; draw++) {
            Person person = population.person(random.nextInt(population.size()));
            String id = person.idNumber();
            assertThat(independentIdCheck(id)).as("identity number check of person %d", person.index()).isTrue();
            assertThat(id).matches("(41|51)\\d{16}|(41|51)\\d{15}X");
            LocalDate born = LocalDate.parse(id.substring(6, 10) + "-" + id.substring(10, 12) + "-" + id.substring(12, 14));
            assertThat(born).isEqualTo(person.birthDate()).isBetween(LocalDate.of(1930, 1, 1), LocalDate.of(2015, 12, 31));
            assertThat((id.charAt(16) - '0') % 2 == 1).as("sex digit").isEqualTo(person.male());
            assertThat(IdentityNumbers.isValid(id)).isTrue();

            String card = person.cardNumber();
            BankBins bank = population.bankOf(card);
            assertThat(bank).isNotNull();
            assertThat(bank.code()).isEqualTo(person.bankCode());
            assertThat(card).hasSize(bank.cardDigits()).matches("\\d+");
            assertThat(bank.bins()).contains(card.substring(0, 6));
            assertThat(independentLuhn(card)).as("Luhn of person %d's card", person.index()).isTrue();
            assertThat(person.phone()).matches("1[3-9]\\d{9}");
            assertThat(person.name().codePointCount(0, person.name().length())).isBetween(2, 4);
        }
    }

    @Test
    void identityAndCardNumbers_areUniqueAcrossThePopulation() {
        Population population = new Population(PopulationOptions.defaults(7, 200_000));
        Set<String> ids = new HashSet<>();
        Set<String> cards = new HashSet<>();
        for (int i = 0; i < population.size(); i++) {
            Person person = population.person(i);
            assertThat(ids.add(person.idNumber())).as("identity number of person %d is new", i).isTrue();
            assertThat(cards.add(person.cardNumber())).as("card of person %d is new", i).isTrue();
        }
    }

    @Test
    void aPerson_isTheSameWhenDrawnAgain_andAnotherSeedGivesOtherPeople() {
        Population one = new Population(PopulationOptions.defaults(11, 5_000));
        Population again = new Population(PopulationOptions.defaults(11, 5_000));
        Population other = new Population(PopulationOptions.defaults(12, 5_000));
        assertThat(again.person(4321)).isEqualTo(one.person(4321));
        assertThat(other.person(4321).idNumber()).isNotEqualTo(one.person(4321).idNumber());
    }

    @Test
    void sameSeed_writesTheSameBytes(@TempDir Path dir) throws IOException {
        PopulationOptions options = PopulationOptions.defaults(99, 20_000);
        PopulationExporter.export(new Population(options), dir.resolve("a"));
        PopulationExporter.export(new Population(options), dir.resolve("b"));
        PopulationExporter.export(new Population(PopulationOptions.defaults(100, 20_000)), dir.resolve("c"));
        for (String file : List.of("card-registry.csv", "blocked-persons.csv", "accounts-LYB.csv", "accounts-ABC.csv")) {
            assertThat(Files.readAllBytes(dir.resolve("b").resolve(file))).as(file).isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(file)));
            assertThat(Files.readAllBytes(dir.resolve("c").resolve(file))).as(file).isNotEqualTo(Files.readAllBytes(dir.resolve("a").resolve(file)));
        }
    }

    @Test
    void exports_followTheFeedAndAccountFormats(@TempDir Path dir) throws IOException {
        EnumMap<Trait, Double> shares = new EnumMap<>(Trait.class);
        for (Trait trait : Trait.values()) {
            if (trait != Trait.CLEAN) {
                shares.put(trait, 0.01);
            }
        }
        Population population = new Population(PopulationOptions.defaults(5, 30_000).withTraitShares(shares));
        PopulationExporter.Exported exported = PopulationExporter.export(population, dir);

        List<String> registry = Files.readAllLines(exported.cardRegistry(), StandardCharsets.UTF_8);
        assertThat(registry.getFirst()).isEqualTo("card_number,id_number,state");
        assertThat(registry).hasSize(30_001);
        assertThat(registry.subList(1, registry.size())).allMatch(line ->
                line.matches("(\\d{16}|\\d{19}),\\d{17}[0-9X],(NORMAL|NOT_ACTIVATED|LOST_TEMPORARY|LOST_FORMAL|CANCELLED|FROZEN)"));

        List<String> blocked = Files.readAllLines(exported.blockedPersons(), StandardCharsets.UTF_8);
        assertThat(blocked.getFirst()).isEqualTo("id_number,reason");
        assertThat(blocked.subList(1, blocked.size())).isNotEmpty().allMatch(line -> line.matches("\\d{17}[0-9X],(DECEASED|BLOCKED)"));
        Map<Trait, Long> census = population.traitCensus();
        assertThat((long) blocked.size() - 1).isEqualTo(census.get(Trait.DECEASED) + census.get(Trait.BLOCKED));

        long accounts = 0;
        int mismatches = 0;
        for (String bank : List.of("LYB", "ABC")) {
            List<String> lines = Files.readAllLines(dir.resolve("accounts-" + bank + ".csv"), StandardCharsets.UTF_8);
            assertThat(lines.getFirst()).isEqualTo("card_number,name,id_number,state,balance_fen");
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.split(",", -1);
                assertThat(fields).hasSize(5);
                assertThat(fields[0]).matches(bank.equals("LYB") ? "\\d{16}" : "\\d{19}");
                assertThat(fields[1]).isNotBlank().doesNotContain(",");
                assertThat(fields[3]).matches("NORMAL|CLOSED|FROZEN|CREDIT_RESTRICTED|NON_SETTLEMENT|LOST|NOT_ACTIVATED");
                assertThat(fields[4]).matches("0|[1-9]\\d*");
            }
            accounts += lines.size() - 1;
        }
        assertThat(accounts).isEqualTo(30_000);
        for (int i = 0; i < population.size(); i++) {
            Person person = population.person(i);
            if (person.trait() == Trait.NAME_MISMATCH) {
                assertThat(person.bankName()).isNotEqualTo(person.name());
                mismatches++;
            } else {
                assertThat(person.bankName()).isEqualTo(person.name());
            }
        }
        assertThat(mismatches).isEqualTo(census.get(Trait.NAME_MISMATCH).intValue());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(file -> file.getFileName().toString())).noneMatch(name -> name.endsWith(".part"));
        }
    }

    @Test
    void traitShares_areMetWithinSamplingError() {
        Population population = new Population(PopulationOptions.defaults(3, 400_000));
        Map<Trait, Long> census = population.traitCensus();
        for (Map.Entry<Trait, Double> share : PopulationOptions.defaultTraitShares().entrySet()) {
            double expected = share.getValue() * population.size();
            double sigma = Math.sqrt(expected);
            assertThat((double) census.getOrDefault(share.getKey(), 0L)).as(share.getKey().name()).isBetween(expected - 5 * sigma, expected + 5 * sigma);
        }
    }

    @Test
    void aPersonPrinted_showsNoPersonalDataInClear() {
        Person person = new Population(PopulationOptions.defaults(1, 1000)).person(17);
        assertThat(person.toString()).doesNotContain(person.idNumber(), person.cardNumber(), person.name(), person.phone())
                .contains(person.idNumber().substring(0, 6), person.cardNumber().substring(person.cardNumber().length() - 4));
    }

    @Test
    void banks_refuseOverlappingBinsAndBadLengths() {
        assertThat(BankBins.parse("LYB:623595,621493:16")).isEqualTo(new BankBins("LYB", List.of("623595", "621493"), 16));
        assertThatThrownBy(() -> BankBins.parse("LYB:623595:17")).hasMessageContaining("16 or 19");
        assertThatThrownBy(() -> new PopulationOptions(1, 10, List.of(BankBins.parse("AAA:623595:16"), BankBins.parse("BBB:623595:19")),
                Map.of(), 0.4)).hasMessageContaining("one bank only");
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void indexPermutation_isABijection(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int size = 1 + random.nextInt(5000);
        IndexPermutation permutation = new IndexPermutation(size, random.nextLong());
        boolean[] seen = new boolean[size];
        for (int i = 0; i < size; i++) {
            int value = (int) permutation.apply(i);
            assertThat(seen[value]).as("value %d twice", value).isFalse();
            seen[value] = true;
        }
    }
}
