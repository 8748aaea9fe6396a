package cn.onecard.gateway.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.KeyUsage;
import cn.onecard.crypto.MasterKey;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.crypto.WrappedKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's settings for a world with online banks: an ISO 8583 bank configured with the MAC key
 * handed to it, an HTTP bank with its pinned certificate and its key, trusting ours.
 */
class WorldSettingsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private static JsonNode world(String macKeyCheckValue) {
        return JSON.readTree("""
                {"treasury": {"clientId": "treasury-demo", "publicKey": "/w/treasury/sm2-public.pem",
                              "callbackUrl": "http://127.0.0.1:9000/callbacks"},
                 "banks": [],
                 "isoBanks": [{"code": "HNNX", "bins": ["623059", "621585"], "cardDigits": 19, "dialect": "agent-bcd",
                               "host": "127.0.0.1", "port": 40125, "macKeyCheckValue": "%s"}]}
                """.formatted(macKeyCheckValue));
    }

    @Test
    void configuresTheIsoBank_withTheMacKeyItWasHanded_wrapped() throws Exception {
        WorldKeys keys = WorldKeys.make(dir.resolve("keys"), "test");

        Map<String, String> properties = WorldSettings.gatewayProperties(world(keys.isoMacKeyCheckValue()), keys, dir);

        assertThat(properties).containsEntry("onecard.banks.HNNX.kind", "iso8583")
                .containsEntry("onecard.banks.HNNX.bins", "623059,621585")
                .containsEntry("onecard.banks.HNNX.iso8583.dialect", "agent-bcd")
                .containsEntry("onecard.banks.HNNX.iso8583.host", "127.0.0.1")
                .containsEntry("onecard.banks.HNNX.iso8583.port", "40125")
                .containsKey("onecard.banks.HNNX.iso8583.payer-account");
        String clearHex = Files.readString(keys.isoMacKeyForBank()).strip();
        assertThat(properties.toString()).as("the clear key stays in the bank's file").doesNotContainIgnoringCase(clearHex);
        assertThat(Files.getPosixFilePermissions(keys.isoMacKeyForBank())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        MasterKey master = MasterKey.fromKeystore(keys.keystore(), Files.readString(keys.keystorePassword()).strip().toCharArray(),
                MasterKey.DEFAULT_ALIAS);
        try {
            SymmetricKey unwrapped = master.unwrap(WrappedKey.parse(properties.get("onecard.banks.HNNX.iso8583.mac-key")), KeyUsage.MAC);
            assertThat(unwrapped.checkValue()).isEqualTo(SymmetricKey.fromHex(KeyAlgorithm.SM4, clearHex).checkValue());
            assertThat(HexFormat.of().withUpperCase().formatHex(unwrapped.checkValue())).isEqualTo(keys.isoMacKeyCheckValue());
        } finally {
            master.destroy();
        }
    }

    @Test
    void refusesAWorldWhoseIsoBankHoldsAnotherMacKey() throws Exception {
        WorldKeys keys = WorldKeys.make(dir.resolve("keys"), "test");

        assertThatThrownBy(() -> WorldSettings.gatewayProperties(world("00000000"), keys, dir))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("HNNX");
    }

    private JsonNode worldWithHttpBank(Path trustedGatewayKey) {
        return JSON.readTree("""
                {"treasury": {"clientId": "treasury-demo", "publicKey": "/w/treasury/sm2-public.pem",
                              "callbackUrl": "http://127.0.0.1:9000/callbacks"},
                 "banks": [],
                 "httpBanks": [{"code": "ZYB", "bins": ["623138", "621389"], "cardDigits": 19,
                                "baseUri": "https://127.0.0.1:40127/openapi", "host": "127.0.0.1", "port": 40127,
                                "appId": "onecard-gateway", "certificate": "/w/banks/ZYB/tls-certificate.pem",
                                "certificateSha256": "00", "signingPublicKey": "/w/banks/ZYB/sm2-public.pem",
                                "gatewayPublicKey": "%s"}]}
                """.formatted(trustedGatewayKey));
    }

    @Test
    void configuresTheHttpBank_pinningItsCertificate_andTrustingItsKey() throws Exception {
        WorldKeys keys = WorldKeys.make(dir.resolve("keys"), "test");

        Map<String, String> properties = WorldSettings.gatewayProperties(worldWithHttpBank(keys.sm2Public()), keys, dir);

        assertThat(properties).containsEntry("onecard.banks.ZYB.kind", "http")
                .containsEntry("onecard.banks.ZYB.bins", "623138,621389")
                .containsEntry("onecard.banks.ZYB.http.base-uri", "https://127.0.0.1:40127/openapi")
                .containsEntry("onecard.banks.ZYB.http.app-id", "onecard-gateway")
                .containsEntry("onecard.banks.ZYB.http.bank-public-key", "/w/banks/ZYB/sm2-public.pem")
                .containsEntry("onecard.banks.ZYB.http.pinned-certificates", "/w/banks/ZYB/tls-certificate.pem")
                .containsEntry("onecard.banks.ZYB.http.payer-account", WorldSettings.TREASURY_PAYER_ACCOUNT);
    }

    @Test
    void refusesAWorldWhoseHttpBankTrustsAnotherGatewayKey() throws Exception {
        WorldKeys keys = WorldKeys.make(dir.resolve("keys"), "test");
        WorldKeys stranger = WorldKeys.make(dir.resolve("stranger"), "test");

        assertThatThrownBy(() -> WorldSettings.gatewayProperties(worldWithHttpBank(stranger.sm2Public()), keys, dir))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ZYB");
    }

    @Test
    void aWorldWithoutIsoBanks_configuresNone() throws Exception {
        WorldKeys keys = WorldKeys.make(dir.resolve("keys"), "test");
        JsonNode world = JSON.readTree("""
                {"treasury": {"clientId": "t", "publicKey": "/p.pem", "callbackUrl": "http://127.0.0.1:9000/callbacks"}, "banks": []}
                """);

        assertThat(WorldSettings.gatewayProperties(world, keys, dir).keySet())
                .noneMatch(name -> name.contains("iso8583") || name.contains(".http."));
    }
}
