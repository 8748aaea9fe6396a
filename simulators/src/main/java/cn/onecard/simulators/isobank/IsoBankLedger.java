package cn.onecard.simulators.isobank;

import java.util.List;

/**
 * The ISO 8583 bank's own record, for an auditor to hold against the gateway's: a snapshot taken by
 * {@link IsoBankHost#ledger()}. It holds references and amounts, never card data.
 *
 * @param payments          every credit paid, in order; a credit paid again after its reversal appears twice
 * @param reversals         every credit reversed, in order; a repeated reversal is not listed again
 * @param duplicatesRefused every credit refused because its RRN was already paid (94), in order
 * @param paidSumFen        the sum of {@code payments}
 * @param reversedSumFen    the sum of {@code reversals}; what stands paid is the difference
 */
public record IsoBankLedger(List<Entry> payments, List<Entry> reversals, List<Entry> duplicatesRefused, long paidSumFen,
                            long reversedSumFen) {

    public IsoBankLedger {
        payments = List.copyOf(payments);
        reversals = List.copyOf(reversals);
        duplicatesRefused = List.copyOf(duplicatesRefused);
    }

    /**
     * One line of the ledger.
     *
     * @param reference the gateway's bank reference ({@link ReferenceCodec}), or null when the RRN encodes none
     * @param rrn       field 37 as received
     */
    public record Entry(String reference, String rrn, long amountFen) {

        static Entry of(String rrn, long amountFen) {
            return new Entry(ReferenceCodec.isReferenceRrn(rrn) ? ReferenceCodec.toReference(rrn) : null, rrn, amountFen);
        }
    }
}
