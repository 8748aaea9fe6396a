package cn.onecard.iso8583;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A party's own codes and what each means in one of the project's code families: an ISO 8583
 * dialect's field-39 codes mapped to {@link ResultCode}, a bank's result codes mapped to the
 * gateway's bank outcomes. The only place such codes are interpreted, loaded from the party's data.
 * Reading a code the table does not list gives the family's "unrecognised" meaning, which a family
 * must make an unknown disposition: an unlisted answer is never taken for a refusal. Writing a
 * meaning gives the code the party names for it, or the lowest code mapped to it.
 *
 * @param <M> the code family
 */
public final class CodeTable<M extends Enum<M>> {

    private final Map<String, M> meanings;
    private final Map<M, String> answers;
    private final Map<String, String> texts;
    private final M unrecognised;

    /**
     * @param type             the family
     * @param unrecognised     the meaning of a code the table does not list
     * @param meanings         each code and its meaning
     * @param preferredAnswers for a meaning several codes share, the one to write
     * @param texts            the party's own text of a code, where it has one (for operators)
     */
    public CodeTable(Class<M> type, M unrecognised, Map<String, M> meanings, Map<M, String> preferredAnswers,
            Map<String, String> texts) {
        Objects.requireNonNull(unrecognised, "unrecognised");
        this.unrecognised = unrecognised;
        this.meanings = Collections.unmodifiableMap(new TreeMap<>(meanings));
        if (this.meanings.containsValue(unrecognised)) {
            throw new IllegalArgumentException(unrecognised + " is what a code the table does not list means; no code may name it");
        }
        Map<M, String> answers = new EnumMap<>(type);
        this.meanings.forEach((code, meaning) -> answers.putIfAbsent(meaning, code)); // TreeMap order: lowest code first
        preferredAnswers.forEach((meaning, code) -> {
            if (this.meanings.get(code) != meaning) {
                throw new IllegalArgumentException("the preferred code " + code + " does not mean " + meaning);
            }
        });
        answers.putAll(preferredAnswers);
        this.answers = Collections.unmodifiableMap(answers);
        this.texts = Map.copyOf(texts);
    }

    public M meaningOf(String code) {
        return code == null ? unrecognised : meanings.getOrDefault(code, unrecognised);
    }

    /** Whether the table lists {@code code}. */
    public boolean lists(String code) {
        return code != null && meanings.containsKey(code);
    }

    /** The code the party writes for {@code meaning}; refused when it has none. */
    public String codeFor(M meaning) {
        String code = answers.get(meaning);
        if (code == null) {
            throw new IllegalArgumentException("the code table has no code for " + meaning);
        }
        return code;
    }

    public boolean hasCodeFor(M meaning) {
        return answers.containsKey(meaning);
    }

    /** The party's own text of {@code code}, or an empty string. */
    public String textOf(String code) {
        return code == null ? "" : texts.getOrDefault(code, "");
    }

    /** Every code and its meaning, ordered by code. */
    public Map<String, M> entries() {
        return meanings;
    }
}
