package cn.onecard.iso8583;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class InputTextTest {

    @ParameterizedTest
    @MethodSource("cases")
    void inputIsQuotedWithEveryActiveCharacterEscaped(String input, String shown) {
        assertThat(InputText.quoted(input)).isEqualTo(shown);
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> cases() {
        return Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("amountFen", "\"amountFen\""),
                org.junit.jupiter.params.provider.Arguments.of("a\nb", "\"a\\nb\""),
                org.junit.jupiter.params.provider.Arguments.of("a\r\nALERT", "\"a\\r\\nALERT\""),
                org.junit.jupiter.params.provider.Arguments.of("q\"uote\\", "\"q\\\"uote\\\\\""),
                org.junit.jupiter.params.provider.Arguments.of("nul\u0000", "\"nul\\u0000\""),
                org.junit.jupiter.params.provider.Arguments.of("c1\u0085", "\"c1\\u0085\""),
                org.junit.jupiter.params.provider.Arguments.of("bidi\u202e", "\"bidi\\u202e\""),
                org.junit.jupiter.params.provider.Arguments.of("ls\u2028ps\u2029", "\"ls\\u2028ps\\u2029\""),
                org.junit.jupiter.params.provider.Arguments.of("lone\ud800", "\"lone\\ud800\""),
                org.junit.jupiter.params.provider.Arguments.of("张三", "\"张三\""),
                org.junit.jupiter.params.provider.Arguments.of(null, "null"));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void noInputEverYieldsALineBreakOrAControlCharacter(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            input.append((char) random.nextInt(0x10000));
        }
        for (String shown : new String[] {InputText.quoted(input.toString()), InputText.escaped(input.toString())}) {
            assertThat(shown.chars()).noneMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || (c >= 0xD800 && c <= 0xDFFF) || c == 0x2028 || c == 0x2029);
        }
        assertThat(InputText.quoted(input.toString())).hasSizeLessThan(InputText.SHOWN_CHARS_MAX * 6 + 8);
    }

    static Stream<Long> seeds() {
        return new SplittableRandom(20261207L).longs(200).boxed();
    }
}
