package cn.onecard.gateway.validation;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Routes a card to its agent bank by the card's leading digits (BIN / IIN, 6 to 8 digits), longest
 * prefix first. A card of no contracted bank has no route.
 */
public final class BankRouting {

    public static final int BIN_DIGITS_MIN = 6;
    public static final int BIN_DIGITS_MAX = 8;

    private final Map<String, String> bankByBin;

    private BankRouting(Map<String, String> bankByBin) {
        this.bankByBin = Map.copyOf(bankByBin);
    }

    /** @param binsByBank bank code → its BINs */
    public static BankRouting of(Map<String, ? extends Iterable<String>> binsByBank) {
        Map<String, String> bankByBin = new HashMap<>();
        binsByBank.forEach((bank, bins) -> {
            for (String bin : bins) {
                if (bin.length() < BIN_DIGITS_MIN || bin.length() > BIN_DIGITS_MAX
                        || !bin.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException("bank " + bank + ": a BIN is 6 to 8 digits: " + bin);
                }
                String previous = bankByBin.putIfAbsent(bin, bank);
                if (previous != null && !previous.equals(bank)) {
                    throw new IllegalArgumentException("BIN " + bin + " is routed to both " + previous + " and " + bank);
                }
            }
        });
        return new BankRouting(bankByBin);
    }

    /** The bank code for a well-formed card number, or null when no contracted bank issues it. */
    public String bankFor(String cardNumber) {
        Objects.requireNonNull(cardNumber, "cardNumber");
        for (int digits = Math.min(BIN_DIGITS_MAX, cardNumber.length()); digits >= BIN_DIGITS_MIN; digits--) {
            String bank = bankByBin.get(cardNumber.substring(0, digits));
            if (bank != null) {
                return bank;
            }
        }
        return null;
    }
}
