package cn.onecard.iso8583;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A dialect's field-39 codes and what each means. Reading a code the table does not list gives
 * {@link ResultCode#UNRECOGNISED}, whose disposition is unknown: an unlisted answer is never taken
 * for a refusal. Writing a meaning gives the code the dialect names for it, or the lowest code
 * mapped to it.
 */
public final class CodeTable {

    private final Map<String, ResultCode> meanings;
    private final Map<ResultCode, String> answers;

    CodeTable(Map<String, ResultCode> meanings, Map<ResultCode, String> preferredAnswers) {
        this.meanings = Collections.unmodifiableMap(new TreeMap<>(meanings));
        Map<ResultCode, String> answers = new EnumMap<>(ResultCode.class);
        this.meanings.forEach((code, meaning) -> answers.putIfAbsent(meaning, code)); // TreeMap order: lowest code first
        answers.putAll(preferredAnswers);
        this.answers = Collections.unmodifiableMap(answers);
    }

    public ResultCode meaningOf(String code) {
        return code == null ? ResultCode.UNRECOGNISED : meanings.getOrDefault(code, ResultCode.UNRECOGNISED);
    }

    /** The code this dialect writes for {@code meaning}; refused when it has none. */
    public String codeFor(ResultCode meaning) {
        String code = answers.get(meaning);
        if (code == null) {
            throw new IllegalArgumentException("the dialect has no code for " + meaning);
        }
        return code;
    }

    public boolean hasCodeFor(ResultCode meaning) {
        return answers.containsKey(meaning);
    }

    /** Every code and its meaning, ordered by code. */
    public Map<String, ResultCode> entries() {
        return meanings;
    }
}
