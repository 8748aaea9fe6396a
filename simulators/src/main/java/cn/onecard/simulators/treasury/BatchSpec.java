package cn.onecard.simulators.treasury;

import java.time.YearMonth;
import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What to generate: one batch of one programme and period.
 *
 * @param badShare   share of bad items, split evenly over the kinds that apply, when {@code kindShares} is empty
 * @param kindShares share of each bad kind (overrides {@code badShare}); GOOD takes the rest
 * @param seed       every random choice of the batch derives from it
 */
public record BatchSpec(String batchId, String programCode, YearMonth period, int items, double badShare,
                        Map<ItemKind, Double> kindShares, long seed, String payerAccount, String callbackUrl) {

    public static final int ITEMS_MAX = 2_000_000;
    private static final Pattern BATCH_ID = Pattern.compile("[0-9A-Za-z_-]{1,40}");
    private static final Pattern PAYER = Pattern.compile("[0-9A-Za-z]{1,40}");

    public BatchSpec {
        if (batchId == null || !BATCH_ID.matcher(batchId).matches()) {
            throw new IllegalArgumentException("batch id must be 1 to 40 of [0-9A-Za-z_-]");
        }
        Catalogue.byCode(programCode);
        if (items < 1 || items > ITEMS_MAX) {
            throw new IllegalArgumentException("items must be 1 to " + ITEMS_MAX + ", got " + items);
        }
        if (!(badShare >= 0 && badShare <= 1)) {
            throw new IllegalArgumentException("bad share must be 0 to 1");
        }
        EnumMap<ItemKind, Double> shares = new EnumMap<>(ItemKind.class);
        shares.putAll(kindShares);
        shares.remove(ItemKind.GOOD);
        double sum = 0;
        for (double share : shares.values()) {
            if (!(share >= 0 && share <= 1)) {
                throw new IllegalArgumentException("kind shares must be 0 to 1");
            }
            sum += share;
        }
        if (sum > 1) {
            throw new IllegalArgumentException("kind shares add up to more than 1");
        }
        kindShares = Map.copyOf(shares);
        if (payerAccount == null || !PAYER.matcher(payerAccount).matches()) {
            throw new IllegalArgumentException("payer account must be 1 to 40 of [0-9A-Za-z]");
        }
        if (callbackUrl == null || !(callbackUrl.startsWith("http://") || callbackUrl.startsWith("https://"))) {
            throw new IllegalArgumentException("callback URL must be an absolute http or https URL");
        }
    }

    /** A batch id from programme, period and a sequence number: {@code T202611P29-0001}. */
    public static String batchIdFor(String programCode, YearMonth period, int sequence) {
        return String.format("T%04d%02d%s-%04d", period.getYear(), period.getMonthValue(), programCode, sequence);
    }

    public String periodText() {
        return String.format("%04d%02d", period.getYear(), period.getMonthValue());
    }
}
