package cn.onecard.simulators.filebank;

import java.time.LocalDate;
import java.util.List;

/**
 * The content of one result file: a refusal of the whole payment file (no records), or the records
 * this part reports. Count and totals are computed over {@code records}, so a part is always
 * consistent with itself, whatever a fault left out.
 */
record ResultPart(String plainName, String fileId, LocalDate processingDay, FileRefusal refusal,
                  List<RecordResult> records) {

    ResultPart {
        records = List.copyOf(records);
        if (refusal != null && !records.isEmpty()) {
            throw new IllegalArgumentException("a refused file's result has no records");
        }
    }

    long totalFen() {
        return records.stream().mapToLong(RecordResult::amountFen).sum();
    }

    long paidCount() {
        return records.stream().filter(r -> r.outcome().paid()).count();
    }

    long paidTotalFen() {
        return records.stream().filter(r -> r.outcome().paid()).mapToLong(RecordResult::amountFen).sum();
    }
}
