package cn.onecard.gateway.ledger;

import java.util.Objects;

/**
 * Where a dispatch stands: its state and the counters its machine decides by.
 *
 * @param sendAttempts       sends started, the first included
 * @param resends            sends decided because the bank's word was missing (results overdue, the
 *                           file not verified by the bank, an inquiry that found nothing)
 * @param inquiries          inquiries that got no trustworthy answer
 * @param reversals          reversals that got no trustworthy answer
 * @param mayHaveReachedBank some send may have reached the bank (sent, answered, or unclear): from then
 *                           on the dispatch can never be abandoned
 */
public record DispatchProgress(DispatchState state, int sendAttempts, int resends, int inquiries, int reversals,
        boolean mayHaveReachedBank) {

    /** A dispatch as it is prepared. */
    public static final DispatchProgress PREPARED = new DispatchProgress(DispatchState.PREPARED, 0, 0, 0, 0, false);

    public DispatchProgress {
        Objects.requireNonNull(state, "state");
        if (sendAttempts < 0 || resends < 0 || inquiries < 0 || reversals < 0) {
            throw new IllegalArgumentException("counters are never negative");
        }
    }

    DispatchProgress to(DispatchState next) {
        return new DispatchProgress(next, sendAttempts, resends, inquiries, reversals, mayHaveReachedBank);
    }

    DispatchProgress reached() {
        return new DispatchProgress(state, sendAttempts, resends, inquiries, reversals, true);
    }

    DispatchProgress sendStarted() {
        return new DispatchProgress(state, sendAttempts + 1, resends, inquiries, reversals, mayHaveReachedBank);
    }

    DispatchProgress resent() {
        return new DispatchProgress(state, sendAttempts, resends + 1, inquiries, reversals, mayHaveReachedBank);
    }

    DispatchProgress inquiryUnanswered() {
        return new DispatchProgress(state, sendAttempts, resends, inquiries + 1, reversals, mayHaveReachedBank);
    }

    DispatchProgress reversalUnanswered() {
        return new DispatchProgress(state, sendAttempts, resends, inquiries, reversals + 1, mayHaveReachedBank);
    }
}
