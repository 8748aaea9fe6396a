package cn.onecard.gateway.intake;

import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.gateway.config.OneCardProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The configured treasury clients and their SM2 public keys, read once at start. */
public final class TreasuryClients {

    private final Map<String, Sm2PublicKey> keysById;

    public TreasuryClients(Map<String, Sm2PublicKey> keysById) {
        this.keysById = Map.copyOf(keysById);
    }

    public static TreasuryClients from(OneCardProperties.Treasury treasury) {
        Map<String, Sm2PublicKey> keys = new HashMap<>();
        for (OneCardProperties.Client client : treasury.clients()) {
            if (client.id() == null || client.id().isBlank() || client.publicKey() == null) {
                throw new IllegalArgumentException("onecard.treasury.clients: each client needs an id and a public-key file");
            }
            try {
                Sm2PublicKey key = Sm2PublicKey.fromPem(Files.readString(client.publicKey(), StandardCharsets.US_ASCII));
                if (keys.put(client.id(), key) != null) {
                    throw new IllegalArgumentException("onecard.treasury.clients: client " + client.id() + " is listed twice");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("treasury client " + client.id() + ": cannot read its public key", e);
            }
        }
        return new TreasuryClients(keys);
    }

    public Optional<Sm2PublicKey> key(String clientId) {
        return Optional.ofNullable(keysById.get(clientId));
    }

    /** The client whose key has this fingerprint (the sender of a batch file), if any. */
    public Optional<String> clientWithKey(byte[] fingerprint) {
        return keysById.entrySet().stream()
                .filter(entry -> java.util.Arrays.equals(entry.getValue().fingerprint(), fingerprint))
                .map(Map.Entry::getKey)
                .findFirst();
    }
}
