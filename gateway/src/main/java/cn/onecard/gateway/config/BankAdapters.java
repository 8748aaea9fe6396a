package cn.onecard.gateway.config;

import cn.onecard.adapters.BankAdapter;
import cn.onecard.adapters.BankCapabilities;
import cn.onecard.adapters.file.FileBankAdapter;
import cn.onecard.adapters.file.FileBankConfig;
import cn.onecard.adapters.file.FileTransportConfig;
import cn.onecard.adapters.http.HttpBankAdapter;
import cn.onecard.adapters.http.HttpBankConfig;
import cn.onecard.adapters.iso8583.IsoBankAdapter;
import cn.onecard.adapters.iso8583.IsoBankConfig;
import cn.onecard.crypto.KeyUsage;
import cn.onecard.crypto.MasterKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.crypto.WrappedKey;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds each configured bank's adapter. Adding a bank is configuration under
 * {@code onecard.banks.CODE}: a file bank's BINs, layout, transport and keys; an ISO 8583 bank's BINs,
 * dialect, host and MAC key. A bank's data key is unwrapped from the
 * master key here, once, and the master key is not kept.
 */
public final class BankAdapters {

    /** The zone of the banks' local times (fields 7, 12 and 13). */
    private static final ZoneId BANK_ZONE = ZoneId.of("Asia/Shanghai");

    private BankAdapters() {
    }

    public static List<BankAdapter> build(OneCardProperties properties, GatewayKeys gatewayKeys) {
        List<BankAdapter> adapters = new ArrayList<>();
        MasterKey masterKey = null;
        try {
            for (Map.Entry<String, OneCardProperties.Bank> entry : properties.banks().entrySet()) {
                String code = entry.getKey();
                OneCardProperties.Bank bank = entry.getValue();
                if (bank.kind().equals("iso8583")) {
                    if (masterKey == null && (bank.iso8583().macKey() != null || bank.iso8583().zoneMasterKey() != null)) {
                        masterKey = masterKey(properties);
                    }
                    adapters.add(isoBank(code, bank.iso8583(), masterKey));
                    continue;
                }
                if (bank.kind().equals("http")) {
                    adapters.add(httpBank(code, bank.http(), gatewayKeys));
                    continue;
                }
                if (!bank.kind().equals("file")) {
                    throw new IllegalArgumentException("onecard.banks." + code + ".kind is file, iso8583 or http");
                }
                if (bank.layout() == null) {
                    continue; // a bank with BINs only: routed, but not dispatched from this node
                }
                SymmetricKey dataKey = null;
                if (bank.dataKey() != null && !bank.dataKey().isBlank()) {
                    if (masterKey == null) {
                        masterKey = masterKey(properties);
                    }
                    dataKey = masterKey.unwrap(WrappedKey.parse(bank.dataKey().strip()), KeyUsage.DATA);
                }
                Sm2PublicKey bankKey = readPublicKey(code, bank);
                BankCapabilities capabilities = BankCapabilities.batchFile(bank.dispatchItemsMax(), bank.cutOffs(),
                        bank.resultDeadline());
                adapters.add(new FileBankAdapter(new FileBankConfig(code, bank.layout(), bank.layoutDirectory(),
                        bank.unitNumber(), capabilities, transport(code, bank.transport()),
                        new FileBankConfig.Keys(gatewayKeys.privateKey(), bankKey, dataKey))));
            }
        } finally {
            if (masterKey != null) {
                masterKey.destroy();
            }
        }
        return adapters;
    }

    /** An online bank over ISO 8583: its host, dialect and MAC key or zone master key (unwrapped here, once). */
    private static IsoBankAdapter isoBank(String code, OneCardProperties.Iso8583 iso, MasterKey masterKey) {
        String prefix = "onecard.banks." + code + ".iso8583.";
        if (iso.host() == null || iso.port() < 1 || iso.dialect() == null || iso.payerAccount() == null) {
            throw new IllegalArgumentException(prefix + "host, port, dialect and payer-account are required");
        }
        Dialects dialects = iso.dialectDirectory() == null ? Dialects.builtIn()
                : Dialects.builtIn().with(Dialects.fromDirectory(iso.dialectDirectory()));
        Dialect dialect = dialects.find(iso.dialect()).orElseThrow(() -> new IllegalArgumentException(prefix
                + "dialect: no dialect " + iso.dialect()));
        boolean signsOn = iso.zoneMasterKey() != null && !iso.zoneMasterKey().isBlank();
        if (dialect.macRule().isPresent() && !signsOn && (iso.macKey() == null || iso.macKey().isBlank())) {
            throw new IllegalArgumentException(prefix + "mac-key: dialect " + dialect.name() + " MACs its messages; give a "
                    + "mac-key, or a zone-master-key for working keys at sign-on");
        }
        if (signsOn && dialect.signOn().isEmpty()) {
            throw new IllegalArgumentException(prefix + "zone-master-key: dialect " + dialect.name()
                    + " defines no sign-on with working keys");
        }
        SymmetricKey macKey = signsOn || iso.macKey() == null || iso.macKey().isBlank() ? null
                : masterKey.unwrap(WrappedKey.parse(iso.macKey().strip()), KeyUsage.MAC);
        SymmetricKey zoneMasterKey = signsOn
                ? masterKey.unwrap(WrappedKey.parse(iso.zoneMasterKey().strip()), KeyUsage.ZONE_MASTER) : null;
        return new IsoBankAdapter(new IsoBankConfig(code, dialect, new InetSocketAddress(iso.host(), iso.port()), macKey,
                iso.terminalId(), iso.merchantId(), iso.acquirerId(), iso.payerAccount(), iso.connections(),
                iso.inFlightMax(), iso.requestTimeout(), iso.echoInterval(), iso.verifiesAccounts(), iso.reverses(),
                iso.operationsPerSecond(), iso.inquireAfter(), zoneMasterKey, iso.sessionRenewal()), Clock.system(BANK_ZONE));
    }

    /** An online bank over its HTTP API: the bank's SM2 key and its server's certificates, pinned. */
    private static HttpBankAdapter httpBank(String code, OneCardProperties.Http http, GatewayKeys gatewayKeys) {
        String prefix = "onecard.banks." + code + ".http.";
        if (http.baseUri() == null || http.appId() == null || http.bankPublicKey() == null || http.payerAccount() == null
                || http.pinnedCertificates().isEmpty()) {
            throw new IllegalArgumentException(prefix + "base-uri, app-id, bank-public-key, pinned-certificates and "
                    + "payer-account are required");
        }
        Sm2PublicKey bankKey;
        List<X509Certificate> pinned = new ArrayList<>();
        try {
            bankKey = Sm2PublicKey.fromPem(Files.readString(http.bankPublicKey(), StandardCharsets.US_ASCII));
            CertificateFactory certificates = CertificateFactory.getInstance("X.509");
            for (Path file : http.pinnedCertificates()) {
                try (InputStream in = Files.newInputStream(file)) {
                    for (Certificate certificate : certificates.generateCertificates(in)) {
                        pinned.add((X509Certificate) certificate);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("bank " + code + ": cannot read its key or certificates", e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(prefix + "pinned-certificates: not X.509 PEM certificates", e);
        }
        return new HttpBankAdapter(new HttpBankConfig(code, http.baseUri(), http.appId(), gatewayKeys.privateKey(), bankKey,
                pinned, http.payerAccount(), http.inFlightMax(), http.requestTimeout(), http.verifiesAccounts(),
                http.reverses(), http.operationsPerSecond(), http.inquireAfter()), Clock.system(BANK_ZONE));
    }

    private static Sm2PublicKey readPublicKey(String code, OneCardProperties.Bank bank) {
        if (bank.publicKey() == null) {
            throw new IllegalArgumentException("onecard.banks." + code + ".public-key: the bank's SM2 public key file is required");
        }
        try {
            return Sm2PublicKey.fromPem(Files.readString(bank.publicKey(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("bank " + code + ": cannot read its public key " + bank.publicKey(), e);
        }
    }

    private static FileTransportConfig transport(String code, OneCardProperties.Transport transport) {
        return switch (transport.kind()) {
            case "directory" -> {
                if (transport.directory() == null) {
                    throw new IllegalArgumentException("onecard.banks." + code + ".transport.directory is required");
                }
                yield new FileTransportConfig.LocalDirectory(transport.directory());
            }
            case "sftp" -> {
                if (transport.host() == null || transport.user() == null || transport.clientKey() == null
                        || transport.hostKey() == null) {
                    throw new IllegalArgumentException("onecard.banks." + code
                            + ".transport: host, user, client-key and host-key are required for sftp");
                }
                yield new FileTransportConfig.Sftp(transport.host(), transport.port(), transport.user(),
                        transport.clientKey(), transport.hostKey(), transport.remoteRoot(), transport.connectTimeout(),
                        transport.connectTimeout(), transport.operationTimeout());
            }
            default -> throw new IllegalArgumentException("onecard.banks." + code + ".transport.kind is sftp or directory");
        };
    }

    private static MasterKey masterKey(OneCardProperties properties) {
        Map<String, String> source = new HashMap<>(System.getenv());
        OneCardProperties.MasterKeySource configured = properties.masterKey();
        if (configured != null && configured.keystore() != null) {
            source.put(MasterKey.ENV_KEYSTORE, configured.keystore().toString());
            if (configured.keystorePasswordFile() != null) {
                source.put(MasterKey.ENV_KEYSTORE_PASSWORD_FILE, configured.keystorePasswordFile().toString());
            }
            if (configured.alias() != null) {
                source.put(MasterKey.ENV_KEY_ALIAS, configured.alias());
            }
        }
        return MasterKey.fromEnvironment(source);
    }
}
