package cn.onecard.adapters.http;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS that trusts exactly the pinned server certificates, compared by SHA-256 over their DER, and no
 * CA. A plain {@link X509TrustManager} on purpose: the JDK wraps it with its own endpoint
 * identification, so the HTTP client's hostname verification still applies on top of the pin.
 */
final class PinnedTrust implements X509TrustManager {

    private final Set<String> pins;

    private PinnedTrust(List<X509Certificate> pinned) {
        this.pins = pinned.stream().map(PinnedTrust::fingerprint).collect(Collectors.toUnmodifiableSet());
    }

    static SSLContext sslContext(List<X509Certificate> pinned) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new PinnedTrust(pinned)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers no TLS context", e);
        }
    }

    /** SHA-256 over the certificate's DER, lowercase hex: how docs/http-bank.md names a pin. */
    static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("cannot encode the pinned certificate", e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server presented no certificate");
        }
        X509Certificate leaf = chain[0];
        if (!pins.contains(fingerprint(leaf))) {
            throw new CertificateException("the server's certificate is not the pinned one");
        }
        leaf.checkValidity();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the gateway is never a TLS server to a bank");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
