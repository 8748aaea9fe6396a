package cn.onecard.gateway.intake;

import cn.onecard.gateway.feeds.FeedsFolder;
import cn.onecard.gateway.ledger.AlertKind;
import cn.onecard.gateway.ledger.Alerts;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * Camel polls the treasury inbox, the treasury's SFTP inbox folder (when one is configured: its
 * routes are {@link TreasurySftpInbox}'s) and the feeds folder. Files written under a name starting
 * with a dot are not complete yet and are skipped. The local folders' processors move each file
 * themselves once its outcome is stored; a file whose processing fails for a reason other than a
 * refusal stays put, raises an alert ({@link FileAlerts}) and is tried again on the next poll.
 * Intakes from both inboxes share {@link #INBOX_PARALLEL} slots.
 */
public final class FileRoutes extends RouteBuilder {

    static final int INBOX_PARALLEL = 2;
    /** Alert sources: the route's name, then the file's. */
    static final String INBOX_PLACE = "treasury-inbox";
    static final String FEEDS_PLACE = "feeds";

    private final TreasuryInbox inbox;
    private final TreasurySftpInbox sftpInbox;
    private final FeedsFolder feeds;
    private final Duration pollDelay;
    private final FileAlerts alerts;
    private final Semaphore intakeSlots = new Semaphore(INBOX_PARALLEL, true);

    /** {@code sftpInbox} may be null: no SFTP inbox. */
    public FileRoutes(TreasuryInbox inbox, TreasurySftpInbox sftpInbox, FeedsFolder feeds, Duration pollDelay, Alerts alerts) {
        this.inbox = inbox;
        this.sftpInbox = sftpInbox;
        this.feeds = feeds;
        this.pollDelay = pollDelay;
        this.alerts = FileAlerts.of(alerts);
    }

    @Override
    public void configure() {
        String common = "&noop=true&idempotent=false&readLock=none&sortBy=file:name&delay=" + pollDelay.toMillis();
        // Two files at a time: a batch's intake keeps one database connection busy; the second keeps
        // the other core at work (batches of one programme and period still queue on their lock). With
        // virtual threads on, Camel's thread pools start a thread per task whatever their size, so the
        // limit is a semaphore: ten files dropped at once would otherwise be ten intakes fighting for
        // two cores.
        from("file:" + inbox.directory().toAbsolutePath() + "?include=.*\\.ocev$&exclude=^\\..*&maxMessagesPerPoll=8" + common)
                .routeId(INBOX_PLACE)
                .threads(INBOX_PARALLEL, INBOX_PARALLEL)
                .process(exchange -> {
                    intakeSlots.acquire();
                    try {
                        takeOrAlert(exchange, AlertKind.TREASURY_INBOX_FILE_FAILED, INBOX_PLACE, inbox::take);
                    } finally {
                        intakeSlots.release();
                    }
                });
        if (sftpInbox != null) {
            sftpInbox.addRoutes(this, intakeSlots);
        }
        from("file:" + feeds.directory().toAbsolutePath() + "?include=.*\\.csv$&exclude=^\\..*" + common)
                .routeId(FEEDS_PLACE)
                .process(exchange -> takeOrAlert(exchange, AlertKind.FEED_FILE_FAILED, FEEDS_PLACE, feeds::take));
    }

    private interface Taker {
        void take(java.nio.file.Path file) throws IOException;
    }

    /**
     * Takes the exchange's file; a failure (refusals are handled inside) is alerted, never rethrown:
     * Camel would log its message, which may quote stored values. With {@code noop} the file stays
     * where it is, for the next poll.
     */
    private void takeOrAlert(Exchange exchange, AlertKind kind, String place, Taker taker) {
        File file = exchange.getIn().getBody(File.class);
        try {
            taker.take(file.toPath());
        } catch (IOException | RuntimeException e) {
            alerts.fileFailed(kind, place, file.getName(), e);
        }
    }
}
