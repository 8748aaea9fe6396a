package cn.onecard.simulators.filebank;

import java.time.LocalDate;
import java.util.List;

/**
 * A complete payment file in in/: the plain name it stands for ({@code LYBPAY_20261101_X.txt},
 * {@code ABC20261101X.dat}), the date and file id its name carries, and the names on the server
 * that make it up (the ones to move away once it is answered).
 */
record InboundFile(String plainName, LocalDate nameDate, String fileId, List<String> serverNames) {

    InboundFile {
        serverNames = List.copyOf(serverNames);
    }
}
