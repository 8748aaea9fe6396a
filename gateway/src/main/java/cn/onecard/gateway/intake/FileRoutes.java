package cn.onecard.gateway.intake;

import cn.onecard.gateway.feeds.FeedsFolder;
import java.io.File;
import java.time.Duration;
import org.apache.camel.builder.RouteBuilder;

/**
 * Camel polls the treasury inbox and the feeds folder. Files written under a name starting with a
 * dot are not complete yet and are skipped. The processors move each file themselves once its
 * outcome is stored; a file whose processing fails stays put and is tried again on the next poll.
 */
public final class FileRoutes extends RouteBuilder {

    static final int INBOX_PARALLEL = 2;

    private final TreasuryInbox inbox;
    private final FeedsFolder feeds;
    private final Duration pollDelay;

    public FileRoutes(TreasuryInbox inbox, FeedsFolder feeds, Duration pollDelay) {
        this.inbox = inbox;
        this.feeds = feeds;
        this.pollDelay = pollDelay;
    }

    @Override
    public void configure() {
        String common = "&noop=true&idempotent=false&readLock=none&sortBy=file:name&delay=" + pollDelay.toMillis();
        // two files at a time: a batch's intake keeps one database connection busy; the second
        // keeps the other core at work (batches of one programme and period still queue on their lock)
        from("file:" + inbox.directory().toAbsolutePath() + "?include=.*\\.ocev$&exclude=^\\..*&maxMessagesPerPoll=8" + common)
                .routeId("treasury-inbox")
                .threads(INBOX_PARALLEL, INBOX_PARALLEL)
                .process(exchange -> inbox.take(exchange.getIn().getBody(File.class).toPath()));
        from("file:" + feeds.directory().toAbsolutePath() + "?include=.*\\.csv$&exclude=^\\..*" + common)
                .routeId("feeds")
                .process(exchange -> feeds.take(exchange.getIn().getBody(File.class).toPath()));
    }
}
