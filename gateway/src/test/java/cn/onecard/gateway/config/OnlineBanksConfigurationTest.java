package cn.onecard.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.adapters.BankAdapter;
import cn.onecard.adapters.BankCapabilities;
import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** An online bank is configuration: what is missing or wrong stops the start with the property's name. */
class OnlineBanksConfigurationTest {

    private static final Sm2KeyPair GATEWAY = Sm2.generateKeyPair();

    @TempDir
    Path dir;

    private static OneCardProperties properties(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("onecard", OneCardProperties.class);
    }

    private Map<String, String> httpBank() throws Exception {
        Path bankKey = Files.writeString(dir.resolve("bank-public.pem"), Sm2.generateKeyPair().publicKey().toPem());
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair server = generator.generateKeyPair();
        X500Name name = new X500Name("CN=openapi.bank.example");
        Instant now = Instant.now();
        var certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.ONE, java.util.Date.from(now), java.util.Date.from(now.plus(Duration.ofDays(1))), name,
                server.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(server.getPrivate())));
        Path pem = Files.writeString(dir.resolve("server.pem"), "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        Map<String, String> values = new HashMap<>();
        values.put("onecard.banks.PSBC.bins", "621799");
        values.put("onecard.banks.PSBC.kind", "http");
        values.put("onecard.banks.PSBC.http.base-uri", "https://openapi.bank.example/onecard");
        values.put("onecard.banks.PSBC.http.app-id", "HNCZT-ONECARD");
        values.put("onecard.banks.PSBC.http.bank-public-key", bankKey.toString());
        values.put("onecard.banks.PSBC.http.pinned-certificates", pem.toString());
        values.put("onecard.banks.PSBC.http.payer-account", "4103000001");
        values.put("onecard.banks.PSBC.http.reverses", "false");
        return values;
    }

    @Test
    void anHttpBank_isBuiltFromItsProperties_asAnOnlineBank() throws Exception {
        List<BankAdapter> adapters = BankAdapters.build(properties(httpBank()), new GatewayKeys(GATEWAY.privateKey(),
                GATEWAY.publicKey()));
        try {
            assertThat(adapters).hasSize(1);
            BankCapabilities capabilities = adapters.getFirst().capabilities();
            assertThat(adapters.getFirst().bankCode()).isEqualTo("PSBC");
            assertThat(capabilities.mode()).isEqualTo(BankCapabilities.Mode.ONLINE);
            assertThat(capabilities.accountVerification()).isTrue();
            assertThat(capabilities.reversal()).isFalse();
            assertThat(capabilities.resultDeadline()).isEqualTo(Duration.ofSeconds(30));
        } finally {
            adapters.forEach(BankAdapter::close);
        }
    }

    @Test
    void anHttpBankWithoutAPinnedCertificate_orWithAFileThatHoldsNone_stopsTheStart() throws Exception {
        Map<String, String> unpinned = httpBank();
        unpinned.remove("onecard.banks.PSBC.http.pinned-certificates");
        GatewayKeys keys = new GatewayKeys(GATEWAY.privateKey(), GATEWAY.publicKey());
        assertThatThrownBy(() -> BankAdapters.build(properties(unpinned), keys))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pinned-certificates");
        Map<String, String> notACertificate = httpBank();
        notACertificate.put("onecard.banks.PSBC.http.pinned-certificates",
                Files.writeString(dir.resolve("junk.pem"), "not a certificate").toString());
        assertThatThrownBy(() -> BankAdapters.build(properties(notACertificate), keys))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pinned-certificates");
    }

    @Test
    void anIsoBankWithAZoneMasterKey_signsOnForWorkingKeys_andNeedsNoMacKey_butTheKeyMustBeAZoneMasterKey()
            throws Exception {
        cn.onecard.gateway.demo.WorldKeys world = cn.onecard.gateway.demo.WorldKeys.make(dir, "iso-config-test");
        cn.onecard.crypto.MasterKey masterKey = cn.onecard.crypto.MasterKey.fromKeystore(world.keystore(),
                Files.readString(world.keystorePassword()).strip().toCharArray(), cn.onecard.crypto.MasterKey.DEFAULT_ALIAS);
        cn.onecard.crypto.SymmetricKey zmk = cn.onecard.crypto.SymmetricKey.generate(cn.onecard.crypto.KeyAlgorithm.SM4);
        String wrappedZmk;
        String zmkWrappedAsMacKey;
        try {
            wrappedZmk = masterKey.wrap(zmk, cn.onecard.crypto.KeyUsage.ZONE_MASTER, "rcc-zmk").encode();
            zmkWrappedAsMacKey = masterKey.wrap(zmk, cn.onecard.crypto.KeyUsage.MAC, "rcc-zmk").encode();
        } finally {
            masterKey.destroy();
        }
        Map<String, String> iso = new HashMap<>(Map.of("onecard.banks.RCC.bins", "621779", "onecard.banks.RCC.kind", "iso8583",
                "onecard.banks.RCC.iso8583.dialect", "agent-ascii87", "onecard.banks.RCC.iso8583.host", "127.0.0.1",
                "onecard.banks.RCC.iso8583.port", "7001", "onecard.banks.RCC.iso8583.payer-account", "4103000001",
                "onecard.banks.RCC.iso8583.zone-master-key", wrappedZmk, "onecard.banks.RCC.iso8583.session-renewal", "12h",
                "onecard.master-key.keystore", world.keystore().toString(),
                "onecard.master-key.keystore-password-file", world.keystorePassword().toString()));
        GatewayKeys keys = new GatewayKeys(GATEWAY.privateKey(), GATEWAY.publicKey());

        List<BankAdapter> adapters = BankAdapters.build(properties(iso), keys);
        try {
            assertThat(adapters).singleElement().satisfies(bank -> assertThat(bank.bankCode()).isEqualTo("RCC"));
        } finally {
            adapters.forEach(BankAdapter::close);
        }
        iso.put("onecard.banks.RCC.iso8583.zone-master-key", zmkWrappedAsMacKey);
        assertThatThrownBy(() -> BankAdapters.build(properties(iso), keys)).as("a key wrapped for another use")
                .hasMessageContaining("not a ZONE_MASTER key");
        iso.put("onecard.banks.RCC.iso8583.zone-master-key", wrappedZmk);
        iso.put("onecard.banks.RCC.iso8583.dialect", "cup-pos");
        assertThatThrownBy(() -> BankAdapters.build(properties(iso), keys)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zone-master-key");
    }

    @Test
    void anIsoBankWhoseDialectMacsItsMessages_needsAMacKey_andAnUnknownKindStopsTheStart() {
        GatewayKeys keys = new GatewayKeys(GATEWAY.privateKey(), GATEWAY.publicKey());
        Map<String, String> iso = new HashMap<>(Map.of("onecard.banks.RCC.bins", "621779", "onecard.banks.RCC.kind", "iso8583",
                "onecard.banks.RCC.iso8583.dialect", "agent-bcd", "onecard.banks.RCC.iso8583.host", "127.0.0.1",
                "onecard.banks.RCC.iso8583.port", "7001", "onecard.banks.RCC.iso8583.payer-account", "4103000001"));
        assertThatThrownBy(() -> BankAdapters.build(properties(iso), keys)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mac-key");
        iso.put("onecard.banks.RCC.iso8583.dialect", "no-such-dialect");
        assertThatThrownBy(() -> BankAdapters.build(properties(iso), keys)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dialect");
        assertThatThrownBy(() -> BankAdapters.build(properties(Map.of("onecard.banks.X.bins", "621000",
                "onecard.banks.X.kind", "carrier-pigeon")), keys)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kind");
    }
}
