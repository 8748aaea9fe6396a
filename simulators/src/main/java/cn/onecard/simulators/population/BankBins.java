package cn.onecard.simulators.population;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An agent bank's social security cards: its code, the BINs it issues under and the card length.
 * Text form {@code CODE:BIN,BIN:DIGITS}, e.g. {@code LYB:623595,621493:16}.
 */
public record BankBins(String code, List<String> bins, int cardDigits) {

    private static final Pattern CODE = Pattern.compile("[A-Z0-9]{2,10}");
    private static final Pattern BIN = Pattern.compile("[0-9]{6}");

    public BankBins {
        if (code == null || !CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("bank code must be 2 to 10 of [A-Z0-9]");
        }
        bins = List.copyOf(bins);
        if (bins.isEmpty() || !bins.stream().allMatch(bin -> BIN.matcher(bin).matches())) {
            throw new IllegalArgumentException("bank " + code + ": BINs must be 6 digits each, at least one");
        }
        if (cardDigits != 16 && cardDigits != 19) {
            throw new IllegalArgumentException("bank " + code + ": cards have 16 or 19 digits, got " + cardDigits);
        }
    }

    public static BankBins parse(String text) {
        String[] parts = text.strip().split(":");
        if (parts.length != 3) {
            throw new IllegalArgumentException("bank must be CODE:BIN,BIN:DIGITS, e.g. LYB:623595,621493:16");
        }
        int digits;
        try {
            digits = Integer.parseInt(parts[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bank " + parts[0] + ": card length is not a number");
        }
        return new BankBins(parts[0], Arrays.asList(parts[1].split(",")), digits);
    }

    /** The two demo banks: LYB (16-digit cards) and ABC (19-digit cards). */
    public static List<BankBins> demoBanks() {
        return List.of(new BankBins("LYB", List.of("623595", "621493"), 16),
                new BankBins("ABC", List.of("622848", "622845"), 19));
    }

    @Override
    public String toString() {
        return code + ":" + String.join(",", bins) + ":" + cardDigits;
    }
}
