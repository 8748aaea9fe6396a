package cn.onecard.gateway.testing;

import cn.onecard.gateway.validation.CardNumbers;
import cn.onecard.gateway.validation.IdentityNumbers;
import java.util.SplittableRandom;

/** Valid identity and card numbers for tests, drawn from a seeded random source. */
public final class People {

    private final SplittableRandom random;

    public People(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A valid 18-character identity number born between 1940 and 2000. */
    public String idNumber() {
        StringBuilder id = new StringBuilder("410305");
        id.append(1940 + random.nextInt(60));
        id.append(String.format("%02d%02d", 1 + random.nextInt(12), 1 + random.nextInt(28)));
        id.append(String.format("%03d", random.nextInt(1000)));
        return id.append(IdentityNumbers.checkCharacter(id)).toString();
    }

    /** A Luhn-valid card number of {@code length} digits starting with {@code bin}. */
    public String card(String bin, int length) {
        StringBuilder card = new StringBuilder(bin);
        while (card.length() < length - 1) {
            card.append((char) ('0' + random.nextInt(10)));
        }
        return card.append(CardNumbers.luhnDigit(card)).toString();
    }

    /** The same number with its last digit changed, so that its check fails. */
    public static String breakCheckDigit(String number) {
        char last = number.charAt(number.length() - 1);
        char other = last == '0' || last == 'X' ? '1' : (char) (last - 1);
        return number.substring(0, number.length() - 1) + other;
    }
}
