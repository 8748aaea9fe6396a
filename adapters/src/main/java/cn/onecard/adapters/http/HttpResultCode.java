package cn.onecard.adapters.http;

import cn.onecard.adapters.BankOutcome;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The HTTP bank profile's result codes (the {@code code} of every answer, docs/http-bank.md). A code
 * outside this table is {@link #UNLISTED}: it proves nothing.
 */
public enum HttpResultCode {
    SUCCESS,
    NAME_MISMATCH,
    ACCOUNT_NOT_FOUND,
    ACCOUNT_CLOSED,
    ACCOUNT_FROZEN,
    CARD_LOST,
    CARD_STATUS_ABNORMAL,
    CARD_NOT_ACTIVATED,
    CREDIT_RESTRICTED,
    REJECTED,
    BUSY,
    DUPLICATE,
    NOT_FOUND,
    REVERSED,
    SYSTEM_ERROR,
    /** Any code the profile does not list. */
    UNLISTED;

    private static final Map<String, HttpResultCode> BY_NAME = Arrays.stream(values())
            .filter(code -> code != UNLISTED)
            .collect(Collectors.toUnmodifiableMap(Enum::name, Function.identity()));

    public static HttpResultCode of(String code) {
        return BY_NAME.getOrDefault(code, UNLISTED);
    }

    /** What a code says of the money or the account. */
    public enum Meaning {
        /** a credit paid, an account verified */
        APPROVED,
        /** the bank refused the item before moving money: {@link #refusal()} says why */
        REFUSED,
        /** the bank did not act: the same reference may go again */
        NOT_PROCESSED,
        /** proves nothing (duplicate, system error, unlisted, an inquiry's own codes) */
        UNCLEAR
    }

    public Meaning meaning() {
        return switch (this) {
            case SUCCESS -> Meaning.APPROVED;
            case NAME_MISMATCH, ACCOUNT_NOT_FOUND, ACCOUNT_CLOSED, ACCOUNT_FROZEN, CARD_LOST, CARD_STATUS_ABNORMAL,
                 CARD_NOT_ACTIVATED, CREDIT_RESTRICTED, REJECTED -> Meaning.REFUSED;
            case BUSY -> Meaning.NOT_PROCESSED;
            case DUPLICATE, NOT_FOUND, REVERSED, SYSTEM_ERROR, UNLISTED -> Meaning.UNCLEAR;
        };
    }

    /** The gateway's outcome for a refusal of an item; it proves the money did not move. */
    public BankOutcome refusal() {
        return switch (this) {
            case NAME_MISMATCH -> BankOutcome.BANK_NAME_MISMATCH;
            case ACCOUNT_NOT_FOUND -> BankOutcome.BANK_ACCOUNT_NOT_FOUND;
            case ACCOUNT_CLOSED -> BankOutcome.BANK_ACCOUNT_CLOSED;
            case ACCOUNT_FROZEN -> BankOutcome.BANK_ACCOUNT_FROZEN;
            case CARD_LOST, CARD_STATUS_ABNORMAL -> BankOutcome.BANK_CARD_STATUS_ABNORMAL;
            case CARD_NOT_ACTIVATED -> BankOutcome.BANK_ACCOUNT_NOT_ACTIVATED;
            case CREDIT_RESTRICTED -> BankOutcome.BANK_CREDIT_RESTRICTED;
            case REJECTED -> BankOutcome.BANK_REJECTED_OTHER;
            case SUCCESS, BUSY, DUPLICATE, NOT_FOUND, REVERSED, SYSTEM_ERROR, UNLISTED ->
                    throw new IllegalArgumentException(this + " is not a refusal of an item");
        };
    }
}
