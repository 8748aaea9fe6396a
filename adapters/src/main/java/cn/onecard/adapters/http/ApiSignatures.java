package cn.onecard.adapters.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The texts that the HTTP bank profile signs (docs/http-bank.md, "Signatures"), shared by the
 * adapter and by any bank or simulator that implements the profile. Signatures are SM3withSM2 with
 * the default distinguishing id, DER encoded, base64 in the {@code X-Signature} header.
 */
public final class ApiSignatures {

    public static final String APP_ID = "X-App-Id";
    public static final String TIMESTAMP = "X-Timestamp";
    public static final String NONCE = "X-Nonce";
    public static final String SIGNATURE = "X-Signature";

    private ApiSignatures() {
    }

    /** What the gateway signs: {@code METHOD \n path \n timestamp \n nonce \n} then the body's bytes. */
    public static byte[] requestText(String method, String path, String timestamp, String nonce, byte[] body) {
        return join(method + "\n" + path + "\n" + timestamp + "\n" + nonce + "\n", body);
    }

    /**
     * What the bank signs: {@code status \n timestamp \n nonce \n} then the body's bytes; the nonce is
     * the request's, echoed, so that an answer cannot be replayed to another request.
     */
    public static byte[] answerText(int status, String timestamp, String nonce, byte[] body) {
        return join(status + "\n" + timestamp + "\n" + nonce + "\n", body);
    }

    private static byte[] join(String head, byte[] body) {
        ByteArrayOutputStream text = new ByteArrayOutputStream(head.length() + body.length);
        text.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        text.writeBytes(body);
        return text.toByteArray();
    }
}
