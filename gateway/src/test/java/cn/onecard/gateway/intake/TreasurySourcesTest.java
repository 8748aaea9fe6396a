package cn.onecard.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import cn.onecard.gateway.net.AddressRange;
import cn.onecard.gateway.testing.GatewayTestSupport;
import cn.onecard.gateway.testing.RawHttp;
import cn.onecard.gateway.testing.SignedClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A client that lists the addresses it sends from is refused from any other, with the headers,
 * before its body is read: a forger elsewhere takes no place among the bodies being read.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TreasurySourcesTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestSupport.register(registry);
        // the treasury's line, not this machine's loopback, where the test's requests come from
        registry.add("onecard.treasury.clients[0].source-addresses", () -> "10.9.0.0/16,2001:db8:9::/48");
    }

    @LocalServerPort
    int port;

    @Autowired
    BodyGate bodyGate;

    @Test
    void aSignedRequestFromAnUnlistedAddress_isRefused() {
        SignedClient client = new SignedClient("http://127.0.0.1:" + port, GatewayTestSupport.CLIENT_ID,
                GatewayTestSupport.TREASURY_KEYS.privateKey());
        HttpResponse<String> read = client.get("/api/v1/batches/anything");
        assertThat(read.statusCode()).as(read.body()).isEqualTo(403);
        assertThat(read.body()).contains("\"code\":\"SOURCE_NOT_ALLOWED\"");
    }

    @Test
    void aBodyFromAnUnlistedAddress_isRefusedBeforeItIsRead_andTakesNoPlace() {
        // announces a large body and sends none of it: the answer comes from the headers alone
        RawHttp.Answer answer = RawHttp.exchange(port, RawHttp.request("POST /api/v1/batches HTTP/1.1\nHost: x\n"
                + "Content-Type: application/json\nContent-Length: 100000\nX-OneCard-Client: " + GatewayTestSupport.CLIENT_ID
                + "\nX-OneCard-Timestamp: " + System.currentTimeMillis() + "\nX-OneCard-Nonce: " + SignedClient.nonce()
                + "\nX-OneCard-Signature: AAAA", "{".getBytes(StandardCharsets.US_ASCII)));
        assertThat(answer.status()).as(answer.body()).isEqualTo(403);
        assertThat(answer.body()).contains("SOURCE_NOT_ALLOWED");
        assertThat(bodyGate.reading()).isZero();
    }

    @Test
    void listedAddressesAndRanges_areLetThrough_othersRefused_andNoListMeansAnywhere() {
        TreasurySources sources = new TreasurySources(Map.of("treasury", List.of(AddressRange.parse("10.9.0.0/16"),
                AddressRange.parse("2001:db8:9::/48"), AddressRange.parse("203.0.113.7")), "open", List.of()));
        for (String allowed : List.of("10.9.0.1", "10.9.255.254", "2001:db8:9:1::5", "203.0.113.7", "::ffff:10.9.3.3")) {
            sources.require("treasury", allowed);
        }
        for (String refused : List.of("10.8.255.255", "10.10.0.0", "127.0.0.1", "0:0:0:0:0:0:0:1", "2001:db8:a::1",
                "203.0.113.8", "not-an-address")) {
            assertThatThrownBy(() -> sources.require("treasury", refused)).as(refused)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ApiCode.SOURCE_NOT_ALLOWED));
        }
        sources.require("open", "198.51.100.1");
    }
}
