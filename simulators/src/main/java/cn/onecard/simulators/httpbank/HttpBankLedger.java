package cn.onecard.simulators.httpbank;

import java.util.List;

/**
 * The HTTP bank's own record, for an auditor to hold against the gateway's: a snapshot taken by
 * {@link HttpBankHost#ledger()}. References and amounts only, never card data.
 *
 * @param payments          every credit paid, in order; a reference appears at most once
 * @param reversals         every credit reversed, in order; a repeated reversal is not listed again
 * @param refusals          every credit refused (account state, name, amount), in order
 * @param duplicatesRefused every credit answered {@code DUPLICATE} because its reference was taken, in order
 * @param paidSumFen        the sum of {@code payments}
 * @param reversedSumFen    the sum of {@code reversals}; what stands paid is the difference
 */
public record HttpBankLedger(List<Entry> payments, List<Entry> reversals, List<Entry> refusals, List<Entry> duplicatesRefused,
                             long paidSumFen, long reversedSumFen) {

    public HttpBankLedger {
        payments = List.copyOf(payments);
        reversals = List.copyOf(reversals);
        refusals = List.copyOf(refusals);
        duplicatesRefused = List.copyOf(duplicatesRefused);
    }

    /** One line of the ledger: the gateway's bank reference and the amount in fen. */
    public record Entry(String reference, long amountFen) {
    }
}
