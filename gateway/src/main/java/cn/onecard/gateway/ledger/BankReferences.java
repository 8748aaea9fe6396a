package cn.onecard.gateway.ledger;

/**
 * An item's reference at its bank, derived from its ledger key: {@code OC} + the batch key in 10
 * digits + the item's position in 8 digits, 20 characters. Fixed from the moment the item is stored,
 * so every send of the item carries the same reference, and unique without an index.
 */
public final class BankReferences {

    public static final String PREFIX = "OC";
    public static final long BATCH_PK_MAX = 9_999_999_999L;
    public static final int SEQ_MAX = 99_999_999;

    private BankReferences() {
    }

    public static String of(long batchPk, int seq) {
        if (batchPk < 1 || batchPk > BATCH_PK_MAX || seq < 1 || seq > SEQ_MAX) {
            throw new IllegalArgumentException("no bank reference for batch " + batchPk + " item " + seq);
        }
        StringBuilder reference = new StringBuilder(20).append(PREFIX);
        String batch = Long.toString(batchPk);
        reference.repeat('0', 10 - batch.length()).append(batch);
        String position = Integer.toString(seq);
        return reference.repeat('0', 8 - position.length()).append(position).toString();
    }

    /** The ledger key of a reference, or null when it is not one of ours. */
    public static ItemKey parse(String reference) {
        if (reference == null || reference.length() != 20 || !reference.startsWith(PREFIX)) {
            return null;
        }
        for (int i = 2; i < 20; i++) {
            char c = reference.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        long batchPk = Long.parseLong(reference, 2, 12, 10);
        int seq = Integer.parseInt(reference, 12, 20, 10);
        return batchPk < 1 || seq < 1 ? null : new ItemKey(batchPk, seq);
    }

    /** An item's key in the ledger. */
    public record ItemKey(long batchPk, int seq) {
    }
}
