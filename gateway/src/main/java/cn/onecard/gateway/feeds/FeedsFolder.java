package cn.onecard.gateway.feeds;

import cn.onecard.iso8583.InputText;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feeds folder: screening feed files dropped here are loaded and moved aside. A failure other
 * than a refusal (the ledger down, a full disk) is thrown: the file stays, and its poller alerts
 * {@code FEED_FILE_FAILED}.
 */
public final class FeedsFolder {

    /** The alert for a feed file whose loading failed for a reason other than a refusal; it stays. */

    private static final Logger log = LoggerFactory.getLogger(FeedsFolder.class);

    private final Path directory;
    private final FeedLoader loader;

    public FeedsFolder(Path directory, FeedLoader loader) throws IOException {
        this.directory = directory;
        this.loader = loader;
        Files.createDirectories(directory.resolve("processed"));
        Files.createDirectories(directory.resolve("error"));
    }

    public Path directory() {
        return directory;
    }

    /** Loads one feed file; a refused file goes to {@code error/} beside a {@code .reason}. */
    public void take(Path file) throws IOException {
        String name = file.getFileName().toString();
        FeedLoader.Feed feed = FeedLoader.Feed.forFileName(name);
        try {
            if (feed == null) {
                throw new FeedLoader.FeedRefusedException("not a feed file name (card-registry*.csv or blocked-persons*.csv)");
            }
            try (InputStream in = Files.newInputStream(file)) {
                loader.load(feed, in);
            }
            Files.move(file, directory.resolve("processed").resolve(name), StandardCopyOption.REPLACE_EXISTING);
        } catch (FeedLoader.FeedRefusedException e) {
            log.warn("feed file {} refused: {}", InputText.quoted(name), e.getMessage());
            // whole or not at all: under a dot name first, then renamed
            Path reason = directory.resolve("error").resolve(name + ".reason");
            Path staging = reason.resolveSibling("." + reason.getFileName() + ".part");
            Files.writeString(staging, e.getMessage() + "\n", StandardCharsets.UTF_8);
            Files.move(staging, reason, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(file, directory.resolve("error").resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
