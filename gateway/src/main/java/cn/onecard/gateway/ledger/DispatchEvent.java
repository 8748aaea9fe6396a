package cn.onecard.gateway.ledger;

import cn.onecard.adapters.AccountCheck;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.InquiryAnswer;
import cn.onecard.adapters.ReversalAnswer;
import cn.onecard.adapters.SendReceipt;
import java.time.Duration;
import java.util.Objects;

/** What can happen to a dispatch; {@link DispatchStateMachine} decides what each does. */
public sealed interface DispatchEvent {

    /** The bank answered whether its card accounts can take the credit. */
    record VerificationAnswered(AccountCheck check) implements DispatchEvent {
        public VerificationAnswered {
            Objects.requireNonNull(check, "check");
        }
    }

    /** A send begins; recorded before the bank can see it, so that a crash leaves a trace. */
    record SendStarted() implements DispatchEvent {
    }

    /** Send number {@code attempt} (1 for the first) ended with this receipt. */
    record SendCompleted(int attempt, SendReceipt receipt) implements DispatchEvent {
        public SendCompleted {
            Objects.requireNonNull(receipt, "receipt");
            if (attempt < 1) {
                throw new IllegalArgumentException("attempts count from 1");
            }
        }
    }

    /**
     * Send number {@code attempt} was found under way with no one left to finish it (its node
     * stopped), or outlived the cycle that started it.
     */
    record SendInterrupted(int attempt, String reason) implements DispatchEvent {
        public SendInterrupted {
            Objects.requireNonNull(reason, "reason");
            if (attempt < 1) {
                throw new IllegalArgumentException("attempts count from 1");
            }
        }
    }

    /**
     * Bank outcomes were applied to the dispatch's items (a result file, a late answer);
     * {@code dispatched} of its items still have no word from the bank, {@code unknown} have one that
     * does not settle them (a "duplicate record", or the gateway gave them up).
     */
    record OutcomesApplied(int dispatched, int unknown) implements DispatchEvent {
        public OutcomesApplied {
            if (dispatched < 0 || unknown < 0) {
                throw new IllegalArgumentException("counts are never negative");
            }
        }
    }

    /** A batch-file bank's results are past their deadline. */
    record ResultsOverdue() implements DispatchEvent {
    }

    /**
     * An online payment's fate has been unclear (inquired about, or being reversed) for
     * {@code unclearFor}, longer than the configured {@code limit}.
     */
    record UnclearPastLimit(Duration unclearFor, Duration limit) implements DispatchEvent {
        public UnclearPastLimit {
            Objects.requireNonNull(unclearFor, "unclearFor");
            Objects.requireNonNull(limit, "limit");
        }
    }

    /** The bank refused the whole dispatch for this reason. */
    record RefusedWhole(BankOutcome outcome) implements DispatchEvent {
        public RefusedWhole {
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /**
     * The bank answered an inquiry about the dispatch's references; {@code asked} is where the dispatch
     * stood when the inquiry was made: an answer to a question asked of an earlier send is stale.
     */
    record InquiryAnswered(DispatchProgress asked, InquiryAnswer answer) implements DispatchEvent {
        public InquiryAnswered {
            Objects.requireNonNull(asked, "asked");
            Objects.requireNonNull(answer, "answer");
        }
    }

    /** The bank answered a reversal of the dispatch, asked when it stood at {@code asked}. */
    record ReversalAnswered(DispatchProgress asked, ReversalAnswer answer) implements DispatchEvent {
        public ReversalAnswered {
            Objects.requireNonNull(asked, "asked");
            Objects.requireNonNull(answer, "answer");
        }
    }
}
