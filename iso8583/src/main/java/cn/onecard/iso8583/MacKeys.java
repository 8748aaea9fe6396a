package cn.onecard.iso8583;

import cn.onecard.crypto.SymmetricKey;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a connection finds the MAC key for a message: one key per host session on the client
 * side, one per terminal on the server side ({@link MacKeyRing}).
 */
@FunctionalInterface
public interface MacKeys {

    /** The MAC key for this message's peer, or empty when none is known. */
    Optional<SymmetricKey> keyFor(IsoMessage message);

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
