package cn.onecard.simulators;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code world.json}: everything a gateway (or a load driver) needs to find the simulated parties
 * of a {@code run}: the treasury's keys and URLs, each file bank's SFTP endpoint and keys, each ISO 8583
 * bank's line, each HTTP bank's API, the feeds.
 * Paths are absolute.
 */
record World(Treasury treasury, List<Bank> banks, List<IsoBank> isoBanks, List<HttpBank> httpBanks, Feeds feeds, Gateway gateway,
             Population population) {

    static final JsonMapper MAPPER = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    record Treasury(String clientId, String privateKey, String publicKey, String callbackUrl, String controlUrl) {
    }

    record Bank(String code, List<String> bins, int cardDigits, String unitNumber, String sftpHost, int sftpPort,
                String sftpUser, String hostPublicKey, String signingPublicKey, String root, String accounts) {
    }

    /** A world.json written before ISO 8583 or HTTP banks has none. */
    World {
        isoBanks = isoBanks == null ? List.of() : List.copyOf(isoBanks);
        httpBanks = httpBanks == null ? List.of() : List.copyOf(httpBanks);
    }

    /**
     * An ISO 8583 bank: where its line listens, in which dialect, and the check value of the MAC key
     * the gateway handed it (the gateway holds the key itself, wrapped; world.json never does).
     */
    record IsoBank(String code, List<String> bins, int cardDigits, String dialect, String host, int port,
                   String macKeyCheckValue, String accounts, String ledger) {
    }

    /**
     * An HTTP bank (docs/http-bank.md): its API's base, the certificate its server presents (to be
     * pinned) and its SHA-256, the bank's SM2 public key that signs its answers, and the gateway's
     * public key and app id it takes requests under.
     */
    record HttpBank(String code, List<String> bins, int cardDigits, String baseUri, String host, int port, String appId,
                    String certificate, String certificateSha256, String signingPublicKey, String gatewayPublicKey,
                    String accounts, String ledger) {
    }

    record Feeds(String cardRegistry, String blockedPersons) {
    }

    /** The gateway's keys as the world was started with them. */
    record Gateway(String publicKey, String sshPublicKey) {
    }

    /** What the population was drawn from, so that other commands can draw it again. */
    record Population(long seed, int persons, List<String> banks) {
    }

    static World read(Path file) throws IOException {
        try {
            return MAPPER.readValue(Files.readString(file), World.class);
        } catch (tools.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(file + " is not a world.json: " + e.getOriginalMessage());
        }
    }

    void write(Path file) throws IOException {
        Path part = file.resolveSibling("." + file.getFileName() + ".part");
        Files.writeString(part, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n");
        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
