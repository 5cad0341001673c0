package io.caduceus.edge.fhir;

import org.apache.camel.Exchange;

/** The first step of a FHIR write: captures the request and authenticates its caller (401, 403). */
public final class FhirCallers {

    private final FhirAuthenticator authenticator;

    FhirCallers(FhirAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    /** By bearer token or client certificate; the headers, token included, are dropped once read. */
    public void authenticate(Exchange exchange) throws FhirRejection {
        FhirExchange.Request request = FhirExchange.capture(exchange);
        exchange.setProperty(FhirExchange.REQUEST, request);
        exchange.setProperty(FhirExchange.REQUEST, request.withCaller(authenticator.authenticate(request.authorization(),
                ClientCertificateAuthenticator.verifiedCertificate(exchange))));
    }
}
