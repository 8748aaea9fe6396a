package cn.onecard.gateway.intake;

import cn.onecard.crypto.MalformedInputException;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.crypto.Sm2SignatureFormat;
import cn.onecard.crypto.Sm2StreamVerifier;
import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Checks the four signature headers of a treasury request (docs/api.md) before the body is read,
 * and returns a verifier that the body is streamed through. The signature is decided only once
 * the whole body has passed; the caller stores nothing it cannot roll back before then.
 */
public final class RequestAuthenticator {

    public static final String CLIENT_HEADER = "X-OneCard-Client";
    public static final String TIMESTAMP_HEADER = "X-OneCard-Timestamp";
    public static final String NONCE_HEADER = "X-OneCard-Nonce";
    public static final String SIGNATURE_HEADER = "X-OneCard-Signature";

    private static final Pattern NONCE = Pattern.compile("[0-9A-Za-z_-]{8,64}");
    /** Plain digits only (no sign, no spaces): epoch milliseconds, far from overflowing when compared. */
    private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{1,15}");
    private static final int SIGNATURE_BASE64_CHARS_MAX = 200;

    private final TreasuryClients clients;
    private final Clock clock;
    private final Duration timestampWindow;

    public RequestAuthenticator(TreasuryClients clients, Clock clock, Duration timestampWindow) {
        this.clients = clients;
        this.clock = clock;
        this.timestampWindow = timestampWindow;
    }

    /** A request whose headers passed; feed it the body, then {@link #verify()}. */
    public static final class SignedRequest implements AutoCloseable {
        private final String clientId;
        private final String nonce;
        private final Sm2StreamVerifier verifier;
        private final byte[] signature;

        SignedRequest(String clientId, String nonce, Sm2StreamVerifier verifier, byte[] signature) {
            this.clientId = clientId;
            this.nonce = nonce;
            this.verifier = verifier;
            this.signature = signature;
        }

        public String clientId() {
            return clientId;
        }

        public String nonce() {
            return nonce;
        }

        public void update(byte[] data, int offset, int length) {
            verifier.update(data, offset, length);
        }

        /** Throws {@code SIGNATURE_INVALID} unless the signature covers what was fed. */
        public void verify() {
            boolean valid;
            try {
                valid = verifier.verify(signature);
            } catch (MalformedInputException e) {
                valid = false;
            }
            if (!valid) {
                throw new ApiException(ApiCode.SIGNATURE_INVALID, "the request signature does not verify");
            }
        }

        @Override
        public void close() {
            verifier.close();
        }
    }

    public SignedRequest begin(String clientId, String timestamp, String nonce, String signatureBase64) {
        if (clientId == null || timestamp == null || nonce == null || signatureBase64 == null) {
            throw new ApiException(ApiCode.SIGNATURE_MISSING,
                    "the headers " + CLIENT_HEADER + ", " + TIMESTAMP_HEADER + ", " + NONCE_HEADER + " and "
                            + SIGNATURE_HEADER + " are required");
        }
        Sm2PublicKey key = clients.key(clientId)
                .orElseThrow(() -> new ApiException(ApiCode.CLIENT_UNKNOWN, "the client is not configured"));
        if (!TIMESTAMP.matcher(timestamp).matches()) {
            throw new ApiException(ApiCode.TIMESTAMP_OUT_OF_WINDOW, "the timestamp is not epoch milliseconds (digits only)");
        }
        // at most 15 digits and a clock of 13: the bounds below cannot overflow
        long millis = Long.parseLong(timestamp);
        long now = clock.millis();
        long window = timestampWindow.toMillis();
        if (millis < now - window || millis > now + window) {
            throw new ApiException(ApiCode.TIMESTAMP_OUT_OF_WINDOW,
                    "the timestamp is more than " + timestampWindow.toMinutes() + " minutes from the gateway's clock");
        }
        if (!NONCE.matcher(nonce).matches()) {
            throw new ApiException(ApiCode.NONCE_INVALID, "the nonce must be 8 to 64 of [0-9A-Za-z_-]");
        }
        byte[] signature;
        try {
            if (signatureBase64.length() > SIGNATURE_BASE64_CHARS_MAX) {
                throw new IllegalArgumentException("too long");
            }
            signature = Base64.getDecoder().decode(signatureBase64);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiCode.SIGNATURE_INVALID, "the signature is not base64 of a DER SM2 signature");
        }
        Sm2StreamVerifier verifier = key.newVerifier(Sm2SignatureFormat.DEFAULT);
        byte[] prefix = (timestamp + "\n" + nonce + "\n").getBytes(StandardCharsets.UTF_8);
        verifier.update(prefix, 0, prefix.length);
        return new SignedRequest(clientId, nonce, verifier, signature);
    }
}
