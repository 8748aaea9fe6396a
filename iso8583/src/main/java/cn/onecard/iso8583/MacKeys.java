package cn.onecard.iso8583;

import cn.onecard.crypto.SymmetricKey;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a connection finds the MAC key for a message: one key per host session on the client
 * side, one per terminal ({@link MacKeyRing}) or per connection on the server side.
 */
@FunctionalInterface
public interface MacKeys {

    /** The MAC key for this message's peer, or empty when none is known. */
    Optional<SymmetricKey> keyFor(IsoMessage message);

    /**
     * The MAC key for this message on {@code peer}'s connection: a server whose keys belong to
     * connections (each signs on for its own working key) overrides this; by default the message decides.
     */
    default Optional<SymmetricKey> keyFor(IsoMessage message, Peer peer) {
        return keyFor(message);
    }

    /** No keys: messages go out without a MAC, and a required MAC cannot be checked. */
    static MacKeys none() {
        return message -> Optional.empty();
    }

    /** The same key for every message (a client's session with one host). */
    static MacKeys single(SymmetricKey key) {
        Optional<SymmetricKey> only = Optional.of(Objects.requireNonNull(key, "key"));
        return message -> only;
    }
}
