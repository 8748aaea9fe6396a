package cn.onecard.gateway.ledger;

/**
 * What an operator is alerted about (table {@code alerts}, logged as {@code ALERT kind ...}): the
 * alerts' code family, one enum, stable names (docs/codes.md). Declared in precedence order: money
 * at risk first, then work stuck, then what the gateway merely noticed.
 */
public enum AlertKind {
    /** A bank's records contradict the ledger (settled otherwise, another dispatch, unknown item, other amount). */
    RESULT_CONFLICT(1),
    /** A dispatch's results are still missing after its resends; its items became UNKNOWN. */
    RESULTS_MISSING(2),
    /**
     * A payment's outcome is unclear and no more will be asked of the bank: an online payment after every
     * inquiry and reversal, or an answer whose code does not settle its item; the items are UNKNOWN.
     */
    OUTCOME_UNKNOWN(3),
    /** A bank refused a whole dispatch. */
    DISPATCH_REFUSED(4),
    /** A dispatch holds items the bank's format cannot carry; they failed and the others wait for another dispatch. */
    DISPATCH_NOT_ENCODABLE(5),
    /**
     * A dispatch could not be sent (written, protected or uploaded), its upload ended unclear, or an
     * online bank answered it busy or left its accounts unverified; it is tried again.
     */
    DISPATCH_NOT_SENT(6),
    /** A result file does not parse or its summary disagrees with its records. */
    RESULT_FILE_CORRUPT(7),
    /** A result file's signature or encryption does not verify. */
    RESULT_FILE_UNVERIFIED(8),
    /** A bank cannot be reached or refuses the gateway; results wait, sends are retried. */
    BANK_UNREACHABLE(9),
    /** The treasury's SFTP inbox cannot be reached or presents another host key. */
    TREASURY_INBOX_UNREACHABLE(10),
    /** A treasury batch file failed for a reason other than a refusal (database, disk); it stays and is tried again. */
    TREASURY_INBOX_FILE_FAILED(11),
    /** A screening feed file failed for a reason other than a refusal; it stays and is tried again. */
    FEED_FILE_FAILED(12),
    /**
     * A batch's callback URL may not be called now (its host is no longer listed, or resolves to an
     * address the list does not allow); its reports wait and are tried again.
     */
    CALLBACK_NOT_ALLOWED(14),
    /** A result file with content already applied arrived again (nothing counted twice). */
    DUPLICATE_RESULT_FILE(13);

    private final int number;

    AlertKind(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }
}
