package cn.onecard.simulators.filebank;

/** Why a bank refuses a payment file whole; each layout has its own code for each. */
enum FileRefusal {
    /** The count or total in the summary, header or trailer disagrees with the details. */
    COUNT_OR_TOTAL_MISMATCH,
    /** The file's date is not the bank's processing day (LYB only). */
    NOT_PROCESSING_DAY,
    /** A line or record does not parse. */
    UNREADABLE,
    /** The signature or envelope does not verify or open. */
    PROTECTION_FAILED
}
