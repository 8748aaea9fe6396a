package cn.onecard.gateway.demo;

import cn.onecard.crypto.Sm2PublicKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A gateway's settings for a simulated world: its keys, the world's treasury client, both file banks
 * over SFTP, and the ISO 8583 bank and the HTTP bank where the world runs them.
 */
public final class WorldSettings {

    /** The simulated treasury's account the subsidies are paid from. */
    static final String TREASURY_PAYER_ACCOUNT = "4103000001";

    private WorldSettings() {
    }

    /**
     * The properties every gateway of the world needs (callers add their cycle periods, file sizes,
     * deadlines and ports), in the order they are listed.
     */
    public static Map<String, String> gatewayProperties(JsonNode world, WorldKeys keys, Path dataDir) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("onecard.data-dir", dataDir.toString());
        properties.put("onecard.gateway-key", keys.sm2Private().toString());
        properties.put("onecard.treasury.clients[0].id", world.at("/treasury/clientId").asString());
        properties.put("onecard.treasury.clients[0].public-key", world.at("/treasury/publicKey").asString());
        // the simulated treasury listens on the loopback address: listed, as a real treasury's host would be
        properties.put("onecard.treasury.clients[0].callback-hosts",
                URI.create(world.at("/treasury/callbackUrl").asString()).getHost());
        properties.put("onecard.master-key.keystore", keys.keystore().toString());
        properties.put("onecard.master-key.keystore-password-file", keys.keystorePassword().toString());
        for (JsonNode bank : world.get("banks")) {
            String code = bank.get("code").asString();
            String prefix = "onecard.banks." + code + ".";
            properties.put(prefix + "bins", bins(bank));
            properties.put(prefix + "layout", code.toLowerCase(Locale.ROOT));
            if (bank.hasNonNull("unitNumber")) {
                properties.put(prefix + "unit-number", bank.get("unitNumber").asString());
            }
            properties.put(prefix + "public-key", bank.get("signingPublicKey").asString());
            if (code.equals("LYB")) {
                properties.put(prefix + "data-key", keys.lybDataKeyWrapped());
            }
            properties.put(prefix + "transport.kind", "sftp");
            properties.put(prefix + "transport.host", bank.get("sftpHost").asString());
            properties.put(prefix + "transport.port", Integer.toString(bank.get("sftpPort").asInt()));
            properties.put(prefix + "transport.user", bank.get("sftpUser").asString());
            properties.put(prefix + "transport.client-key", keys.sshPrivate().toString());
            properties.put(prefix + "transport.host-key", bank.get("hostPublicKey").asString());
        }
        for (JsonNode bank : world.path("isoBanks")) {
            String code = bank.get("code").asString();
            // the world says which key its bank was handed; another than ours would fail every MAC
            if (!keys.isoMacKeyCheckValue().equals(bank.path("macKeyCheckValue").asString())) {
                throw new IllegalStateException("the world's ISO 8583 bank " + code + " holds another MAC key than this gateway's");
            }
            String prefix = "onecard.banks." + code + ".";
            properties.put(prefix + "bins", bins(bank));
            properties.put(prefix + "kind", "iso8583");
            properties.put(prefix + "iso8583.dialect", bank.get("dialect").asString());
            properties.put(prefix + "iso8583.host", bank.get("host").asString());
            properties.put(prefix + "iso8583.port", Integer.toString(bank.get("port").asInt()));
            properties.put(prefix + "iso8583.mac-key", keys.isoMacKeyWrapped());
            properties.put(prefix + "iso8583.payer-account", TREASURY_PAYER_ACCOUNT);
        }
        for (JsonNode bank : world.path("httpBanks")) {
            String code = bank.get("code").asString();
            // the world says whose requests its bank takes; another key than ours would be refused on every request
            if (!keys.sm2().publicKey().equals(publicKey(bank.get("gatewayPublicKey").asString()))) {
                throw new IllegalStateException("the world's HTTP bank " + code + " trusts another gateway key than this gateway's");
            }
            String prefix = "onecard.banks." + code + ".";
            properties.put(prefix + "bins", bins(bank));
            properties.put(prefix + "kind", "http");
            properties.put(prefix + "http.base-uri", bank.get("baseUri").asString());
            properties.put(prefix + "http.app-id", bank.get("appId").asString());
            properties.put(prefix + "http.bank-public-key", bank.get("signingPublicKey").asString());
            properties.put(prefix + "http.pinned-certificates", bank.get("certificate").asString());
            properties.put(prefix + "http.payer-account", TREASURY_PAYER_ACCOUNT);
        }
        return properties;
    }

    private static String bins(JsonNode bank) {
        List<String> bins = new ArrayList<>();
        bank.get("bins").forEach(bin -> bins.add(bin.asString()));
        return String.join(",", bins);
    }

    private static Sm2PublicKey publicKey(String pemFile) {
        try {
            return Sm2PublicKey.fromPem(Files.readString(Path.of(pemFile), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the world's " + pemFile, e);
        }
    }

    /** The codes of the world's file banks. */
    public static List<String> bankCodes(JsonNode world) {
        List<String> codes = new ArrayList<>();
        world.get("banks").forEach(bank -> codes.add(bank.get("code").asString()));
        return codes;
    }
}
