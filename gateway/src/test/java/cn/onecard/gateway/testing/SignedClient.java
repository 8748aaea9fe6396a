package cn.onecard.gateway.testing;

import cn.onecard.crypto.Sm2PrivateKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/** A treasury client for tests: signs requests as docs/api.md says, or spoils them on purpose. */
public final class SignedClient {

    private final HttpClient http = HttpClient.newHttpClient();
    private final String baseUrl;
    private final String clientId;
    private final Sm2PrivateKey key;

    public SignedClient(String baseUrl, String clientId, Sm2PrivateKey key) {
        this.baseUrl = baseUrl;
        this.clientId = clientId;
        this.key = key;
    }

    public HttpResponse<String> post(String path, String body) {
        return send("POST", path, body, System.currentTimeMillis(), nonce(), key);
    }

    public HttpResponse<String> get(String path) {
        return send("GET", path, "", System.currentTimeMillis(), nonce(), key);
    }

    /** A signed GET whose answer is binary (a result file). */
    public HttpResponse<byte[]> getBytes(String path) {
        long timestamp = System.currentTimeMillis();
        String nonce = nonce();
        byte[] signed = (timestamp + "\n" + nonce + "\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("X-OneCard-Client", clientId)
                .header("X-OneCard-Timestamp", Long.toString(timestamp))
                .header("X-OneCard-Nonce", nonce)
                .header("X-OneCard-Signature", Base64.getEncoder().encodeToString(key.sign(signed)))
                .GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String nonce() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    public HttpResponse<String> send(String method, String path, String body, long timestamp, String nonce,
            Sm2PrivateKey signer) {
        byte[] signed = (timestamp + "\n" + nonce + "\n" + body).getBytes(StandardCharsets.UTF_8);
        String signature = Base64.getEncoder().encodeToString(signer.sign(signed));
        return raw(method, path, body, clientId, Long.toString(timestamp), nonce, signature, "application/json");
    }

    /** The signature header's value: this client's key over timestamp, nonce and the body's bytes. */
    public String sign(long timestamp, String nonce, byte[] body) {
        byte[] prefix = (timestamp + "\n" + nonce + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] signed = java.util.Arrays.copyOf(prefix, prefix.length + body.length);
        System.arraycopy(body, 0, signed, prefix.length, body.length);
        return Base64.getEncoder().encodeToString(key.sign(signed));
    }

    /** A request signed by this client over any body bytes (not UTF-8, say), with any content type. */
    public HttpResponse<String> sendBytes(String method, String path, byte[] body, String contentType) {
        long timestamp = System.currentTimeMillis();
        String nonce = nonce();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("X-OneCard-Client", clientId)
                .header("X-OneCard-Timestamp", Long.toString(timestamp))
                .header("X-OneCard-Nonce", nonce)
                .header("X-OneCard-Signature", sign(timestamp, nonce, body))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return exchange(request);
    }

    public HttpResponse<String> raw(String method, String path, String body, String client, String timestamp,
            String nonce, String signature, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path));
        if (client != null) {
            request.header("X-OneCard-Client", client);
        }
        if (timestamp != null) {
            request.header("X-OneCard-Timestamp", timestamp);
        }
        if (nonce != null) {
            request.header("X-OneCard-Nonce", nonce);
        }
        if (signature != null) {
            request.header("X-OneCard-Signature", signature);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return exchange(request);
    }

    private HttpResponse<String> exchange(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
