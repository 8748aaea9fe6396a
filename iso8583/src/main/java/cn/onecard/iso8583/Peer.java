package cn.onecard.iso8583;

import java.net.SocketAddress;

/**
 * The other end of a connection, as a handler sees it.
 *
 * @param connectionId a number unique within the server or client, for logs
 * @param remote       the peer's address
 */
public record Peer(long connectionId, SocketAddress remote) {
}
