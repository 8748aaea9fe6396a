package cn.onecard.simulators;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.simulators.httpbank.ServerCertificate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** Key files of the simulated parties: SM2 PEM pairs (private keys owner-only), hex data keys, TLS certificates. */
final class KeyFiles {

    private KeyFiles() {
    }

    /** The SM2 key pair in {@code dir} ({@code sm2-private.pem}, {@code sm2-public.pem}), generated when absent. */
    static Sm2KeyPair sm2Pair(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path privateFile = dir.resolve("sm2-private.pem");
        Path publicFile = dir.resolve("sm2-public.pem");
        if (Files.exists(privateFile)) {
            Sm2PrivateKey key = Sm2PrivateKey.fromPem(Files.readString(privateFile));
            if (!Files.exists(publicFile)) {
                write(publicFile, key.publicKey().toPem(), false);
            }
            return new Sm2KeyPair(key, key.publicKey());
        }
        Sm2KeyPair pair = Sm2.generateKeyPair();
        write(publicFile, pair.publicKey().toPem(), false);
        write(privateFile, pair.privateKey().toPem(), true);
        return pair;
    }

    /**
     * The TLS certificate of an HTTP bank in {@code dir} ({@code tls-private.pem}, owner-only, and
     * {@code tls-certificate.pem}), made afresh when absent, near its end or not naming every one of
     * {@code hosts}; the gateway pins whichever is there.
     */
    static ServerCertificate serverCertificate(Path dir, String organisation, List<String> hosts) throws IOException {
        Files.createDirectories(dir);
        Path privateFile = dir.resolve("tls-private.pem");
        Path certificateFile = dir.resolve("tls-certificate.pem");
        if (Files.exists(privateFile) && Files.exists(certificateFile)) {
            ServerCertificate kept = ServerCertificate.fromPem(Files.readString(certificateFile), Files.readString(privateFile));
            if (kept.serves(hosts)) {
                return kept;
            }
        }
        ServerCertificate made = ServerCertificate.selfSigned(organisation, hosts);
        write(privateFile, made.privateKeyPem(), true);
        write(certificateFile, made.certificatePem(), false);
        return made;
    }

    static Sm2PrivateKey privateKey(Path file) throws IOException {
        return Sm2PrivateKey.fromPem(Files.readString(file));
    }

    static Sm2PublicKey publicKey(Path file) throws IOException {
        return Sm2PublicKey.fromPem(Files.readString(file));
    }

    /** A 16-byte SM4 key from a file of 32 hex digits (whitespace ignored). */
    static SymmetricKey sm4HexFile(Path file) throws IOException {
        return hexKeyFile(file, KeyAlgorithm.SM4);
    }

    /** A 16-byte key (SM4, or double-length TDES) from a file of 32 hex digits (whitespace ignored); never echoes the file. */
    static SymmetricKey hexKeyFile(Path file, KeyAlgorithm algorithm) throws IOException {
        String hex = Files.readString(file, StandardCharsets.US_ASCII).replaceAll("\\s", "");
        if (!hex.matches("[0-9A-Fa-f]{32}")) {
            throw new IllegalArgumentException(file + " must hold 32 hex digits (an " + algorithm + " key)");
        }
        return SymmetricKey.fromHex(algorithm, hex);
    }

    static void write(Path file, String text, boolean ownerOnly) throws IOException {
        Path part = file.resolveSibling("." + file.getFileName() + ".part");
        Files.deleteIfExists(part);
        if (ownerOnly) {
            Files.createFile(part, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(part, text);
        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
