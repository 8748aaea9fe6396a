package cn.onecard.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import cn.onecard.gateway.ledger.AlertKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Alerts about polled files: what they say, and that raising one never fails the poll. */
class FileAlertsTest {

    record Raised(String bankCode, AlertKind kind, String source, String detail) {
    }

    private final List<Raised> raised = new ArrayList<>();
    private final FileAlerts alerts = new FileAlerts((bank, kind, source, detail) -> raised.add(new Raised(bank, kind, source, detail)));

    @Test
    void fileFailed_namesThePlaceAndTheFile_andHoldsClassNamesOnly() {
        // a driver's message may quote the row it refused
        SQLException refusedRow = new SQLException("new row violates check constraint: (110101199003071234, 6228480000000000)");

        alerts.fileFailed(AlertKind.TREASURY_INBOX_FILE_FAILED, "treasury-inbox", "B7.jsonl.ocev",
                new IllegalStateException("the ledger failed while storing a batch", refusedRow));

        assertThat(raised).containsExactly(new Raised(null, AlertKind.TREASURY_INBOX_FILE_FAILED, "treasury-inbox/B7.jsonl.ocev",
                "IllegalStateException < SQLException; the file stays and is tried again"));
    }

    @Test
    void fileFailed_withAnExceptionOfItsOwn_namesThatClass() {
        alerts.fileFailed(AlertKind.FEED_FILE_FAILED, "feeds", "card-registry.csv", new IOException("No space left on device"));

        assertThat(raised).singleElement().extracting(Raised::detail).isEqualTo("IOException; the file stays and is tried again");
    }

    @Test
    void anAlertTheLedgerCannotStore_isLogged_andThePollCarriesOn() {
        FileAlerts ledgerDown = new FileAlerts((bank, kind, source, detail) -> {
            throw new IllegalStateException("the ledger failed while storing an alert", new SQLException("connection refused"));
        });

        assertThatCode(() -> ledgerDown.fileFailed(AlertKind.FEED_FILE_FAILED, "feeds", "card-registry.csv",
                new UncheckedIOException(new IOException("disk")))).doesNotThrowAnyException();
        assertThatCode(() -> ledgerDown.raise(AlertKind.TREASURY_INBOX_UNREACHABLE, "treasury-inbox-sftp", "down"))
                .doesNotThrowAnyException();
    }
}
