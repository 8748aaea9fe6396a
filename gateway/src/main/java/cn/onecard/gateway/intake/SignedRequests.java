package cn.onecard.gateway.intake;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The first steps of every treasury request, for every controller: the signature headers, the
 * client, the timestamp, the nonce's form and the sending address ({@link #begin}); for a read, the
 * signature over its empty body and the nonce spent ({@link #verifiedRead}).
 */
public final class SignedRequests {

    private final RequestAuthenticator authenticator;
    private final TreasurySources sources;
    private final Nonces nonces;

    public SignedRequests(RequestAuthenticator authenticator, TreasurySources sources, Nonces nonces) {
        this.authenticator = authenticator;
        this.sources = sources;
        this.nonces = nonces;
    }

    /** A request whose headers passed; its signature is checked once its body has been read. */
    public RequestAuthenticator.SignedRequest begin(HttpServletRequest request) {
        RequestAuthenticator.SignedRequest signed = authenticator.begin(request.getHeader(RequestAuthenticator.CLIENT_HEADER),
                request.getHeader(RequestAuthenticator.TIMESTAMP_HEADER),
                request.getHeader(RequestAuthenticator.NONCE_HEADER),
                request.getHeader(RequestAuthenticator.SIGNATURE_HEADER));
        try {
            sources.require(signed.clientId(), request.getRemoteAddr());
        } catch (RuntimeException e) {
            signed.close();
            throw e;
        }
        return signed;
    }

    /** A read (a GET signs an empty body): authenticated, its nonce spent; the client it is for. */
    public String verifiedRead(HttpServletRequest request) {
        try (RequestAuthenticator.SignedRequest signed = begin(request)) {
            signed.verify();
            nonces.spend(signed.clientId(), signed.nonce());
            return signed.clientId();
        }
    }

    /** Spends a verified request's nonce, whatever its answer will be. */
    public void spend(RequestAuthenticator.SignedRequest verified) {
        nonces.spend(verified.clientId(), verified.nonce());
    }
}
