package cn.onecard.simulators.filebank;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/** The SFTP server's host key and the client keys it accepts, read (and the host key made) with MINA SSHD. */
final class SshKeys {

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

    /**
     * A new ECDSA P-256 key as PKCS#8 PEM, made by Bouncy Castle: its encoding carries the public
     * point, which MINA's reader needs (the JDK's own encoding leaves it out).
     */
    private static void writeNewP256(Path file) throws IOException {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Bouncy Castle has no ECDSA P-256", e);
        }
        StringWriter pem = new StringWriter();
        try (PemWriter writer = new PemWriter(pem)) {
            writer.writeObject(new PemObject("PRIVATE KEY", pair.getPrivate().getEncoded()));
        }
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempFile(parent, "." + file.getFileName(), ".staging",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(staging, pem.toString(), StandardCharsets.US_ASCII);
            Files.move(staging, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(staging);
        }
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
