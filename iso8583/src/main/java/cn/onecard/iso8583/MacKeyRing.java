package cn.onecard.iso8583;

import cn.onecard.crypto.KeyUsage;
import cn.onecard.crypto.KeyUsageException;
import cn.onecard.crypto.MasterKey;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.crypto.WrappedKey;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MAC keys by peer (terminal ID in field 41 by default), taken from the key hierarchy: stored keys
 * arrive wrapped under the master key and are unwrapped once, as MAC keys; keys received in a key
 * exchange arrive already restricted to MAC use. Thread-safe; a key replaced at sign-on serves
 * messages already in flight until they finish, and is then left to the collector rather than
 * wiped under them.
 */
public final class MacKeyRing implements MacKeys {

    private final MasterKey masterKey;
    private final String peerField;
    private final ConcurrentHashMap<String, SymmetricKey> keys = new ConcurrentHashMap<>();

    /**
     * @param masterKey unwraps stored keys
     * @param peerField the text field whose value names the peer, e.g. "41"
     */
    public MacKeyRing(MasterKey masterKey, String peerField) {
        this.masterKey = Objects.requireNonNull(masterKey, "masterKey");
        this.peerField = Objects.requireNonNull(peerField, "peerField");
    }

    /** Installs the stored key of {@code peer}; refused when it is not a MAC key or does not unwrap. */
    public void install(String peer, WrappedKey stored) {
        keys.put(peer, masterKey.unwrap(stored, KeyUsage.MAC));
    }

    /** Installs a key received for {@code peer} (a sign-on key download); it must be restricted to MAC use. */
    public void install(String peer, SymmetricKey received) {
        if (received.usage().orElse(null) != KeyUsage.MAC) {
            throw new KeyUsageException("a MAC key ring takes only keys restricted to MAC use");
        }
        keys.put(peer, received);
    }

    public boolean remove(String peer) {
        return keys.remove(peer) != null;
    }

    public boolean contains(String peer) {
        return keys.containsKey(peer);
    }

    @Override
    public Optional<SymmetricKey> keyFor(IsoMessage message) {
        String peer = message.get(peerField);
        return peer == null ? Optional.empty() : Optional.ofNullable(keys.get(peer));
    }
}
