package cn.onecard.gateway.intake;

import cn.onecard.gateway.feeds.FeedsFolder;
import java.io.File;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import org.apache.camel.builder.RouteBuilder;

/**
 * Camel polls the treasury inbox, the treasury's SFTP inbox folder (when one is configured) and the
 * feeds folder. Files written under a name starting with a dot are not complete yet and are skipped.
 * The processors move each file themselves once its outcome is stored; a file whose processing fails
 * stays put and is tried again on the next poll.
 */
public final class FileRoutes extends RouteBuilder {

    static final int INBOX_PARALLEL = 2;

    private final TreasuryInbox inbox;
    private final TreasurySftpInbox sftpInbox;
    private final FeedsFolder feeds;
    private final Duration pollDelay;
    private final Semaphore intakeSlots = new Semaphore(INBOX_PARALLEL, true);

    /** {@code sftpInbox} may be null: no SFTP inbox. */
    public FileRoutes(TreasuryInbox inbox, TreasurySftpInbox sftpInbox, FeedsFolder feeds, Duration pollDelay) {
        this.inbox = inbox;
        this.sftpInbox = sftpInbox;
        this.feeds = feeds;
        this.pollDelay = pollDelay;
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
                .routeId("treasury-inbox")
                .threads(INBOX_PARALLEL, INBOX_PARALLEL)
                .process(exchange -> {
                    intakeSlots.acquire();
                    try {
                        inbox.take(exchange.getIn().getBody(File.class).toPath());
                    } finally {
                        intakeSlots.release();
                    }
                });
        if (sftpInbox != null) {
            // Camel's own SFTP consumer (camel-ftp) cannot be used: it needs camel-ftp-common 4.22, which
            // the registry here does not hold. A timer drives the file banks' MINA SSHD client instead; it
            // never overlaps a poll with the next, and poll() handles its failures (alert, next poll).
            from("timer:treasury-inbox-sftp?fixedRate=false&period=" + sftpInbox.pollDelay().toMillis())
                    .routeId("treasury-inbox-sftp")
                    .process(exchange -> sftpInbox.poll());
        }
        from("file:" + feeds.directory().toAbsolutePath() + "?include=.*\\.csv$&exclude=^\\..*" + common)
                .routeId("feeds")
                .process(exchange -> feeds.take(exchange.getIn().getBody(File.class).toPath()));
    }
}
