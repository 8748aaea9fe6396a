package cn.onecard.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.SeededCases;
import cn.onecard.gateway.testing.People;
import cn.onecard.gateway.validation.IdentityNumbers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RepeatedPersonsTest {

    static java.util.stream.Stream<Named<Long>> seeds() {
        return SeededCases.cases("repeated-persons", 200);
    }

    /** Against the obvious answer: every item of a person named by two or more noted items, by their text. */
    @ParameterizedTest
    @MethodSource("seeds")
    void seqsOfRepeatedPersons_areTheItemsOfEveryPersonNotedMoreThanOnce(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        People people = new People(seed);
        int items = 1 + random.nextInt(5_000);
        List<String> persons = new ArrayList<>();
        for (int i = 0, distinct = 1 + random.nextInt(items); i < distinct; i++) {
            persons.add(people.idNumber());
        }
        RepeatedPersons repeated = new RepeatedPersons();
        Map<String, List<Integer>> seqsByPerson = new HashMap<>();
        int noted = 0;
        for (int seq = 1; seq <= items; seq++) {
            if (random.nextInt(10) == 0) {
                continue; // an item that failed its own checks is not noted
            }
            String idNumber = persons.get(random.nextInt(persons.size()));
            repeated.add(seq, idNumber);
            seqsByPerson.computeIfAbsent(idNumber, k -> new ArrayList<>()).add(seq);
            noted++;
        }

        int[] expected = seqsByPerson.values().stream().filter(seqs -> seqs.size() > 1).flatMap(List::stream)
                .mapToInt(Integer::intValue).sorted().toArray();
        assertThat(repeated.seqsOfRepeatedPersons()).as("seed %d", seed).containsExactly(expected);
        assertThat(repeated.passed()).isEqualTo(noted);
    }

    @Test
    void numbersOneDigitApart_areDifferentPersons() {
        String first17 = "11010519491231002";
        String neighbour17 = "11010519491231003";
        String person = first17 + IdentityNumbers.checkCharacter(first17);
        String neighbour = neighbour17 + IdentityNumbers.checkCharacter(neighbour17);
        RepeatedPersons repeated = new RepeatedPersons();
        repeated.add(1, person);
        repeated.add(2, neighbour);
        assertThat(repeated.seqsOfRepeatedPersons()).isEmpty();

        repeated.add(5_000, person);
        assertThat(repeated.seqsOfRepeatedPersons()).containsExactly(1, 5_000);
        assertThat(repeated.passed()).isEqualTo(3);
    }
}
