package cn.onecard.iso8583;

/**
 * Answers requests that reached a server (or a host's requests to a client) with a valid MAC, or
 * none where the dialect requires none. Called on a virtual thread per message, so it may block
 * (on a database, on a bank); it is never called for a message that failed to decode or to
 * authenticate.
 */
@FunctionalInterface
public interface RequestHandler {

    /**
     * The response to send ({@link Dialect#responseTo} is the usual start), or null to send none.
     * A thrown exception is logged by its class only and answered with the dialect's
     * system-malfunction code.
     */
    IsoMessage handle(IsoMessage request, Peer peer) throws Exception;
}
