package cn.onecard.simulators.isobank;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Carries the gateway's bank reference ({@code "OC"} and 18 digits, 20 characters) in the 12
 * characters of field 37 (retrieval reference number): the 18-digit number written in base 36,
 * digits and upper-case letters, left-padded with {@code '0'}. It fits because 10^18 < 36^12, and
 * the mapping is one to one, so the bank's duplicate check on field 37 is a check on the reference.
 * Both the bank simulator and the gateway's ISO 8583 adapter must write exactly this.
 */
public final class ReferenceCodec {

    public static final String PREFIX = "OC";
    public static final int REFERENCE_CHARS = 20;
    public static final int RRN_CHARS = 12;
    private static final long NUMBER_LIMIT = 1_000_000_000_000_000_000L; // 10^18
    private static final Pattern REFERENCE = Pattern.compile("OC\\d{18}");
    private static final Pattern RRN = Pattern.compile("[0-9A-Z]{12}");

    private ReferenceCodec() {
    }

    /** Field 37 for a bank reference; refused unless it is "OC" and 18 digits. */
    public static String toRrn(String reference) {
        Objects.requireNonNull(reference, "reference");
        if (!REFERENCE.matcher(reference).matches()) {
            throw new IllegalArgumentException("a bank reference is OC and 18 digits");
        }
        String base36 = Long.toString(Long.parseLong(reference.substring(PREFIX.length())), 36).toUpperCase(java.util.Locale.ROOT);
        return "0".repeat(RRN_CHARS - base36.length()) + base36;
    }

    /** The bank reference a field 37 carries; refused unless it is 12 of [0-9A-Z] naming a number below 10^18. */
    public static String toReference(String rrn) {
        Objects.requireNonNull(rrn, "rrn");
        if (!RRN.matcher(rrn).matches()) {
            throw new IllegalArgumentException("an RRN of a bank reference is 12 characters of 0-9 and A-Z");
        }
        // 36^12 - 1 is below Long.MAX_VALUE, so any 12 base-36 characters parse
        long number = Long.parseLong(rrn, 36);
        if (number >= NUMBER_LIMIT) {
            throw new IllegalArgumentException("RRN " + rrn + " names no bank reference: its number is 10^18 or more");
        }
        return String.format("%s%018d", PREFIX, number);
    }

    /** Whether {@code rrn} is the field 37 of some bank reference. */
    public static boolean isReferenceRrn(String rrn) {
        return rrn != null && RRN.matcher(rrn).matches() && Long.parseLong(rrn, 36) < NUMBER_LIMIT;
    }
}
