package cn.onecard.adapters;

/**
 * One agent bank, as the gateway's dispatcher sees it, whatever the bank speaks (batch files, ISO
 * 8583, HTTP).
 *
 * <p>Exactly-once rules every implementation keeps:
 * <ul>
 *   <li>A {@link Dispatch} may be sent again after a failure or a crash, with the same dispatch id
 *       and the same item references. The adapter sends it under the same identifiers, so the bank
 *       recognises the resend; it never invents new ones.</li>
 *   <li>{@link #send} never reports a payment outcome it does not know: a send whose fate is
 *       unclear is {@link SendReceipt.Unknown}, never {@link SendReceipt.NotSent}.</li>
 *   <li>{@link #collect} hands each result over until the handler returns normally; only then is
 *       the result released on the bank side (a result file moved aside, for example). The handler
 *       must therefore be idempotent: the same result may arrive twice.</li>
 * </ul>
 */
public interface BankAdapter extends AutoCloseable {

    /** The bank's code in the gateway's routing table, e.g. {@code LYB}. */
    String bankCode();

    /** What this bank can do and its limits; fixed for the adapter's life. */
    BankCapabilities capabilities();

    /**
     * Sends one dispatch (a payment file for a batch-file bank). Bank faults are values in the
     * receipt, not exceptions; an exception means a defect or a broken invariant.
     */
    SendReceipt send(Dispatch dispatch);

    /**
     * Hands every result that has arrived since the last call to {@code handler}, one delivery per
     * result file (or per answered request), and alerts about results that cannot be used. Returns
     * when nothing more is waiting. A delivery whose handler throws stays on the bank side and is
     * offered again on a later call.
     */
    void collect(ResultHandler handler);

    /** Releases connections and threads. */
    @Override
    void close();
}
