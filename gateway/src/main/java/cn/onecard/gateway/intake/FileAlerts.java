package cn.onecard.gateway.intake;

import cn.onecard.gateway.ledger.AlertKind;
import cn.onecard.gateway.ledger.Alerts;
import cn.onecard.iso8583.InputText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts about the files the gateway polls for (the inboxes, the feeds folder) and the places they
 * lie in. Raising one never fails the poll: an alert the ledger cannot store (the database down) is
 * logged and the poll carries on. A file whose processing failed for a reason other than a refusal
 * (the ledger down, a full disk) stays where it is and is tried again on the next poll; its alert
 * names the place and the file and holds exception class names only, since a message may quote
 * stored values.
 */
final class FileAlerts {

    private static final Logger log = LoggerFactory.getLogger(FileAlerts.class);
    private static final int CAUSE_DEPTH_MAX = 16;

    /** What stores an alert: {@link Alerts#raise}; these alerts concern no bank. */
    @FunctionalInterface
    interface Sink {
        void raise(String bankCode, AlertKind kind, String source, String detail);
    }

    private final Sink sink;

    FileAlerts(Sink sink) {
        this.sink = sink;
    }

    static FileAlerts of(Alerts alerts) {
        return new FileAlerts(alerts::raise);
    }

    /**
     * The file {@code fileName} of {@code place} (a route's name, such as {@code treasury-inbox})
     * failed and stays to be tried again: alerted as {@code kind} with the source {@code place/fileName}.
     */
    void fileFailed(AlertKind kind, String place, String fileName, Exception cause) {
        String classes = classNames(cause);
        log.error("{} file {} failed ({}); it stays and is tried again on the next poll", place, InputText.quoted(fileName),
                classes);
        raise(kind, place + "/" + fileName, classes + "; the file stays and is tried again");
    }

    /** Raises the alert; one that cannot be stored is logged instead. */
    void raise(AlertKind kind, String source, String detail) {
        try {
            sink.raise(null, kind, source, detail);
        } catch (RuntimeException alertFailed) {
            log.error("cannot store alert {} about {} ({}); carrying on", kind, InputText.quoted(source),
                    alertFailed.getClass().getName());
        }
    }

    /** The exception's class and, where it wraps another, the innermost cause's: {@code IllegalStateException < PSQLException}. */
    static String classNames(Throwable failure) {
        Throwable root = rootCause(failure);
        String outer = failure.getClass().getSimpleName();
        return root == failure ? outer : outer + " < " + root.getClass().getSimpleName();
    }

    /** The innermost cause (at most {@value #CAUSE_DEPTH_MAX} deep: a chain may loop). */
    static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < CAUSE_DEPTH_MAX; depth++) {
            root = root.getCause();
        }
        return root;
    }
}
