package cn.onecard.gateway.intake;

import cn.onecard.gateway.validation.IdentityNumbers;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Finds the persons named by more than one item of a batch while the items stream past, so that the
 * duplicate check within the batch touches only those items instead of sorting the whole batch in
 * SQL. Holds one {@code long} per item (16 MB for two million items); no map of strings.
 */
final class RepeatedPersons {

    /** By seq - 1: the person key plus one of an item that passed its own checks, else 0. */
    private long[] keysBySeq = new long[1 << 12];
    private int highestSeq;
    private int passed;

    /** Notes an item that passed its own checks; its identity number is valid. */
    void add(int seq, String validIdNumber) {
        if (seq > keysBySeq.length) {
            keysBySeq = Arrays.copyOf(keysBySeq, Math.max(seq, keysBySeq.length * 2));
        }
        if (keysBySeq[seq - 1] == 0) {
            passed++;
        }
        keysBySeq[seq - 1] = IdentityNumbers.personKey(validIdNumber) + 1;
        highestSeq = Math.max(highestSeq, seq);
    }

    /** How many items were noted. */
    int passed() {
        return passed;
    }

    /** The seqs, ascending, of every item whose person another noted item names too (first occurrences included). */
    int[] seqsOfRepeatedPersons() {
        long[] sorted = new long[highestSeq];
        int noted = 0;
        for (int i = 0; i < highestSeq; i++) {
            if (keysBySeq[i] != 0) {
                sorted[noted++] = keysBySeq[i];
            }
        }
        Arrays.sort(sorted, 0, noted);
        Set<Long> repeated = new HashSet<>();
        for (int i = 1; i < noted; i++) {
            if (sorted[i] == sorted[i - 1]) {
                repeated.add(sorted[i]);
            }
        }
        if (repeated.isEmpty()) {
            return new int[0];
        }
        return java.util.stream.IntStream.rangeClosed(1, highestSeq)
                .filter(seq -> keysBySeq[seq - 1] != 0 && repeated.contains(keysBySeq[seq - 1])).toArray();
    }
}
