package cn.onecard.adapters.file;

import java.time.LocalDate;
import java.util.List;

/**
 * One result file, parsed and checked: its summary agrees with its records.
 *
 * @param fileId     the dispatch id the bank answers
 * @param date       the bank's processing day, when the layout carries one (else null)
 * @param refused    the bank refused the payment file whole; then there are no records
 * @param fileReason the bank's file reason code (its "processed" code when not refused), or null
 *                   when the layout has none
 * @param records    in file order
 */
record ResultFile(String fileId, LocalDate date, boolean refused, String fileReason, List<Record> records) {

    ResultFile {
        records = List.copyOf(records);
    }

    /**
     * One result record. No account or name is kept: the outcome needs neither.
     *
     * @param lineNumber where it stands in the file
     * @param paid       the record's status says paid
     */
    record Record(int lineNumber, String reference, long amountFen, boolean paid, String reasonCode) {
    }
}
