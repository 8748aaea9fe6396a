package cn.onecard.adapters.file;

import cn.onecard.adapters.file.LayoutSpec.Protection;
import cn.onecard.crypto.CryptoException;
import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.crypto.EnvelopeSealer;
import cn.onecard.crypto.OpenedEnvelope;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.Sm4;
import cn.onecard.crypto.Sm4Mode;
import cn.onecard.crypto.Sm4Padding;
import cn.onecard.crypto.SymmetricKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A bank's file protection, both ways: payment files sealed for the bank and signed by the gateway,
 * result files opened with the gateway's key and verified against the bank's.
 *
 * <ul>
 *   <li>{@code envelope}: {@code NAME.ocev}, the OneCard envelope (docs/crypto.md), label {@code NAME}.</li>
 *   <li>{@code sm4cbc-sm2sig}: {@code NAME.enc} = 16-byte random IV || SM4-CBC with PKCS#7 under the
 *       bank's data key; {@code NAME.sig} = base64 of the DER SM2 signature over the {@code .enc}
 *       bytes, written without a line ending and read with or without one.</li>
 * </ul>
 * Thread-safe.
 */
final class FileProtector {

    /** A signature file holds one base64 line of a DER signature: a few hundred bytes at most. */
    static final int SIGNATURE_FILE_BYTES_MAX = 512;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Protection protection;
    private final Sm2PrivateKey gatewayKey;
    private final Sm2PublicKey bankKey;
    private final SymmetricKey dataKey;
    private final EnvelopeSealer sealer = new EnvelopeSealer();
    private final EnvelopeOpener opener = new EnvelopeOpener();

    /** @param dataKey the bank's SM4 data key; needed by {@code sm4cbc-sm2sig} only */
    FileProtector(Protection protection, Sm2PrivateKey gatewayKey, Sm2PublicKey bankKey, SymmetricKey dataKey) {
        this.protection = Objects.requireNonNull(protection, "protection");
        this.gatewayKey = Objects.requireNonNull(gatewayKey, "gatewayKey");
        this.bankKey = Objects.requireNonNull(bankKey, "bankKey");
        if (protection == Protection.SM4CBC_SM2SIG && dataKey == null) {
            throw new IllegalArgumentException("sm4cbc-sm2sig needs the bank's SM4 data key");
        }
        this.dataKey = dataKey;
    }

    /**
     * The names a file travels under, in the order they are published; the last one's appearance
     * makes the set complete. The first holds the protected content.
     */
    List<String> transportNames(String name) {
        return switch (protection) {
            case ENVELOPE -> List.of(name + ".ocev");
            case SM4CBC_SM2SIG -> List.of(name + ".enc", name + ".sig");
        };
    }

    /** The suffix of the file whose presence completes a set ({@code .ocev}, {@code .sig}). */
    String completionSuffix() {
        return switch (protection) {
            case ENVELOPE -> ".ocev";
            case SM4CBC_SM2SIG -> ".sig";
        };
    }

    /** The files of {@link #transportNames}, in the same order. */
    List<byte[]> seal(byte[] plain, String name) {
        return switch (protection) {
            case ENVELOPE -> List.of(sealer.seal(plain, bankKey, gatewayKey, name));
            case SM4CBC_SM2SIG -> {
                byte[] iv = new byte[Sm4.BLOCK_BYTES];
                RANDOM.nextBytes(iv);
                byte[] ciphertext = Sm4.encrypt(Sm4Mode.CBC, Sm4Padding.PKCS7, dataKey, iv, plain);
                byte[] enc = new byte[iv.length + ciphertext.length];
                System.arraycopy(iv, 0, enc, 0, iv.length);
                System.arraycopy(ciphertext, 0, enc, iv.length, ciphertext.length);
                byte[] signature = gatewayKey.sign(enc);
                yield List.of(enc, Base64.getEncoder().encode(signature));
            }
        };
    }

    /**
     * The plain content of a received set, whose files are given in {@link #transportNames} order.
     * Nothing is returned unless the sender's signature verifies.
     */
    byte[] open(String name, List<byte[]> files) throws UnverifiedFileException {
        try {
            return switch (protection) {
                case ENVELOPE -> openEnvelope(name, files.getFirst());
                case SM4CBC_SM2SIG -> openSigned(files.get(0), files.size() > 1 ? files.get(1) : null);
            };
        } catch (CryptoException e) {
            throw new UnverifiedFileException(e.getMessage());
        }
    }

    private byte[] openEnvelope(String name, byte[] sealed) throws UnverifiedFileException {
        OpenedEnvelope opened = opener.open(sealed, gatewayKey, bankKey);
        if (!opened.info().label().equals(name)) {
            Arrays.fill(opened.content(), (byte) 0);
            throw new UnverifiedFileException("the envelope is labelled for another file name");
        }
        return opened.content();
    }

    private byte[] openSigned(byte[] enc, byte[] sigFile) throws UnverifiedFileException {
        if (sigFile == null) {
            throw new UnverifiedFileException("the .sig file is missing");
        }
        if (sigFile.length > SIGNATURE_FILE_BYTES_MAX) {
            throw new UnverifiedFileException("the .sig file is longer than a signature");
        }
        String text = new String(sigFile, StandardCharsets.US_ASCII);
        if (text.endsWith("\r\n")) {
            text = text.substring(0, text.length() - 2);
        } else if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new UnverifiedFileException("the .sig file is not one line of base64");
        }
        if (!bankKey.verify(enc, signature)) {
            throw new UnverifiedFileException("the .sig does not verify under the bank's key");
        }
        if (enc.length < 2 * Sm4.BLOCK_BYTES || enc.length % Sm4.BLOCK_BYTES != 0) {
            throw new UnverifiedFileException("the .enc file is not an IV and whole SM4 blocks");
        }
        byte[] iv = Arrays.copyOf(enc, Sm4.BLOCK_BYTES);
        try {
            return Sm4.decrypt(Sm4Mode.CBC, Sm4Padding.PKCS7, dataKey, iv, Arrays.copyOfRange(enc, Sm4.BLOCK_BYTES, enc.length));
        } catch (CryptoException e) {
            throw new UnverifiedFileException("the .enc does not decrypt under the bank's data key");
        }
    }
}
