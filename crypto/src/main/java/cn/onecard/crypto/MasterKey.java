package cn.onecard.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Map;
import javax.security.auth.Destroyable;

/**
 * The top of the key hierarchy: an SM4 key that wraps every other key at rest (zone and terminal
 * master keys, working keys). It comes from a password-protected PKCS#12 keystore or, for
 * containers that inject secrets, from the environment; never from code or from configuration in
 * the repository. See docs/crypto.md for how to create one with the JDK's keytool.
 */
public final class MasterKey implements Destroyable {

    /** Path of a PKCS#12 keystore holding the master key. */
    public static final String ENV_KEYSTORE = "ONECARD_MASTER_KEYSTORE";
    /** Path of a file whose first line is the keystore password (preferred to the variable below). */
    public static final String ENV_KEYSTORE_PASSWORD_FILE = "ONECARD_MASTER_KEYSTORE_PASSWORD_FILE";
    public static final String ENV_KEYSTORE_PASSWORD = "ONECARD_MASTER_KEYSTORE_PASSWORD";
    /** Alias of the master key entry; default {@value #DEFAULT_ALIAS}. */
    public static final String ENV_KEY_ALIAS = "ONECARD_MASTER_KEY_ALIAS";
    /** The master key itself as 32 hex digits, when no keystore is used. */
    public static final String ENV_KEY_HEX = "ONECARD_MASTER_KEY";
    public static final String DEFAULT_ALIAS = "onecard-master";

    private final SymmetricKey key;

    private MasterKey(SymmetricKey key) {
        this.key = key.require("the master key", KeyAlgorithm.SM4);
    }

    static MasterKey of(SymmetricKey key) {
        return new MasterKey(key);
    }

    /** Loads the master key as the environment says: a keystore if one is named, else the hex variable. */
    public static MasterKey fromEnvironment(Map<String, String> environment) {
        String keystore = environment.get(ENV_KEYSTORE);
        if (keystore != null && !keystore.isBlank()) {
            char[] password = keystorePassword(environment);
            try {
                return fromKeystore(Path.of(keystore), password, environment.getOrDefault(ENV_KEY_ALIAS, DEFAULT_ALIAS));
            } finally {
                Arrays.fill(password, '\0');
            }
        }
        String hex = environment.get(ENV_KEY_HEX);
        if (hex != null && !hex.isBlank()) {
            try {
                return new MasterKey(SymmetricKey.fromHex(KeyAlgorithm.SM4, hex));
            } catch (MalformedInputException e) {
                throw new KeyUsageException(ENV_KEY_HEX + " must hold 32 hex digits (an SM4 key)");
            }
        }
        throw new KeyUsageException("no master key configured: set " + ENV_KEYSTORE + " (with "
                + ENV_KEYSTORE_PASSWORD_FILE + ") or " + ENV_KEY_HEX);
    }

    /** Reads the 16-byte secret entry {@code alias} of a PKCS#12 keystore as the SM4 master key. */
    public static MasterKey fromKeystore(Path keystore, char[] password, String alias) {
        KeyStore store;
        try (InputStream in = Files.newInputStream(keystore)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new KeyUsageException("master keystore " + keystore
                    + " cannot be opened: missing, damaged, or the password is wrong");
        }
        Key entry;
        try {
            entry = store.getKey(alias, password);
        } catch (GeneralSecurityException e) {
            throw new KeyUsageException("master key entry '" + alias + "' cannot be read with this password");
        }
        if (entry == null) {
            throw new KeyUsageException("master keystore " + keystore + " has no secret key entry '" + alias + "'");
        }
        byte[] material = entry.getEncoded();
        try {
            if (material == null || material.length != Sm4.KEY_BYTES) {
                throw new KeyUsageException("master key entry '" + alias + "' must be a 128-bit secret key");
            }
            return new MasterKey(SymmetricKey.of(KeyAlgorithm.SM4, material));
        } finally {
            if (material != null) {
                Arrays.fill(material, (byte) 0);
            }
        }
    }

    private static char[] keystorePassword(Map<String, String> environment) {
        String file = environment.get(ENV_KEYSTORE_PASSWORD_FILE);
        if (file != null && !file.isBlank()) {
            try {
                String content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
                int end = content.indexOf('\n');
                return (end < 0 ? content : content.substring(0, end)).strip().toCharArray();
            } catch (IOException e) {
                throw new KeyUsageException("master keystore password file " + file + " cannot be read");
            }
        }
        String password = environment.get(ENV_KEYSTORE_PASSWORD);
        if (password != null) {
            return password.toCharArray();
        }
        throw new KeyUsageException(ENV_KEYSTORE + " is set but neither " + ENV_KEYSTORE_PASSWORD_FILE
                + " nor " + ENV_KEYSTORE_PASSWORD + " is");
    }

    /** The master key's check value, for the operator to compare with the key ceremony record. */
    public byte[] checkValue() {
        return key.checkValue();
    }

    /** Encrypts {@code working} for storage, bound to its usage and label. */
    public WrappedKey wrap(SymmetricKey working, KeyUsage usage, String label) {
        working.requireUsage("wrapping as a " + usage.code() + " key", usage);
        if (!usage.allows(working.algorithm())) {
            throw new KeyUsageException(usage + " keys cannot be " + working.algorithm());
        }
        byte[] nonce = new byte[Sm4.GCM_NONCE_BYTES];
        CryptoRandom.get().nextBytes(nonce);
        WrappedKey unsealed = new WrappedKey(usage, working.algorithm(), label, working.checkValue(),
                new byte[Sm4.GCM_NONCE_BYTES + 8 + Sm4.GCM_TAG_BYTES]);
        byte[] ciphertext = Sm4.encryptGcm(key, nonce, unsealed.associatedData(), working.material());
        byte[] sealed = new byte[nonce.length + ciphertext.length];
        System.arraycopy(nonce, 0, sealed, 0, nonce.length);
        System.arraycopy(ciphertext, 0, sealed, nonce.length, ciphertext.length);
        return new WrappedKey(usage, working.algorithm(), label, working.checkValue(), sealed);
    }

    /**
     * Decrypts a stored key for {@code expectedUsage}; the key returned is restricted to that usage.
     * A key of another usage is refused with
     * {@link KeyUsageException}; a key altered at rest, relabelled or wrapped under another master
     * key fails with {@link VerificationFailedException}.
     */
    public SymmetricKey unwrap(WrappedKey wrapped, KeyUsage expectedUsage) {
        if (wrapped.usage() != expectedUsage) {
            throw new KeyUsageException("key '" + wrapped.label() + "' is a " + wrapped.usage() + " key, not a "
                    + expectedUsage + " key");
        }
        byte[] sealed = wrapped.sealed();
        byte[] nonce = Arrays.copyOf(sealed, Sm4.GCM_NONCE_BYTES);
        byte[] ciphertext = Arrays.copyOfRange(sealed, Sm4.GCM_NONCE_BYTES, sealed.length);
        byte[] material;
        try {
            material = Sm4.decryptGcm(key, nonce, wrapped.associatedData(), ciphertext);
        } catch (VerificationFailedException e) {
            throw new VerificationFailedException(VerificationFailedException.Reason.TAG_MISMATCH, "key '" + wrapped.label()
                    + "' does not unwrap: altered at rest, relabelled, or wrapped under another master key");
        }
        try {
            SymmetricKey unwrapped = SymmetricKey.of(wrapped.algorithm(), material, wrapped.usage());
            if (!Bytes.constantTimeEquals(unwrapped.checkValue(), wrapped.checkValue())) {
                unwrapped.destroy();
                throw new VerificationFailedException(VerificationFailedException.Reason.CHECK_VALUE_MISMATCH,
                        "key '" + wrapped.label() + "' does not match its recorded check value");
            }
            return unwrapped;
        } finally {
            Bytes.wipe(material);
        }
    }

    @Override
    public void destroy() {
        key.destroy();
    }

    @Override
    public boolean isDestroyed() {
        return key.isDestroyed();
    }

    @Override
    public String toString() {
        return "MasterKey[kcv=" + Bytes.toHexUpper(checkValue()) + "]";
    }
}
