package cn.onecard.adapters.http;

import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One HTTP/JSON agent bank (docs/http-bank.md): where its API is, the keys each side signs with, and
 * the certificate its server must present.
 *
 * @param bankCode            the bank's code in the routing table
 * @param baseUri             the API's base, {@code https://host[:port][/prefix]}; operations are {@code /v1/...} under it
 * @param appId               the gateway's application id at the bank ({@code X-App-Id})
 * @param gatewayKey          the gateway's SM2 key, which signs every request
 * @param bankKey             the bank's SM2 public key, which every answer's signature must verify under
 * @param pinnedCertificates  the only server certificates accepted (the current one, and its successor
 *                            during a rotation); no CA is trusted
 * @param payerAccount        the subsidy account the credits are paid from
 * @param inFlightMax         operations under way at once; more are not sent
 * @param requestTimeout      how long an answer is waited for (and a connection, before it); after it, unknown
 * @param verifiesAccounts    the bank offers {@code /v1/accounts/verify}
 * @param reverses            the bank offers {@code /v1/credits/reverse}
 * @param operationsPerSecond the contracted rate; 0: no limit
 * @param resultDeadline      how long after a credit its outcome is due before it is inquired
 */
public record HttpBankConfig(
        String bankCode,
        URI baseUri,
        String appId,
        Sm2PrivateKey gatewayKey,
        Sm2PublicKey bankKey,
        List<X509Certificate> pinnedCertificates,
        String payerAccount,
        int inFlightMax,
        Duration requestTimeout,
        boolean verifiesAccounts,
        boolean reverses,
        int operationsPerSecond,
        Duration resultDeadline) {

    public HttpBankConfig {
        Objects.requireNonNull(bankCode, "bankCode");
        Objects.requireNonNull(baseUri, "baseUri");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(gatewayKey, "gatewayKey");
        Objects.requireNonNull(bankKey, "bankKey");
        Objects.requireNonNull(payerAccount, "payerAccount");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(resultDeadline, "resultDeadline");
        pinnedCertificates = List.copyOf(pinnedCertificates);
        if (!"https".equalsIgnoreCase(baseUri.getScheme()) || baseUri.getHost() == null) {
            throw new IllegalArgumentException("bank " + bankCode + ": the API base must be an https URI with a host");
        }
        if (baseUri.getRawQuery() != null || baseUri.getRawFragment() != null) {
            throw new IllegalArgumentException("bank " + bankCode + ": the API base takes no query or fragment");
        }
        if (pinnedCertificates.isEmpty()) {
            throw new IllegalArgumentException("bank " + bankCode + ": pin at least one server certificate");
        }
        if (appId.isBlank()) {
            throw new IllegalArgumentException("bank " + bankCode + ": appId is empty");
        }
        if (inFlightMax < 1) {
            throw new IllegalArgumentException("bank " + bankCode + ": at least one operation in flight");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("bank " + bankCode + ": requestTimeout must be positive");
        }
    }

    /** The full URI of an operation's path ({@code /v1/credits}) under the base. */
    URI operation(String path) {
        String base = baseUri.toString();
        return URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) + path : base + path);
    }
}
