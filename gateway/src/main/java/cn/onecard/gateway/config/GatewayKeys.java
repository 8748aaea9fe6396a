package cn.onecard.gateway.config;

import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's own SM2 key: signs callbacks, receipts and bank files, opens treasury batch files.
 * Read from {@code onecard.gateway-key}; without it, a key is made once under
 * {@code DATA_DIR/keys/} (owner-only file) so that a development gateway starts by itself. A
 * production gateway names its key file (or, later, its HSM) explicitly.
 */
public record GatewayKeys(Sm2PrivateKey privateKey, Sm2PublicKey publicKey) {

    private static final Logger log = LoggerFactory.getLogger(GatewayKeys.class);

    static GatewayKeys load(OneCardProperties properties) {
        Path file = properties.gatewayKey();
        try {
            if (file == null) {
                file = properties.dataDir().resolve("keys").resolve("gateway-sm2-private.pem");
                if (!Files.exists(file)) {
                    Files.createDirectories(file.getParent());
                    Sm2KeyPair pair = Sm2.generateKeyPair();
                    // owner-only from the first byte: created with its permissions, then written
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(file, pair.privateKey().toPem(), StandardCharsets.US_ASCII);
                    Files.writeString(file.resolveSibling("gateway-sm2-public.pem"), pair.publicKey().toPem(),
                            StandardCharsets.US_ASCII);
                    log.warn("no onecard.gateway-key configured: made a new gateway key in {}", file);
                }
            }
            Sm2PrivateKey key = Sm2PrivateKey.fromPem(Files.readString(file, StandardCharsets.US_ASCII));
            log.info("gateway key {} (fingerprint {})", file,
                    HexFormat.of().formatHex(key.publicKey().fingerprint()).substring(0, 16));
            return new GatewayKeys(key, key.publicKey());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the gateway key " + file, e);
        }
    }
}
