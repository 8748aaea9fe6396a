package cn.onecard.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.gateway.testing.GatewayTestSupport;
import cn.onecard.gateway.testing.LogLines;
import cn.onecard.gateway.testing.RawHttp;
import cn.onecard.gateway.testing.SignedClient;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Requests that fail below the API's own code (in Tomcat, in Spring's dispatch) still get the
 * contract's error body, with its code and the right status; never a container's or framework's page.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ErrorBodyEverywhereTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestSupport.register(registry);
    }

    @LocalServerPort
    int port;

    /** A request that fails below the API; {@code {signed}} stands for signature headers that pass until the body is read. */
    record Case(String name, String head, String body, int status, String code) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("TRACE", "TRACE /api/v1/batches HTTP/1.1\nHost: x", "", 405, "METHOD_NOT_ALLOWED"),
                new Case("an unknown method", "BREW /api/v1/batches HTTP/1.1\nHost: x", "", 405, "METHOD_NOT_ALLOWED"),
                new Case("the error page asked for directly", "GET /error HTTP/1.1\nHost: x", "", 404, "NOT_FOUND"),
                new Case("an unknown path outside the API", "GET /nothing-here HTTP/1.1\nHost: x", "", 404, "NOT_FOUND"),
                new Case("an encoded slash in the path", "GET /api/v1/batches/a%2Fb HTTP/1.1\nHost: x", "", 400,
                        "MALFORMED_REQUEST"),
                new Case("an encoded backslash in the path", "GET /api/v1/batches/a%5Cb HTTP/1.1\nHost: x", "", 400,
                        "MALFORMED_REQUEST"),
                new Case("a raw backslash in the path", "GET /api/v1/batches/a\\b HTTP/1.1\nHost: x", "", 400,
                        "MALFORMED_REQUEST"),
                new Case("a header line without a colon", "GET /api/v1/batches/x HTTP/1.1\nHost: x\nno colon here", "", 400,
                        "MALFORMED_REQUEST"),
                new Case("a broken chunked body", "POST /api/v1/batches HTTP/1.1\nHost: x\nContent-Type: application/json\n"
                        + "{signed}\nTransfer-Encoding: chunked", "zz\r\n{}\r\n0\r\n\r\n", 400, "MALFORMED_REQUEST"),
                new Case("a form PUT with a broken escape (the form filter would read it whole)",
                        "PUT /api/v1/batches HTTP/1.1\nHost: x\nContent-Type: application/x-www-form-urlencoded\n"
                                + "Content-Length: 5", "a=%zz", 405, "METHOD_NOT_ALLOWED"),
                new Case("a form DELETE whose escape holds a line break",
                        "DELETE /api/v1/batches/x HTTP/1.1\nHost: x\nContent-Type: application/x-www-form-urlencoded\n"
                                + "Content-Length: 5", "a=%\r\n", 405, "METHOD_NOT_ALLOWED"),
                new Case("a multipart POST, unsigned (never parsed before the signature)",
                        "POST /api/v1/batches HTTP/1.1\nHost: x\nContent-Type: multipart/form-data; boundary=b\n"
                                + "Content-Length: 5", "hello", 401, "SIGNATURE_MISSING"),
                new Case("a multipart POST with passing headers", "POST /api/v1/batches HTTP/1.1\nHost: x\n"
                        + "Content-Type: multipart/form-data; boundary=b\n{signed}\nContent-Length: 5", "hello", 401,
                        "SIGNATURE_INVALID"),
                new Case("an Accept the API has no answer in", "GET /api/v1/batches/x HTTP/1.1\nHost: x\nAccept: text/plain",
                        "", 401, "SIGNATURE_MISSING"),
                new Case("an Accept that does not parse", "GET /api/v1/batches/x HTTP/1.1\nHost: x\nAccept: ;;", "", 401,
                        "SIGNATURE_MISSING"),
                new Case("an unsigned request with a bad query parameter (authenticated first)",
                        "GET /api/v1/batches/x/items?page=abc HTTP/1.1\nHost: x", "", 401, "SIGNATURE_MISSING"),
                new Case("a body announced larger than the limit (refused before it is read)",
                        "POST /api/v1/batches HTTP/1.1\nHost: x\nContent-Type: application/json\n{signed}\n"
                                + "Content-Length: 999999999999", "", 413, "BODY_TOO_LARGE"),
                new Case("a chunked body cut short", "POST /api/v1/batches HTTP/1.1\nHost: x\nContent-Type: application/json\n"
                        + "{signed}\nTransfer-Encoding: chunked", "10\r\n{\"a\":", 400, "MALFORMED_REQUEST"));
    }

    private static String signedHeaders() {
        return "X-OneCard-Client: " + GatewayTestSupport.CLIENT_ID + "\nX-OneCard-Timestamp: " + System.currentTimeMillis()
                + "\nX-OneCard-Nonce: " + SignedClient.nonce() + "\nX-OneCard-Signature: AAAA";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyFailure_isAnsweredWithTheContractsErrorBody_andLeavesNoFaultInTheLog(Case failure) {
        RawHttp.Answer answer;
        try (LogLines log = LogLines.capture()) {
            answer = RawHttp.exchange(port, RawHttp.request(failure.head().replace("{signed}", signedHeaders()),
                    failure.body().getBytes(StandardCharsets.ISO_8859_1)));
            assertThat(log.webFaults()).as("no ERROR, no stack trace: the request was refused, nothing failed").isEmpty();
        }

        assertThat(answer.status()).as(answer.headers() + "\n" + answer.body()).isEqualTo(failure.status());
        assertThat(answer.header("Content-Type")).as(answer.body()).startsWith("application/json");
        JsonNode error = JSON.readTree(answer.body());
        assertThat(error.propertyNames()).containsExactlyInAnyOrder("code", "message", "details");
        assertThat(error.get("code").asString()).isEqualTo(failure.code());
        assertThat(answer.body()).doesNotContain("Exception").doesNotContain("Tomcat").doesNotContain("<html");
    }
}
