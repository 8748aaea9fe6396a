package cn.onecard.gateway.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Callback URLs go only to the hosts listed for their client, and never to a special address the list does not name. */
class CallbackHostsTest {

    /** A DNS of the test's own: names and what they resolve to. */
    private static final Map<String, String> DNS = Map.ofEntries(
            Map.entry("treasury.example.cn", "203.0.113.10"),
            Map.entry("rebound.example.cn", "127.0.0.1"),
            Map.entry("intranet.example.cn", "10.1.2.3"),
            Map.entry("mapped.example.cn", "::ffff:127.0.0.1"),
            Map.entry("ula.example.cn", "fd00::1"),
            Map.entry("metadata.example.cn", "169.254.169.254"),
            Map.entry("cgnat.example.cn", "100.64.1.1"),
            Map.entry("nat64.example.cn", "64:ff9b::a01:203"),
            Map.entry("sixtofour.example.cn", "2002:a01:203::1"),
            Map.entry("teredo.example.cn", "2001:0:4136:e378:8000:63bf:3fff:fdd2"),
            Map.entry("discard.example.cn", "100::1"),
            Map.entry("split.example.cn", "203.0.113.11,10.1.2.4"));

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        String addresses = DNS.get(host);
        if (addresses == null) {
            throw new UnknownHostException(host);
        }
        List<InetAddress> resolved = new java.util.ArrayList<>();
        for (String address : addresses.split(",")) {
            resolved.add(InetAddress.getByName(address));
        }
        return resolved.toArray(InetAddress[]::new);
    }

    private final CallbackHosts hosts = new CallbackHosts(Map.of("treasury", List.of("treasury.example.cn", "rebound.example.cn",
            "intranet.example.cn", "mapped.example.cn", "ula.example.cn", "metadata.example.cn", "cgnat.example.cn",
            "nat64.example.cn", "sixtofour.example.cn", "teredo.example.cn", "discard.example.cn", "split.example.cn",
            "unknown.example.cn", "198.51.100.7", "10.9.0.0/16"), "other", List.of("other.example.cn")),
            CallbackHostsTest::resolve);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "https://treasury.example.cn/cb | allowed",
            "https://TREASURY.example.cn:8443/cb | allowed",
            "http://198.51.100.7/cb | allowed",
            "http://10.9.4.4:8080/cb | allowed",
            "https://elsewhere.example.cn/cb | refused",
            "https://other.example.cn/cb | refused",
            "http://127.0.0.1:5432/ | refused",
            "http://[::1]/ | refused",
            "http://10.1.2.3/ | refused",
            "http://2130706433/ | refused",
            "https://rebound.example.cn/cb | refused",
            "https://intranet.example.cn/cb | refused",
            "https://mapped.example.cn/cb | refused",
            "https://ula.example.cn/cb | refused",
            "https://metadata.example.cn/cb | refused",
            "https://cgnat.example.cn/cb | refused",
            "https://nat64.example.cn/cb | refused",
            "https://sixtofour.example.cn/cb | refused",
            "https://teredo.example.cn/cb | refused",
            "https://discard.example.cn/cb | refused",
            "https://split.example.cn/cb | refused"})
    void aCallbackUrl_isAllowedOnlyToAListedHost_resolvingToPublicOrListedAddresses(String url, String verdict) {
        assertThat(hosts.refusal("treasury", url, true)).as(url).matches(refusal -> refusal.isEmpty() == verdict.equals("allowed"));
    }

    @Test
    void aListedNameThatDoesNotResolve_passesIntake_butIsNotCalled() {
        assertThat(hosts.refusal("treasury", "https://unknown.example.cn/cb", false)).isEmpty();
        assertThat(hosts.refusal("treasury", "https://unknown.example.cn/cb", true)).hasValueSatisfying(
                reason -> assertThat(reason).contains("does not resolve"));
    }

    @Test
    void aClientWithoutAList_isCalledNowhere() {
        assertThat(hosts.refusal("stranger", "https://treasury.example.cn/cb", true)).isPresent();
    }

    @Test
    void anEntryThatIsNoHostAddressOrRange_stopsTheStart() {
        for (String entry : List.of("bad host", "10.0.0.0/33", "10.0.0/8", "http://x", "1.2.3.4.5")) {
            assertThatThrownBy(() -> new CallbackHosts(Map.of("c", List.of(entry)), CallbackHostsTest::resolve)).as(entry)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
