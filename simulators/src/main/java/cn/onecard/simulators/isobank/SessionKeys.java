package cn.onecard.simulators.isobank;

import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.MacKeys;
import cn.onecard.iso8583.Peer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The working MAC keys the bank handed out at sign-on, one per connection: a message on a connection
 * that has not signed on has no key, so the server refuses it with the dialect's MAC error, which
 * tells the caller to sign on again. Bounded: the keys of long-closed connections go first.
 */
final class SessionKeys implements MacKeys {

    /** Connections whose keys are kept; far above what a host accepts at once. */
    static final int CONNECTIONS_MAX = 4096;

    private final Map<Long, SymmetricKey> byConnection = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, SymmetricKey> eldest) {
            return size() > CONNECTIONS_MAX;
        }
    };

    synchronized void signedOn(Peer peer, SymmetricKey macKey) {
        byConnection.remove(peer.connectionId());
        byConnection.put(peer.connectionId(), macKey);
    }

    /** Forgets every key, as a host that lost its sessions would. */
    synchronized void forgetAll() {
        byConnection.clear();
    }

    @Override
    public Optional<SymmetricKey> keyFor(IsoMessage message) {
        return Optional.empty();
    }

    @Override
    public synchronized Optional<SymmetricKey> keyFor(IsoMessage message, Peer peer) {
        return Optional.ofNullable(byConnection.get(peer.connectionId()));
    }
}
