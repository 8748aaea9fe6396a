package cn.onecard.adapters.http;

import cn.onecard.crypto.Sm2PrivateKey;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.Base64;

/**
 * The test bank's side of the profile's answer signature, on every WireMock answer: the bank's key
 * signs status, timestamp, the request's nonce and the body. A stub may ask otherwise through its
 * transformer parameter {@code signer}: {@code none} (unsigned), {@code other} (another key signs),
 * {@code replay} (signed, but echoing another request's nonce).
 */
final class BankSignature implements ResponseTransformerV2 {

    private final Sm2PrivateKey bankKey;
    private final Sm2PrivateKey otherKey;

    BankSignature(Sm2PrivateKey bankKey, Sm2PrivateKey otherKey) {
        this.bankKey = bankKey;
        this.otherKey = otherKey;
    }

    @Override
    public String getName() {
        return "bank-signature";
    }

    @Override
    public Response transform(Response response, ServeEvent serveEvent) {
        Parameters parameters = serveEvent.getTransformerParameters();
        Object signer = parameters == null ? null : parameters.get("signer");
        if ("none".equals(signer)) {
            return response;
        }
        String timestamp = Long.toString(System.currentTimeMillis());
        String nonce = "replay".equals(signer) ? "0".repeat(32) : serveEvent.getRequest().getHeader(ApiSignatures.NONCE);
        byte[] body = response.getBody() == null ? new byte[0] : response.getBody();
        Sm2PrivateKey key = "other".equals(signer) ? otherKey : bankKey;
        String signature = Base64.getEncoder().encodeToString(
                key.sign(ApiSignatures.answerText(response.getStatus(), timestamp, nonce, body)));
        return Response.Builder.like(response).but()
                .headers(response.getHeaders().plus(
                        new HttpHeader(ApiSignatures.TIMESTAMP, timestamp),
                        new HttpHeader(ApiSignatures.NONCE, nonce),
                        new HttpHeader(ApiSignatures.SIGNATURE, signature)))
                .build();
    }
}
