package cn.onecard.iso8583;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.KeyTransport;
import cn.onecard.crypto.KeyUsage;
import cn.onecard.crypto.MacAlgorithm;
import cn.onecard.crypto.SymmetricKey;
import java.util.Objects;
import java.util.Optional;

/**
 * A dialect's sign-on with working keys (descriptor keys {@code sign-on.*}, docs/iso8583/README.md):
 * the message type that signs a connection on, and where its answer carries the new MAC key (and
 * the PIN key, where the host hands one out), each encrypted under the zone master key and
 * followed by its check value. Both sides use this one rule: the host to write the keys, the
 * client to read them and refuse any whose check value does not match.
 *
 * @param messageType  the sign-on request's message type, e.g. {@code sign-on}
 * @param macKey       where the answer carries the MAC key and its check value
 * @param pinKey       where it carries the PIN key and its check value, if the host hands one out
 * @param macAlgorithm the dialect's MAC algorithm, which fixes the working keys' algorithm
 */
public record SignOn(String messageType, KeyField macKey, Optional<KeyField> pinKey, MacAlgorithm macAlgorithm) {

    /**
     * @param keyPath        the sub-field of the encrypted key
     * @param checkValuePath the sub-field of its check value
     */
    public record KeyField(String keyPath, String checkValuePath) {
        public KeyField {
            Objects.requireNonNull(keyPath, "keyPath");
            Objects.requireNonNull(checkValuePath, "checkValuePath");
        }
    }

    public SignOn {
        Objects.requireNonNull(messageType, "messageType");
        Objects.requireNonNull(macKey, "macKey");
        Objects.requireNonNull(pinKey, "pinKey");
        Objects.requireNonNull(macAlgorithm, "macAlgorithm");
    }

    /**
     * The MAC key a sign-on answer carries, decrypted under {@code zoneMasterKey}, checked against its
     * check value and restricted to MAC use. A missing field or a check value that does not match
     * throws ({@link cn.onecard.crypto.VerificationFailedException} for the latter): the key is never used.
     */
    public SymmetricKey macKeyFrom(IsoMessage answer, SymmetricKey zoneMasterKey) {
        return keyFrom(answer, macKey, zoneMasterKey, KeyUsage.MAC);
    }

    /** The PIN key a sign-on answer carries, checked as {@link #macKeyFrom} is; empty where the dialect has none. */
    public Optional<SymmetricKey> pinKeyFrom(IsoMessage answer, SymmetricKey zoneMasterKey) {
        return pinKey.map(field -> keyFrom(answer, field, zoneMasterKey, KeyUsage.PIN));
    }

    /** Writes {@code key} under {@code zoneMasterKey}, with its check value, where {@code field} says. */
    public static void write(IsoMessage answer, KeyField field, SymmetricKey zoneMasterKey, SymmetricKey key) {
        answer.setBytes(field.keyPath(), KeyTransport.encryptUnder(zoneMasterKey, key));
        answer.setBytes(field.checkValuePath(), key.checkValue());
    }

    private SymmetricKey keyFrom(IsoMessage answer, KeyField field, SymmetricKey zoneMasterKey, KeyUsage usage) {
        if (!answer.has(field.keyPath()) || !answer.has(field.checkValuePath())) {
            throw new IllegalArgumentException("the sign-on answer lacks " + field.keyPath() + " or " + field.checkValuePath());
        }
        byte[] encrypted = answer.getBytes(field.keyPath());
        KeyAlgorithm algorithm = macAlgorithm.keyAlgorithmFor(encrypted.length);
        return KeyTransport.decryptUnder(zoneMasterKey, encrypted, algorithm, answer.getBytes(field.checkValuePath()), usage);
    }
}
