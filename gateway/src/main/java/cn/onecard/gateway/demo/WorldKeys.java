package cn.onecard.gateway.demo;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.KeyUsage;
import cn.onecard.crypto.MasterKey;
import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.crypto.SymmetricKey;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.spec.SecretKeySpec;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * The keys a gateway makes for itself to join a simulated world, all fresh, none kept in the
 * repository: its SM2 pair, its SSH client key (OpenSSH format, written by MINA SSHD), a master key
 * in a PKCS#12 keystore beside its password file, and LYB's SM4 data key wrapped under that master
 * key (plus the bank's own clear copy, as the bank would receive it under dual control), and the
 * same for the SM4 MAC key of the world's ISO 8583 bank (agent-bcd). Every secret file is owner-only
 * from its first byte.
 */
public record WorldKeys(
        Sm2KeyPair sm2,
        Path sm2Private,
        Path sm2Public,
        Path sshPrivate,
        Path sshPublic,
        Path keystore,
        Path keystorePassword,
        String lybDataKeyWrapped,
        Path lybDataKeyForBank,
        String isoMacKeyWrapped,
        Path isoMacKeyForBank,
        String isoMacKeyCheckValue) {

    private static final int SECRET_BYTES = 16;

    /** Makes the keys in {@code dir}; {@code sshComment} names the SSH key (its public line ends with it). */
    public static WorldKeys make(Path dir, String sshComment) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        Sm2KeyPair sm2 = Sm2.generateKeyPair();
        Path sm2Private = ownerOnly(dir.resolve("gateway-sm2-private.pem"), sm2.privateKey().toPem().getBytes(StandardCharsets.US_ASCII));
        Path sm2Public = Files.writeString(dir.resolve("gateway-sm2-public.pem"), sm2.publicKey().toPem());

        KeyPair ssh = KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
        Path sshPrivate = ownerOnly(dir.resolve("gateway-ssh-key"), null);
        try (OutputStream out = Files.newOutputStream(sshPrivate)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(ssh, sshComment, null, out);
        }
        Path sshPublic = Files.writeString(dir.resolve("gateway-ssh-key.pub"),
                PublicKeyEntry.toString(ssh.getPublic()) + " " + sshComment + "\n");

        SecureRandom random = new SecureRandom();
        char[] password = HexFormat.of().formatHex(randomBytes(random)).toCharArray();
        Path passwordFile = ownerOnly(dir.resolve("master-keystore.password"),
                new String(password).getBytes(StandardCharsets.US_ASCII));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setEntry(MasterKey.DEFAULT_ALIAS, new KeyStore.SecretKeyEntry(new SecretKeySpec(randomBytes(random), "AES")),
                new KeyStore.PasswordProtection(password));
        Path keystore = ownerOnly(dir.resolve("master.p12"), null);
        try (OutputStream out = Files.newOutputStream(keystore)) {
            store.store(out, password);
        }
        byte[] lybDataKey = randomBytes(random);
        byte[] isoMacKey = randomBytes(random);
        String wrapped;
        String isoMacKeyWrapped;
        MasterKey masterKey = MasterKey.fromKeystore(keystore, password, MasterKey.DEFAULT_ALIAS);
        try {
            wrapped = masterKey.wrap(SymmetricKey.of(KeyAlgorithm.SM4, lybDataKey), KeyUsage.DATA, "lyb-data-key").encode();
            isoMacKeyWrapped = masterKey.wrap(SymmetricKey.of(KeyAlgorithm.SM4, isoMacKey), KeyUsage.MAC, "iso-mac-key").encode();
        } finally {
            masterKey.destroy();
        }
        Path forBank = ownerOnly(dir.resolve("lyb-data-key-for-the-bank.hex"),
                (HexFormat.of().formatHex(lybDataKey) + "\n").getBytes(StandardCharsets.US_ASCII));
        Path isoForBank = ownerOnly(dir.resolve("iso-mac-key-for-the-bank.hex"),
                (HexFormat.of().formatHex(isoMacKey) + "\n").getBytes(StandardCharsets.US_ASCII));
        String isoCheckValue = HexFormat.of().withUpperCase().formatHex(SymmetricKey.of(KeyAlgorithm.SM4, isoMacKey).checkValue());
        return new WorldKeys(sm2, sm2Private, sm2Public, sshPrivate, sshPublic, keystore, passwordFile, wrapped, forBank,
                isoMacKeyWrapped, isoForBank, isoCheckValue);
    }

    private static byte[] randomBytes(SecureRandom random) {
        byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Creates an owner-only file, then writes {@code content} into it (none: left empty for the caller). */
    private static Path ownerOnly(Path file, byte[] content) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        if (content != null) {
            Files.write(file, content);
        }
        return file;
    }
}
