package cn.onecard.simulators.filebank;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.security.SecurityUtils;

/** The SFTP server's host key and the client keys it accepts, read (and the host key made) with MINA SSHD. */
final class SshKeys {

    /**
     * PKCS#8 for an ECDSA P-256 key with its public point inside, as OpenSSL writes it: the JDK's
     * own encoding leaves the public point out, and MINA's reader needs it. The 32-byte scalar and
     * the 65-byte uncompressed point fill the two gaps.
     */
    private static final byte[] P256_PKCS8_BEFORE_SCALAR = HexFormat.of().parseHex(
            "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420");
    private static final byte[] P256_PKCS8_BEFORE_POINT = HexFormat.of().parseHex("a144034200");
    private static final int P256_FIELD_BYTES = 32;

    private SshKeys() {
    }

    /** Loads the host key from a PEM file, first generating an ECDSA P-256 key there if it is absent. */
    static KeyPair hostKey(Path file) throws IOException {
        if (Files.notExists(file)) {
            writeNewP256(file);
        }
        try (InputStream in = Files.newInputStream(file)) {
            Iterator<KeyPair> keys = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.toString()), in,
                    FilePasswordProvider.EMPTY).iterator();
            if (!keys.hasNext()) {
                throw new IOException("host key file " + file + " holds no key");
            }
            KeyPair key = keys.next();
            if (keys.hasNext()) {
                throw new IOException("host key file " + file + " holds more than one key");
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw new IOException("host key file " + file + " is not a readable key: " + e.getMessage(), e);
        }
    }

    private static void writeNewP256(Path file) throws IOException {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no ECDSA P-256", e);
        }
        byte[] scalar = unsigned(((ECPrivateKey) pair.getPrivate()).getS());
        ECPublicKey publicKey = (ECPublicKey) pair.getPublic();
        byte[] der = concat(P256_PKCS8_BEFORE_SCALAR, scalar, P256_PKCS8_BEFORE_POINT, new byte[] {0x04},
                unsigned(publicKey.getW().getAffineX()), unsigned(publicKey.getW().getAffineY()));
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempFile(parent, "." + file.getFileName(), ".staging",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(staging, pem, StandardCharsets.US_ASCII);
            Files.move(staging, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(staging);
        }
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        byte[] fixed = new byte[P256_FIELD_BYTES];
        int copy = Math.min(bytes.length, P256_FIELD_BYTES);
        System.arraycopy(bytes, bytes.length - copy, fixed, P256_FIELD_BYTES - copy, copy);
        return fixed;
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    /** The public keys in an OpenSSH authorized_keys file; at least one. */
    static List<PublicKey> authorizedKeys(Path file) throws IOException {
        List<PublicKey> keys = new ArrayList<>();
        try {
            for (AuthorizedKeyEntry entry : AuthorizedKeyEntry.readAuthorizedKeys(file)) {
                keys.add(entry.resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("authorized key file " + file + " holds a key that cannot be read: " + e.getMessage(), e);
        }
        if (keys.isEmpty()) {
            throw new IOException("authorized key file " + file + " holds no key");
        }
        return List.copyOf(keys);
    }
}
