package cn.onecard.iso8583;

import cn.onecard.crypto.SymmetricKey;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Opens each connection of an {@link IsoClient} before it carries requests: a sign-on, with the
 * working MAC key the host hands out for that connection. Until a connection's session is open,
 * requests are not sent on it ({@link ExchangeOutcome.NotSentReason#NO_SESSION} when no connection
 * has one).
 */
@FunctionalInterface
public interface SessionOpener {

    /** One connection whose session is being opened: requests sent here go on it alone. */
    interface Session {

        /** The connection's number in the client, for logs. */
        long connectionId();

        /** Sends on this connection only, before (and whatever) its session state. */
        CompletableFuture<ExchangeOutcome> send(IsoMessage request, Duration timeout);
    }

    /**
     * Signs {@code session} on and completes with its MAC key, or empty to keep the client's
     * configured keys. Completing exceptionally (a refusal, a key whose check value does not match,
     * no answer) closes the connection, which is opened again after the client's back-off. Called on
     * an event loop: must not block.
     */
    CompletionStage<Optional<SymmetricKey>> open(Session session);

    /** Whether an answer (trusted or not) says the host lost the connection's session: it is then opened again. */
    default boolean asksToSignOnAgain(IsoMessage answer) {
        return false;
    }
}
