package cn.onecard.adapters.file;

import cn.onecard.adapters.BankCapabilities;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.SymmetricKey;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a batch-file bank's adapter needs; a new bank is a new one of these (and, when its
 * files differ from every known layout, a new layout descriptor).
 *
 * @param bankCode        the bank's code in the gateway's routing table, e.g. {@code LYB}
 * @param layoutName      the layout's name, e.g. {@code lyb}
 * @param layoutDirectory a directory of operator layouts searched besides the built-in ones; null
 *                        for built-in layouts only
 * @param unitNumber      the gateway's payer unit number at the bank; null when the layout binds none
 * @param capabilities    items per file, cut-offs, result deadline; mode {@code BATCH_FILE}
 * @param transport       where the bank's folders are
 * @param keys            the keys the layout's protection needs
 */
public record FileBankConfig(
        String bankCode,
        String layoutName,
        Path layoutDirectory,
        String unitNumber,
        BankCapabilities capabilities,
        FileTransportConfig transport,
        Keys keys) {

    public FileBankConfig {
        Objects.requireNonNull(bankCode, "bankCode");
        Objects.requireNonNull(layoutName, "layoutName");
        Objects.requireNonNull(capabilities, "capabilities");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(keys, "keys");
        if (bankCode.isBlank()) {
            throw new IllegalArgumentException("bankCode is required");
        }
        if (capabilities.mode() != BankCapabilities.Mode.BATCH_FILE) {
            throw new IllegalArgumentException("a file bank's capabilities have mode BATCH_FILE");
        }
    }

    /**
     * @param gatewayKey the gateway's SM2 key: signs payment files, opens result envelopes
     * @param bankKey    the bank's SM2 public key: payment envelopes are sealed to it, result files
     *                   must verify under it
     * @param dataKey    the SM4 data key agreed with the bank ({@code sm4cbc-sm2sig}), unwrapped from
     *                   the master key by the gateway; null for layouts that need none
     */
    public record Keys(Sm2PrivateKey gatewayKey, Sm2PublicKey bankKey, SymmetricKey dataKey) {
        public Keys {
            Objects.requireNonNull(gatewayKey, "gatewayKey");
            Objects.requireNonNull(bankKey, "bankKey");
        }
    }
}
