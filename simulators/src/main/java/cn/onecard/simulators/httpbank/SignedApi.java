package cn.onecard.simulators.httpbank;

import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import cn.onecard.simulators.httpbank.HttpBankOperations.Answer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bank's side of the profile's signatures, as the WireMock extension every stub names: checks each
 * request (app id, timestamp, nonce, SM2 signature over {@code POST \n path \n timestamp \n nonce \n body}),
 * draws its faults, hands it to the bank's operations and signs the answer with the bank's key over
 * {@code status \n timestamp \n nonce \n body}, echoing the request's nonce. A request that fails a
 * check is answered HTTP 401, signed, and never reaches the books.
 */
final class SignedApi implements ResponseDefinitionTransformerV2 {

    static final String NAME = "onecard-http-bank";
    /** The stub parameter naming the operation a stub serves; a stub without it serves unknown paths. */
    static final String OPERATION = "operation";
    static final String APP_ID = "X-App-Id";
    static final String TIMESTAMP = "X-Timestamp";
    static final String NONCE = "X-Nonce";
    static final String SIGNATURE = "X-Signature";
    /** A request's timestamp this far from the bank's clock is refused, as the gateway's own API does. */
    static final Duration TIMESTAMP_SKEW_MAX = Duration.ofMinutes(5);
    /** Nonces remembered at once; past it the bank answers BUSY rather than forget one still in its window. */
    static final int NONCES_MAX = 500_000;
    static final int BODY_BYTES_MAX = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(SignedApi.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern NONCE_TEXT = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern MILLIS_TEXT = Pattern.compile("\\d{1,15}");

    /** Who may call and which keys sign. */
    record Keys(String appId, Sm2PublicKey gatewayKey, Sm2PrivateKey bankKey, Sm2PrivateKey strangerKey) {
    }

    private final Keys keys;
    private final String pathPrefix;
    private final HttpBankOperations operations;
    private final Supplier<HttpBankFaults> faults;
    private final Random random;
    private final Clock clock;
    /** Nonce -> when it may be forgotten (arrival plus twice the skew), in arrival order; guarded by itself. */
    private final LinkedHashMap<String, Long> nonces = new LinkedHashMap<>();

    SignedApi(Keys keys, String pathPrefix, HttpBankOperations operations, Supplier<HttpBankFaults> faults, Random random,
              Clock clock) {
        this.keys = keys;
        this.pathPrefix = pathPrefix;
        this.operations = operations;
        this.faults = faults;
        this.random = random;
        this.clock = clock;
    }

    @Override
    public String getName() {
        return NAME;
    }

    /** Only the bank's own stubs name it. */
    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        Request request = serveEvent.getRequest();
        HttpBankFaults.Draw draw;
        synchronized (random) {
            draw = faults.get().draw(random);
        }
        Optional<Operation> operation = operation(serveEvent.getTransformerParameters());
        String label = operation.map(Enum::name).orElse("unknown path");
        Answer answer;
        try {
            answer = answer(request, operation, draw);
        } catch (IOException | RuntimeException e) {
            log.error("http bank: {} failed; answered SYSTEM_ERROR: {}", label, e.toString());
            answer = HttpBankOperations.coded(500, "", "SYSTEM_ERROR", "the bank failed; the outcome is unknown");
        }
        log.debug("http bank: {} {} answered {} {}", label, answer.body().path("reference").asString(""), answer.status(),
                answer.code());
        return render(answer, header(request, NONCE).orElse(""), draw, label);
    }

    private static Optional<Operation> operation(Parameters parameters) {
        Object name = parameters == null ? null : parameters.get(OPERATION);
        return name == null ? Optional.empty() : Optional.of(Operation.valueOf(name.toString()));
    }

    private Answer answer(Request request, Optional<Operation> operation, HttpBankFaults.Draw draw) throws IOException {
        if (operation.isEmpty()) {
            return HttpBankOperations.coded(404, "", "UNKNOWN_OPERATION", "POST " + pathPrefix + "/v1/... only");
        }
        byte[] body = request.getBody() == null ? new byte[0] : request.getBody();
        if (body.length > BODY_BYTES_MAX) {
            return HttpBankOperations.coded(413, "", "BODY_TOO_LARGE", "over " + BODY_BYTES_MAX + " bytes");
        }
        Optional<String> refusal = refusal(request, body);
        if (refusal.isPresent()) {
            log.info("http bank: {} refused before the books: {}", operation.get(), refusal.get());
            return HttpBankOperations.coded(401, "", refusal.get(), "the request is not the gateway's, or not fresh");
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JacksonException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            return HttpBankOperations.malformed(null, "the body is not a JSON object");
        }
        if (draw.busy()) {
            log.info("http bank fault: {} answered BUSY, not acted on", operation.get());
            return HttpBankOperations.busy(json);
        }
        return operations.apply(operation.get(), json);
    }

    /** Why the request is not taken as the gateway's own, fresh and unreplayed; empty when it is. */
    private Optional<String> refusal(Request request, byte[] body) {
        Optional<String> appId = header(request, APP_ID);
        Optional<String> timestamp = header(request, TIMESTAMP);
        Optional<String> nonce = header(request, NONCE);
        Optional<String> signature = header(request, SIGNATURE);
        if (appId.isEmpty() || timestamp.isEmpty() || nonce.isEmpty() || signature.isEmpty()) {
            return Optional.of("SIGNATURE_MISSING");
        }
        if (!appId.get().equals(keys.appId())) {
            return Optional.of("APP_UNKNOWN");
        }
        long now = clock.millis();
        if (!MILLIS_TEXT.matcher(timestamp.get()).matches()
                || Math.abs(Long.parseLong(timestamp.get()) - now) > TIMESTAMP_SKEW_MAX.toMillis()) {
            return Optional.of("TIMESTAMP_OUT_OF_RANGE");
        }
        if (!NONCE_TEXT.matcher(nonce.get()).matches()) {
            return Optional.of("NONCE_INVALID");
        }
        boolean verified;
        try {
            verified = keys.gatewayKey().verify(requestText(rawPath(request), timestamp.get(), nonce.get(), body),
                    Base64.getDecoder().decode(signature.get()));
        } catch (RuntimeException malformed) {
            verified = false;
        }
        if (!verified) {
            return Optional.of("SIGNATURE_INVALID");
        }
        // spent only once the signature verified, so a stranger cannot spend the gateway's nonces
        return spend(nonce.get(), now);
    }

    private Optional<String> spend(String nonce, long now) {
        synchronized (nonces) {
            for (Iterator<Long> forgetAt = nonces.values().iterator(); forgetAt.hasNext(); ) {
                if (forgetAt.next() >= now) {
                    break;
                }
                forgetAt.remove();
            }
            if (nonces.containsKey(nonce)) {
                return Optional.of("NONCE_REUSED");
            }
            if (nonces.size() >= NONCES_MAX) {
                return Optional.of("BUSY");
            }
            nonces.put(nonce, now + 2 * TIMESTAMP_SKEW_MAX.toMillis());
            return Optional.empty();
        }
    }

    private ResponseDefinition render(Answer answer, String nonce, HttpBankFaults.Draw draw, String label) {
        byte[] body = JSON.writeValueAsBytes(answer.body());
        ResponseDefinitionBuilder response = ResponseDefinitionBuilder.responseDefinition()
                .withStatus(answer.status())
                .withHeader("Content-Type", "application/json; charset=utf-8")
                .withBody(body);
        if (draw.damage() != HttpBankFaults.Damage.UNSIGNED) {
            String timestamp = Long.toString(clock.millis());
            Sm2PrivateKey signer = draw.damage() == HttpBankFaults.Damage.BADLY_SIGNED ? keys.strangerKey() : keys.bankKey();
            response.withHeader(TIMESTAMP, timestamp)
                    .withHeader(NONCE, nonce)
                    .withHeader(SIGNATURE, Base64.getEncoder().encodeToString(
                            signer.sign(answerText(answer.status(), timestamp, nonce, body))));
        }
        if (!draw.hold().isZero()) {
            response.withFixedDelay(Math.toIntExact(draw.hold().toMillis()));
        }
        Fault fault = switch (draw.damage()) {
            case DROP -> Fault.EMPTY_RESPONSE;
            case RESET -> Fault.CONNECTION_RESET_BY_PEER;
            case MALFORMED_CHUNK -> Fault.MALFORMED_RESPONSE_CHUNK;
            case RANDOM_DATA -> Fault.RANDOM_DATA_THEN_CLOSE;
            case NONE, UNSIGNED, BADLY_SIGNED -> null;
        };
        if (fault != null) {
            response.withFault(fault);
        }
        if (draw.damage() != HttpBankFaults.Damage.NONE) {
            log.info("http bank fault: answer to {} {} after acting", label, draw.damage());
        }
        if (draw.hold().compareTo(faults.get().delay()) > 0) {
            log.info("http bank fault: answer to {} held back {} after acting", label, draw.hold());
        }
        return response.build();
    }

    /** The request URI's raw path, query left out, as the gateway signed it. */
    private static String rawPath(Request request) {
        String url = request.getUrl();
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    private static Optional<String> header(Request request, String name) {
        return request.containsHeader(name) ? Optional.ofNullable(request.getHeader(name)) : Optional.empty();
    }

    /**
     * {@code POST \n path \n timestamp \n nonce \n} then the body: what the gateway signs (http-bank.md).
     * Written again rather than taken from the adapters' {@code ApiSignatures}: the bank is the other
     * party and must be able to disagree with the gateway's reading of the profile.
     */
    static byte[] requestText(String path, String timestamp, String nonce, byte[] body) {
        return join("POST\n" + path + "\n" + timestamp + "\n" + nonce + "\n", body);
    }

    /** {@code status \n timestamp \n nonce \n} then the body: what the bank signs, the request's nonce echoed. */
    static byte[] answerText(int status, String timestamp, String nonce, byte[] body) {
        return join(status + "\n" + timestamp + "\n" + nonce + "\n", body);
    }

    private static byte[] join(String head, byte[] body) {
        ByteArrayOutputStream text = new ByteArrayOutputStream(head.length() + body.length);
        text.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        text.writeBytes(body);
        return text.toByteArray();
    }

    /** For tests and the host's start line: the stub parameters of an operation's stub. */
    static Map<String, Object> parametersOf(Operation operation) {
        return Map.of(OPERATION, operation.name());
    }
}
