package io.caduceus.edge.fhir;

import java.security.cert.X509Certificate;

/**
 * Decides who is calling from the request's credentials: a bearer token when there is an Authorization header (it wins,
 * and a bad one is 401 even on a connection with a client certificate, so that a client never silently acts under
 * another identity than the one it sent), otherwise the connection's verified client certificate, otherwise 401.
 */
final class FhirAuthenticator {

    private final BearerTokenVerifier tokens;
    private final ClientCertificateAuthenticator certificates;

    FhirAuthenticator(BearerTokenVerifier tokens, ClientCertificateAuthenticator certificates) {
        this.tokens = tokens;
        this.certificates = certificates;
    }

    /** Bearer tokens only. */
    static FhirAuthenticator tokensOnly(BearerTokenVerifier tokens) {
        return new FhirAuthenticator(tokens, ClientCertificateAuthenticator.NONE);
    }

    /**
     * @param authorization the Authorization header, or null
     * @param clientCertificate the verified client certificate ({@link ClientCertificateAuthenticator#verifiedCertificate}), or null
     */
    BearerTokenVerifier.Caller authenticate(String authorization, X509Certificate clientCertificate) throws FhirRejection {
        if (authorization != null && !authorization.isBlank()) {
            return tokens.verify(authorization);
        }
        if (clientCertificate != null) {
            return certificates.authenticate(clientCertificate);
        }
        if (certificates.size() > 0) {
            throw FhirRejection.unauthenticated(null, "a bearer access token or a trusted client certificate is required");
        }
        return tokens.verify(authorization);
    }
}
