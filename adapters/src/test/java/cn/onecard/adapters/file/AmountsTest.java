package cn.onecard.adapters.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.crypto.SeededCases;
import java.math.BigDecimal;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AmountsTest {

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("fen -> yuan text -> fen", 50);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void yuanText_roundTripsEveryAmountUpToTenToTheTwelve(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 2_000; i++) {
            long fen = random.nextLong(1_000_000_000_001L);
            String text = Amounts.yuan(fen);
            // An independent oracle: BigDecimal's own idea of fen / 100 with two decimals.
            assertThat(text).isEqualTo(BigDecimal.valueOf(fen).movePointLeft(2).setScale(2).toPlainString());
            assertThat(Amounts.parseYuan(text, false)).isEqualTo(fen);
            assertThat(Amounts.parseFen(Long.toString(fen), false)).isEqualTo(fen);
        }
    }

    @Test
    void yuan_writesTwoDecimalsAlways() {
        assertThat(Amounts.yuan(0)).isEqualTo("0.00");
        assertThat(Amounts.yuan(5)).isEqualTo("0.05");
        assertThat(Amounts.yuan(9000)).isEqualTo("90.00");
        assertThat(Amounts.yuan(Amounts.AMOUNT_FEN_MAX)).isEqualTo("9999999999999.99");
    }

    @Test
    void yuan_refusesNegativeAndOverLimit() {
        assertThatThrownBy(() -> Amounts.yuan(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Amounts.yuan(Amounts.AMOUNT_FEN_MAX + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parseYuan_zeroPaddedFixedWidthField() {
        assertThat(Amounts.parseYuan("000000000090.00", true)).isEqualTo(9000);
        assertThat(Amounts.parseYuan("000000000000.05", true)).isEqualTo(5);
    }

    static Stream<Arguments> badYuan() {
        return Stream.of(
                Arguments.of(Named.of("one decimal", "90.1")),
                Arguments.of(Named.of("three decimals", "90.001")),
                Arguments.of(Named.of("minus sign", "-1.00")),
                Arguments.of(Named.of("plus sign", "+1.00")),
                Arguments.of(Named.of("no decimals", "90")),
                Arguments.of(Named.of("no integer part", ".50")),
                Arguments.of(Named.of("leading zero", "090.00")),
                Arguments.of(Named.of("thousands separator", "1,000.00")),
                Arguments.of(Named.of("comma as decimal point", "90,00")),
                Arguments.of(Named.of("spaces", " 90.00")),
                Arguments.of(Named.of("exponent", "9e1.00")),
                Arguments.of(Named.of("full-width digits", "９0.00")),
                Arguments.of(Named.of("over the limit", "10000000000000.00")),
                Arguments.of(Named.of("overflows a long", "92233720368547758.08")),
                Arguments.of(Named.of("more digits than any long", "123456789012345678901234.00")),
                Arguments.of(Named.of("empty", "")));
    }

    @ParameterizedTest
    @MethodSource("badYuan")
    void parseYuan_refusesAnythingButExactlyTwoDecimals(String text) {
        assertThatThrownBy(() -> Amounts.parseYuan(text, false))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> {
                    if (!text.isEmpty()) {
                        assertThat(e.getMessage()).doesNotContain(text);
                    }
                });
    }

    @Test
    void parseFen_refusesSignsLeadingZerosAndOverflow() {
        assertThatThrownBy(() -> Amounts.parseFen("-1", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Amounts.parseFen("+1", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Amounts.parseFen("01", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Amounts.parseFen("1000000000000000", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Amounts.parseFen("99999999999999999999", true)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Amounts.parseFen("000000000009000", true)).isEqualTo(9000);
        assertThat(Amounts.parseFen("0", false)).isZero();
    }
}
