package cn.onecard.iso8583;

/**
 * Counters of a client since it started.
 *
 * @param sent              requests written to a connection
 * @param answered          requests answered with a trustworthy response
 * @param unknown           requests whose outcome is unknown (timed out, connection lost, untrusted answer)
 * @param notSent           requests that never left whole
 * @param lateResponses     responses that matched no request in flight (late after a timeout, or never asked for)
 * @param unreadableFrames  frames from the host that were not messages of the dialect
 * @param hostRequests      requests the host sent (echo tests, key changes)
 * @param echoesSent        echo tests sent on idle connections
 * @param echoesFailed      echo tests not answered
 * @param connects          connections established (first and re-connects)
 * @param connectionsOpen   connections open now
 */
public record ClientStats(long sent, long answered, long unknown, long notSent, long lateResponses, long unreadableFrames,
                          long hostRequests, long echoesSent, long echoesFailed, long connects, int connectionsOpen) {
}
