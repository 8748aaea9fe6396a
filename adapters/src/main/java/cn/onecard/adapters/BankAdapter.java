package cn.onecard.adapters;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One agent bank, as the gateway's dispatcher sees it, whatever the bank speaks (batch files, ISO
 * 8583, HTTP). The dispatcher reads {@link #capabilities()} to decide a dispatch's life: a batch-file
 * bank is sent the same file again when its fate is unclear; an online bank's unclear payment is
 * settled by {@link #inquire} (then {@link #reverse}, where the bank has it), never by a blind resend;
 * a bank that verifies accounts is asked {@link #verify} before any credit.
 *
 * <p>Exactly-once rules every implementation keeps:
 * <ul>
 *   <li>A {@link Dispatch} may be sent again after a failure or a crash, with the same dispatch id
 *       and the same item references. The adapter sends it under the same identifiers, so the bank
 *       recognises the resend; it never invents new ones.</li>
 *   <li>Every operation completes with exactly one answer, and never reports an outcome it does not
 *       know: a send whose fate is unclear is {@link SendReceipt.Unknown}, never
 *       {@link SendReceipt.NotSent}; an answer that cannot be trusted (unsigned, bad MAC) is unknown,
 *       never a refusal. Bank faults are values; a stage completed exceptionally means a defect or a
 *       broken invariant, and the dispatcher treats it as unknown.</li>
 *   <li>{@link #collect} hands each report over until the handler returns normally; only then is the
 *       report released on the bank side. The handler is idempotent: the same report may arrive twice.</li>
 *   <li>Calls may overlap, up to {@link BankCapabilities#sendsInFlightMax()} operations at once.</li>
 * </ul>
 */
public interface BankAdapter extends AutoCloseable {

    /** The bank's code in the gateway's routing table, e.g. {@code LYB}. */
    String bankCode();

    /** What this bank can do and its limits; fixed for the adapter's life. */
    BankCapabilities capabilities();

    /** Sends one dispatch (a payment file of a batch-file bank, one credit of an online bank). */
    CompletionStage<SendReceipt> send(Dispatch dispatch);

    /**
     * Asks whether the card account of each instruction can take the credit, where
     * {@link BankCapabilities#accountVerification()}; no money moves. One answer for the dispatch: an
     * online dispatch holds one instruction.
     */
    default CompletionStage<AccountCheck> verify(Dispatch dispatch) {
        return unsupported("account verification");
    }

    /**
     * Asks what became of a sent dispatch, by its references, where
     * {@link BankCapabilities#statusInquiry()}. Moves no money.
     */
    default CompletionStage<InquiryAnswer> inquire(Dispatch dispatch) {
        return unsupported("status inquiry");
    }

    /**
     * Reverses a sent dispatch whose outcome is unclear, by its references, where
     * {@link BankCapabilities#reversal()}.
     */
    default CompletionStage<ReversalAnswer> reverse(Dispatch dispatch) {
        return unsupported("reversal");
    }

    /**
     * Hands every report that has arrived since the last call to {@code handler} (one per result
     * file, refusal or problem) and returns when nothing more is waiting. A report whose handler
     * throws stays on the bank side and is offered again on a later call. An online bank whose answers
     * all come back on their exchanges has nothing to collect.
     */
    void collect(BankReportHandler handler);

    /** Releases connections and threads; operations still running complete with unknown outcomes. */
    @Override
    void close();

    private static <T> CompletionStage<T> unsupported(String operation) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this bank offers no " + operation));
    }
}
