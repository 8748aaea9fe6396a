package cn.onecard.gateway.config;

import cn.onecard.adapters.BankAdapter;
import cn.onecard.adapters.BankCapabilities;
import cn.onecard.adapters.file.FileBankAdapter;
import cn.onecard.adapters.file.FileBankConfig;
import cn.onecard.adapters.file.FileTransportConfig;
import cn.onecard.crypto.KeyUsage;
import cn.onecard.crypto.MasterKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.crypto.WrappedKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds each configured bank's adapter. Adding a file bank is configuration: its BINs, layout,
 * transport and keys under {@code onecard.banks.CODE}. A bank's data key is unwrapped from the
 * master key here, once, and the master key is not kept.
 */
public final class BankAdapters {

    private BankAdapters() {
    }

    public static List<BankAdapter> build(OneCardProperties properties, GatewayKeys gatewayKeys) {
        List<BankAdapter> adapters = new ArrayList<>();
        MasterKey masterKey = null;
        try {
            for (Map.Entry<String, OneCardProperties.Bank> entry : properties.banks().entrySet()) {
                String code = entry.getKey();
                OneCardProperties.Bank bank = entry.getValue();
                if (bank.layout() == null) {
                    continue; // a bank with BINs only: routed, but not dispatched from this node
                }
                if (!bank.kind().equals("file")) {
                    throw new IllegalArgumentException("onecard.banks." + code + ".kind: only 'file' banks exist so far");
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
