package cn.onecard.simulators.httpbank;

import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's side of the profile written out plainly for tests, by default with the test-only
 * keys of {@code src/test/resources/httpbank}: signs each request with the gateway's key, trusts only
 * the bank's certificate, and checks each answer's signature under the bank's key.
 */
public final class SignedClient {

    public static final String APP_ID = "onecard-gateway";
    public static final Sm2PrivateKey TEST_GATEWAY_KEY = Sm2PrivateKey.fromPem(resource("test-only-gateway-sm2-private.pem"));
    public static final Sm2PrivateKey TEST_BANK_KEY = Sm2PrivateKey.fromPem(resource("test-only-bank-sm2-private.pem"));
    public static final Sm2PublicKey TEST_BANK_PUBLIC_KEY = Sm2PublicKey.fromPem(resource("test-only-bank-sm2-public.pem"));
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One answer: its status, body, and whether its signature verified under the bank's key for this request's nonce. */
    public record Reply(int status, JsonNode body, boolean signed, boolean verified) {
        public String code() {
            return body.path("code").asString();
        }
    }

    private final URI base;
    private final Sm2PublicKey bankKey;
    private final HttpClient http;
    private final Duration timeout;
    private final SecureRandom random = new SecureRandom();

    /** A client of the test bank, whose answers verify under the test-only bank key. */
    public SignedClient(URI base, X509Certificate pinned, Duration timeout) {
        this(base, pinned, TEST_BANK_PUBLIC_KEY, timeout);
    }

    public SignedClient(URI base, X509Certificate pinned, Sm2PublicKey bankKey, Duration timeout) {
        this.base = base;
        this.bankKey = bankKey;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().sslContext(trusting(pinned)).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout).build();
    }

    /** POSTs {@code json} to {@code path} under the base, signed with the gateway's test key. */
    public Reply post(String path, String json) throws IOException, InterruptedException {
        return post(path, json, TEST_GATEWAY_KEY, APP_ID, System.currentTimeMillis(), nonce());
    }

    public Reply post(String path, String json, Sm2PrivateKey signer, String appId, long timestampMillis, String nonce)
            throws IOException, InterruptedException {
        URI uri = URI.create(base + path);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String timestamp = Long.toString(timestampMillis);
        String signature = Base64.getEncoder().encodeToString(
                signer.sign(SignedApi.requestText(uri.getRawPath(), timestamp, nonce, body)));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .header(SignedApi.APP_ID, appId)
                .header(SignedApi.TIMESTAMP, timestamp)
                .header(SignedApi.NONCE, nonce)
                .header(SignedApi.SIGNATURE, signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return read(http.send(request, HttpResponse.BodyHandlers.ofByteArray()), nonce);
    }

    /** POSTs without any signature header. */
    public Reply postUnsigned(String path, String json) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        return read(http.send(request, HttpResponse.BodyHandlers.ofByteArray()), "");
    }

    private Reply read(HttpResponse<byte[]> response, String nonce) {
        Optional<String> signature = response.headers().firstValue(SignedApi.SIGNATURE);
        Optional<String> timestamp = response.headers().firstValue(SignedApi.TIMESTAMP);
        Optional<String> echoed = response.headers().firstValue(SignedApi.NONCE);
        boolean signed = signature.isPresent() && timestamp.isPresent() && echoed.isPresent();
        boolean verified = signed && echoed.get().equals(nonce) && bankKey.verify(
                SignedApi.answerText(response.statusCode(), timestamp.get(), nonce, response.body()),
                Base64.getDecoder().decode(signature.get()));
        return new Reply(response.statusCode(), JSON.readTree(response.body()), signed, verified);
    }

    public String nonce() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public void close() {
        http.close();
    }

    private static SSLContext trusting(X509Certificate pinned) {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("bank", pinned);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot trust the bank's certificate", e);
        }
    }

    /** A certificate from its PEM file, as world.json names it. */
    public static X509Certificate certificate(Path pemFile) throws IOException {
        try (InputStream in = Files.newInputStream(pemFile)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(pemFile + " is not a certificate", e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = SignedClient.class.getResourceAsStream("/httpbank/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource /httpbank/" + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
