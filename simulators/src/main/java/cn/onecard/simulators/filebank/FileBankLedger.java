package cn.onecard.simulators.filebank;

import java.util.List;

/**
 * The bank's own record, for an auditor to hold against the gateway's: a snapshot taken by
 * {@link FileBankSimulator#ledger()}. It holds references and amounts, never card data.
 *
 * @param kind            the bank's layout
 * @param payments        every reference paid, in payment order
 * @param paidCount       number of payments
 * @param paidSumFen      their sum
 * @param filesSeen       file ids taken in (processed or refused whole), in order; a later file with
 *                        one of these ids is answered with its original results, never paid again
 * @param filesRefused    the subset of {@code filesSeen} refused whole
 * @param filesUnverified payment file names refused because their signature or envelope failed;
 *                        their file ids are not taken (an unauthenticated name proves nothing)
 * @param resultsWritten  result file names published to out/, in order, repeats included
 */
public record FileBankLedger(FileBankKind kind, List<Payment> payments, int paidCount, long paidSumFen,
                             List<String> filesSeen, List<String> filesRefused, List<String> filesUnverified,
                             List<String> resultsWritten) {

    public FileBankLedger {
        payments = List.copyOf(payments);
        filesSeen = List.copyOf(filesSeen);
        filesRefused = List.copyOf(filesRefused);
        filesUnverified = List.copyOf(filesUnverified);
        resultsWritten = List.copyOf(resultsWritten);
    }

    /** One credit: the payee reference, the amount and the file id that carried it. */
    public record Payment(String reference, long amountFen, String fileId) {
    }
}
