package cn.onecard.simulators.treasury;

import cn.onecard.crypto.Sm2PrivateKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** Posts batches to the gateway's {@code /api/v1/batches}, signed as docs/api.md says. */
public final class BatchSubmitter {

    public static final String BATCHES_PATH = "/api/v1/batches";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** The gateway's answer: HTTP status and body (the batch's state, or an error body). */
    public record Answer(int status, String body) {
        public boolean accepted() {
            return status == 202;
        }
    }

    private final HttpClient client;
    private final URI batchesUri;
    private final String clientId;
    private final Sm2PrivateKey key;
    private final Clock clock;
    private final Duration requestTimeout;

    /** @param apiUrl the gateway's base URL, or the full {@code .../api/v1/batches} URL */
    public BatchSubmitter(String apiUrl, String clientId, Sm2PrivateKey key, Clock clock, Duration requestTimeout) {
        this.batchesUri = batchesUri(apiUrl);
        this.clientId = clientId;
        this.key = key;
        this.clock = clock;
        this.requestTimeout = requestTimeout;
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    static URI batchesUri(String apiUrl) {
        String trimmed = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
        URI uri = URI.create(trimmed.endsWith(BATCHES_PATH) ? trimmed : trimmed + BATCHES_PATH);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("the API URL must be http or https");
        }
        return uri;
    }

    public Answer submit(Path body) throws IOException, InterruptedException {
        RequestSigning.Headers headers = RequestSigning.sign(clientId, key, clock.millis(), RequestSigning.newNonce(), body);
        return send(HttpRequest.BodyPublishers.ofFile(body), headers);
    }

    public Answer submit(byte[] body) throws IOException, InterruptedException {
        RequestSigning.Headers headers = RequestSigning.sign(clientId, key, clock.millis(), RequestSigning.newNonce(), body);
        return send(HttpRequest.BodyPublishers.ofByteArray(body), headers);
    }

    private Answer send(HttpRequest.BodyPublisher publisher, RequestSigning.Headers headers) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(batchesUri)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header(RequestSigning.CLIENT, headers.client())
                .header(RequestSigning.TIMESTAMP, headers.timestamp())
                .header(RequestSigning.NONCE, headers.nonce())
                .header(RequestSigning.SIGNATURE, headers.signature())
                .POST(publisher)
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }
}
