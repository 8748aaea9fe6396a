package cn.onecard.simulators.treasury;

import cn.onecard.crypto.MalformedInputException;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.Sm2SignatureFormat;
import cn.onecard.crypto.Sm2StreamSigner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The signature of docs/api.md on both walls: base64 of the DER SM2 signature (SM3, default ID)
 * over the UTF-8 bytes of {@code timestamp + "\n" + nonce + "\n" + body}.
 */
public final class RequestSigning {

    public static final String CLIENT = "X-OneCard-Client";
    public static final String TIMESTAMP = "X-OneCard-Timestamp";
    public static final String NONCE = "X-OneCard-Nonce";
    public static final String SIGNATURE = "X-OneCard-Signature";
    static final Pattern NONCE_FORMAT = Pattern.compile("[0-9A-Za-z_-]{8,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The four header values of one signed request. */
    public record Headers(String client, String timestamp, String nonce, String signature) {
    }

    private RequestSigning() {
    }

    /** 24 characters of URL-safe base64 from 18 random bytes. */
    public static String newNonce() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static Headers sign(String client, Sm2PrivateKey key, long timestampMillis, String nonce, byte[] body) {
        try (Sm2StreamSigner signer = key.newSigner(Sm2SignatureFormat.DEFAULT)) {
            signer.update(prefix(timestampMillis, nonce));
            signer.update(body);
            return new Headers(client, Long.toString(timestampMillis), nonce, Base64.getEncoder().encodeToString(signer.sign()));
        }
    }

    /** Signs a body held in a file, streaming it. */
    public static Headers sign(String client, Sm2PrivateKey key, long timestampMillis, String nonce, Path body) throws IOException {
        try (Sm2StreamSigner signer = key.newSigner(Sm2SignatureFormat.DEFAULT); InputStream in = Files.newInputStream(body)) {
            signer.update(prefix(timestampMillis, nonce));
            byte[] buffer = new byte[1 << 16];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                signer.update(buffer, 0, read);
            }
            return new Headers(client, Long.toString(timestampMillis), nonce, Base64.getEncoder().encodeToString(signer.sign()));
        }
    }

    /** Whether the signature verifies; a header that is not base64 or not a DER signature does not. */
    public static boolean verify(Sm2PublicKey key, String timestamp, String nonce, byte[] body, String signatureBase64) {
        if (timestamp == null || nonce == null || signatureBase64 == null) {
            return false;
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(signatureBase64.strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] prefix = (timestamp + "\n" + nonce + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] message = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, message, 0, prefix.length);
        System.arraycopy(body, 0, message, prefix.length, body.length);
        try {
            return key.verify(message, signature);
        } catch (MalformedInputException e) {
            return false;
        }
    }

    private static byte[] prefix(long timestampMillis, String nonce) {
        if (!NONCE_FORMAT.matcher(nonce).matches()) {
            throw new IllegalArgumentException("a nonce is 8 to 64 of [0-9A-Za-z_-]");
        }
        return (timestampMillis + "\n" + nonce + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
