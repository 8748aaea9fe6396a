package cn.onecard.simulators.filebank;

import java.time.LocalDate;
import java.util.List;

/** A payment file that parsed: its id, its date and its records in file order. */
record PaymentFile(String fileId, LocalDate date, List<PaymentRecord> records) {

    PaymentFile {
        records = List.copyOf(records);
    }
}
