package cn.onecard.adapters;

import java.util.List;
import java.util.Objects;

/**
 * What a bank has to say outside an exchange, handed over by {@link BankAdapter#collect}: results
 * of dispatches, a dispatch refused whole, a result that cannot be used, a bank that cannot be
 * reached. Facts, not alerts: the gateway decides what each means for the ledger and the operator.
 */
public sealed interface BankReport {

    /**
     * The outcomes of one result file, verified and parsed: its signature and its summary's count
     * and sum check out against its records.
     *
     * @param source     the result file's name at the bank
     * @param dispatchId the dispatch the results belong to, as the bank wrote it
     * @param outcomes   one per record, in file order
     * @param contentSm3 hex SM3 of the result as received, so that the same result seen twice is recognised
     */
    record Results(String source, String dispatchId, List<ItemOutcome> outcomes, String contentSm3) implements BankReport {
        public Results {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(dispatchId, "dispatchId");
            Objects.requireNonNull(contentSm3, "contentSm3");
            outcomes = List.copyOf(outcomes);
        }

        /** Sum of the outcomes' amounts, in fen. */
        public long totalFen() {
            long total = 0;
            for (ItemOutcome outcome : outcomes) {
                total = Math.addExact(total, outcome.amountFen());
            }
            return total;
        }
    }

    /**
     * The bank refused a whole dispatch (a result file whose status says so; it holds no records).
     *
     * @param outcome        the refusal's reason, mapped through the bank's file reason codes
     *                       (scope {@code DISPATCH}, or {@code BANK_FILE_REASON_UNMAPPED})
     * @param bankResultCode the bank's own reason code
     */
    record Refusal(String source, String dispatchId, BankOutcome outcome, String bankResultCode, String contentSm3)
            implements BankReport {
        public Refusal {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(dispatchId, "dispatchId");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(bankResultCode, "bankResultCode");
            Objects.requireNonNull(contentSm3, "contentSm3");
            if (outcome.scope() != BankOutcome.Scope.DISPATCH && outcome != BankOutcome.BANK_FILE_REASON_UNMAPPED) {
                throw new IllegalArgumentException(outcome + " is not a refusal of a whole dispatch");
            }
        }
    }

    /**
     * A result that changes nothing because it cannot be trusted or read; it is set aside on the
     * bank's side (a result file moved to its error folder) once this report is taken.
     *
     * @param source the result file's name
     * @param detail one line, without personal data
     */
    record Unusable(String source, Problem problem, String detail) implements BankReport {
        public Unusable {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(problem, "problem");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Why a result cannot be used. */
    enum Problem {
        /** It does not parse, or its summary's count or sum disagrees with its records. */
        CORRUPT,
        /** Its signature or its encryption does not verify. */
        UNVERIFIED
    }

    /**
     * The bank cannot be reached or refuses the gateway; results wait on its side.
     *
     * @param where  the bank's server, without credentials
     * @param detail one line, without personal data
     */
    record Unreachable(String where, String detail) implements BankReport {
        public Unreachable {
            Objects.requireNonNull(where, "where");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
