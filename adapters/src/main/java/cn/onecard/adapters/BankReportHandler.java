package cn.onecard.adapters;

/** Takes what {@link BankAdapter#collect} hands over. Implemented by the gateway's ledger. */
@FunctionalInterface
public interface BankReportHandler {

    /**
     * Stores a report durably. Returning normally releases it on the bank side (a result file moved
     * aside); throwing leaves it there to be offered again. Must be idempotent: the same report may
     * come twice.
     */
    void accept(BankReport report) throws Exception;
}
