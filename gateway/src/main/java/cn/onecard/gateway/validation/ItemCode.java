package cn.onecard.gateway.validation;

/**
 * Why an item was rejected or held before it was paid: one code per failed check at intake, and the
 * operators' refusal on review; stable names and numbers (listed in docs/codes.md). Ordered by
 * precedence: when an item fails several checks, the first in this order is reported. Nothing here
 * is retryable: the treasury corrects the item and sends it in a new batch.
 */
public enum ItemCode {
    ID_NUMBER_FORMAT(101, Outcome.REJECT),
    ID_NUMBER_CHECKSUM(102, Outcome.REJECT),
    ID_NUMBER_BIRTH_DATE(103, Outcome.REJECT),
    NAME_INVALID(104, Outcome.REJECT),
    CARD_NUMBER_FORMAT(111, Outcome.REJECT),
    CARD_NUMBER_LUHN(112, Outcome.REJECT),
    CARD_BANK_NOT_CONTRACTED(113, Outcome.REJECT),
    AMOUNT_NOT_POSITIVE(121, Outcome.REJECT),
    PROXY_ID_INVALID(122, Outcome.REJECT),
    PHONE_INVALID(123, Outcome.REJECT),
    AMOUNT_OVER_CAP(131, Outcome.REJECT),
    NOT_HOUSEHOLD_HEAD(132, Outcome.REJECT),
    PERSON_DECEASED(141, Outcome.REJECT),
    PERSON_BLOCKED(142, Outcome.REJECT),
    CARD_NOT_IN_REGISTRY(151, Outcome.REJECT),
    CARD_HOLDER_MISMATCH(152, Outcome.REJECT),
    CARD_NOT_ACTIVATED(153, Outcome.REJECT),
    CARD_LOST_TEMPORARY(154, Outcome.REJECT),
    CARD_LOST_FORMAL(155, Outcome.REJECT),
    CARD_CANCELLED(156, Outcome.REJECT),
    CARD_FROZEN(157, Outcome.REJECT),
    DUPLICATE_IN_BATCH(201, Outcome.HOLD),
    DUPLICATE_ACROSS_BATCHES(202, Outcome.HOLD),
    /** An operator reviewed a held item and refused it (maker and checker). */
    REJECTED_ON_REVIEW(211, Outcome.REJECT);

    /** What a failed check does to the item. */
    public enum Outcome {
        /** Final: the item is not paid. */
        REJECT,
        /** Suspicious: held for an operator, neither paid nor rejected. */
        HOLD
    }

    private final int number;
    private final Outcome outcome;

    ItemCode(int number, Outcome outcome) {
        this.number = number;
        this.outcome = outcome;
    }

    public int number() {
        return number;
    }

    public Outcome outcome() {
        return outcome;
    }
}
