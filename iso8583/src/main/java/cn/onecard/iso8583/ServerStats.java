package cn.onecard.iso8583;

/**
 * Counters of a server since it started.
 *
 * @param connectionsAccepted  connections accepted
 * @param connectionsRefused   connections closed at once because the server was full
 * @param connectionsOpen      connections open now
 * @param framesReceived       frames read (heartbeats excluded)
 * @param requestsHandled      requests passed to the handler
 * @param responsesSent        answers written (handler responses and refusals)
 * @param formatErrors         frames that were not messages of the dialect
 * @param macErrors            requests refused for a missing, wrong or uncheckable MAC
 * @param unexpectedResponses  responses received where requests were expected, dropped
 * @param handlerFailures      handler calls that threw or returned a response that could not be written
 * @param framingFaults        connections closed for a bad length header, an oversized or a slow frame
 */
public record ServerStats(long connectionsAccepted, long connectionsRefused, long connectionsOpen, long framesReceived,
                          long requestsHandled, long responsesSent, long formatErrors, long macErrors,
                          long unexpectedResponses, long handlerFailures, long framingFaults) {
}
