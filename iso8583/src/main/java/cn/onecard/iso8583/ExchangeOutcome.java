package cn.onecard.iso8583;

import java.time.Duration;
import java.util.Optional;

/**
 * What became of one request sent by an {@link IsoClient}: exactly one of these per request. The
 * three kinds answer the question that decides whether money may have moved.
 */
public sealed interface ExchangeOutcome {

    /** The host answered, and the answer's MAC checked out (or none was required). */
    record Answered(IsoMessage response, Duration elapsed) implements ExchangeOutcome {
    }

    /**
     * The request may have reached the host and been acted on, and no trustworthy answer came: settle
     * it by status inquiry (or reversal, where the host works that way), never by sending it again blindly.
     *
     * @param reason   why the outcome is unknown
     * @param response an answer that came but cannot be trusted: one with a bad MAC, or what could be read of an
     *                 unreadable one; for diagnosis, never for deciding the outcome
     */
    record Unknown(UnknownReason reason, Duration elapsed, IsoMessage response) implements ExchangeOutcome {
        public Optional<IsoMessage> untrustedResponse() {
            return Optional.ofNullable(response);
        }
    }

    /** The request did not leave whole: the host cannot have acted on it, and it may be sent again. */
    record NotSent(NotSentReason reason) implements ExchangeOutcome {
    }

    enum UnknownReason {
        /** No answer within the request's timeout. */
        TIMED_OUT,
        /** The connection closed after the request was written and before its answer came. */
        CONNECTION_LOST,
        /** An answer came whose MAC is missing, wrong or could not be checked. */
        RESPONSE_MAC_INVALID,
        /** An answer came, matched the request, and could not be read past its match fields. */
        RESPONSE_UNREADABLE,
        /** The client was closed while the request was in flight. */
        CLIENT_CLOSED
    }

    enum NotSentReason {
        /** No connection to the host is open. */
        NO_CONNECTION,
        /** Connections are open, but none has its session yet (not signed on, or signing on again). */
        NO_SESSION,
        /** The client's limit of requests in flight is reached. */
        IN_FLIGHT_LIMIT,
        /** A request with the same match key (MTI class, STAN, terminal ...) is already in flight. */
        DUPLICATE_KEY,
        /** The request lacks a field of the dialect's match key. */
        MISSING_MATCH_FIELDS,
        /** The request cannot be written in the dialect (a value too long, an undefined field). */
        ENCODING_FAILED,
        /** The connection failed before the whole frame was written. */
        WRITE_FAILED,
        /** The client is closed. */
        CLIENT_CLOSED
    }

    /** Whether the host answered with a trustworthy message. */
    default boolean answered() {
        return this instanceof Answered;
    }
}
