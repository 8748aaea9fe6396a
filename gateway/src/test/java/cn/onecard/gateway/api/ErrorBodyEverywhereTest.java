package cn.onecard.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.gateway.testing.GatewayTestSupport;
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
                new Case("a chunked body cut short", "POST /api/v1/batches HTTP/1.1\nHost: x\nContent-Type: application/json\n"
                        + "{signed}\nTransfer-Encoding: chunked", "10\r\n{\"a\":", 400, "MALFORMED_REQUEST"));
    }

    private static String signedHeaders() {
        return "X-OneCard-Client: " + GatewayTestSupport.CLIENT_ID + "\nX-OneCard-Timestamp: " + System.currentTimeMillis()
                + "\nX-OneCard-Nonce: " + SignedClient.nonce() + "\nX-OneCard-Signature: AAAA";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyFailure_isAnsweredWithTheContractsErrorBody(Case failure) {
        RawHttp.Answer answer = RawHttp.exchange(port, RawHttp.request(failure.head().replace("{signed}", signedHeaders()),
                failure.body().getBytes(StandardCharsets.ISO_8859_1)));

        assertThat(answer.status()).as(answer.headers() + "\n" + answer.body()).isEqualTo(failure.status());
        assertThat(answer.header("Content-Type")).as(answer.body()).startsWith("application/json");
        JsonNode error = JSON.readTree(answer.body());
        assertThat(error.propertyNames()).containsExactlyInAnyOrder("code", "message", "details");
        assertThat(error.get("code").asString()).isEqualTo(failure.code());
        assertThat(answer.body()).doesNotContain("Exception").doesNotContain("Tomcat").doesNotContain("<html");
    }
}
