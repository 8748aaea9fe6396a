package cn.onecard.adapters;

import java.util.Objects;

/**
 * Something an operator must know about a bank's results that is not an item outcome: a result
 * file that cannot be read or does not verify. Such a file changes no item; it is moved to the
 * bank's error folder.
 *
 * @param bankCode the bank
 * @param kind     what went wrong
 * @param source   the result file's name, or the dispatch id
 * @param detail   one line, without personal data
 */
public record BankAlert(String bankCode, Kind kind, String source, String detail) {

    /** The kinds of result problems an adapter reports. */
    public enum Kind {
        /** The file does not parse, or its summary's count or sum disagrees with its records. */
        RESULT_FILE_CORRUPT,
        /** Its signature or its encryption does not verify. */
        RESULT_FILE_UNVERIFIED,
        /** The bank refused a whole payment file (its result file says so). */
        DISPATCH_REFUSED,
        /** The bank's server cannot be reached or refuses the gateway; results wait. */
        BANK_UNREACHABLE,
        /** A payment file could not be sent (written, protected or uploaded); it is tried again, and waits for an operator when it cannot be written at all. */
        DISPATCH_NOT_SENT
    }

    public BankAlert {
        Objects.requireNonNull(bankCode, "bankCode");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(detail, "detail");
    }
}
