package cn.onecard.iso8583;

/**
 * What a host's answer (field 39) means, whatever the dialect writes for it. Each dialect's code
 * table maps its own codes here; adapters map these to the gateway's bank result codes. The
 * numbers are stable: stored and reported, never reused.
 */
public enum ResultCode {
    APPROVED(0),
    INVALID_MERCHANT(3),
    RETAIN_CARD(4),
    DO_NOT_HONOUR(5),
    INVALID_TRANSACTION(12),
    INVALID_AMOUNT(13),
    INVALID_CARD_NUMBER(14),
    NO_SUCH_ISSUER(15),
    ORIGINAL_NOT_FOUND(25),
    FORMAT_ERROR(30),
    LOST_CARD(41),
    STOLEN_CARD(43),
    INSUFFICIENT_FUNDS(51),
    EXPIRED_CARD(54),
    WRONG_PIN(55),
    NOT_ALLOWED_FOR_CARD(57),
    NOT_ALLOWED_ON_TERMINAL(58),
    AMOUNT_OVER_LIMIT(61),
    RESTRICTED_CARD(62),
    AMOUNT_DIFFERS_FROM_ORIGINAL(64),
    WITHDRAWAL_COUNT_EXCEEDED(65),
    TIMED_OUT(68),
    PIN_TRIES_EXCEEDED(75),
    CUTOVER_IN_PROGRESS(90),
    ISSUER_UNAVAILABLE(91),
    DUPLICATE_TRANSMISSION(94),
    SYSTEM_MALFUNCTION(96),
    TERMINAL_NOT_REGISTERED(97),
    ISSUER_TIMED_OUT(98),
    PIN_FORMAT_ERROR(99),
    MAC_ERROR(100),
    /** The account holder's name or identity number does not match the account (account verification). */
    HOLDER_MISMATCH(110),
    ACCOUNT_CLOSED(111),
    ACCOUNT_FROZEN(112),
    CARD_NOT_ACTIVATED(113),
    /** A code the dialect's table does not list. */
    UNRECOGNISED(999);

    private final int number;

    ResultCode(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    public Disposition disposition() {
        return switch (this) {
            case APPROVED -> Disposition.APPROVED;
            case INVALID_MERCHANT, RETAIN_CARD, DO_NOT_HONOUR, INVALID_TRANSACTION, INVALID_AMOUNT, INVALID_CARD_NUMBER,
                 NO_SUCH_ISSUER, ORIGINAL_NOT_FOUND, LOST_CARD, STOLEN_CARD, INSUFFICIENT_FUNDS, EXPIRED_CARD, WRONG_PIN,
                 NOT_ALLOWED_FOR_CARD, NOT_ALLOWED_ON_TERMINAL, AMOUNT_OVER_LIMIT, RESTRICTED_CARD,
                 AMOUNT_DIFFERS_FROM_ORIGINAL, WITHDRAWAL_COUNT_EXCEEDED, PIN_TRIES_EXCEEDED, TERMINAL_NOT_REGISTERED,
                 PIN_FORMAT_ERROR, HOLDER_MISMATCH, ACCOUNT_CLOSED, ACCOUNT_FROZEN, CARD_NOT_ACTIVATED -> Disposition.DECLINED;
            case FORMAT_ERROR, MAC_ERROR, CUTOVER_IN_PROGRESS, ISSUER_UNAVAILABLE -> Disposition.NOT_PROCESSED;
            // a duplicate means the host holds the reference already; a malfunction or a timeout says nothing certain
            case TIMED_OUT, DUPLICATE_TRANSMISSION, SYSTEM_MALFUNCTION, ISSUER_TIMED_OUT, UNRECOGNISED -> Disposition.UNKNOWN;
        };
    }

    /** Whether the host did not act on the request, so that the same request may be sent again later. */
    public boolean retryable() {
        return disposition() == Disposition.NOT_PROCESSED;
    }
}
