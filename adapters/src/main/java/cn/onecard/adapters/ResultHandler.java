package cn.onecard.adapters;

/**
 * Takes results from {@link BankAdapter#collect}. Implemented by the gateway's ledger.
 */
public interface ResultHandler {

    /**
     * Stores a delivery durably. Returning normally releases it on the bank side; throwing leaves
     * it there to be offered again. Must be idempotent: the same delivery may come twice.
     */
    void accept(ResultDelivery delivery) throws Exception;

    /** Records an alert for the operator. Must not throw for an alert it has seen before. */
    void alert(BankAlert alert);
}
