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
        from("file:" + inbox.directory().toAbsolutePath() + "?include=.*\\.ocev$&exclude=^\\..*" + common)
                .routeId("treasury-inbox")
                .process(exchange -> inbox.take(exchange.getIn().getBody(File.class).toPath()));
        from("file:" + feeds.directory().toAbsolutePath() + "?include=.*\\.csv$&exclude=^\\..*" + common)
                .routeId("feeds")
                .process(exchange -> feeds.take(exchange.getIn().getBody(File.class).toPath()));
    }
}
