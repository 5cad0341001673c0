package io.caduceus.edge.access;

import org.apache.camel.Exchange;

/**
 * Tells who is calling from a request's credentials (its Authorization header, or the client certificate the TLS
 * layer verified on its connection); the FHIR server's own token and certificate checks do it.
 */
@FunctionalInterface
public interface ApiAuthenticator {

    /** @throws ApiAccessDenied 401 without valid credentials, 403 for a certificate that is trusted but not granted */
    ApiCaller authenticate(Exchange request) throws ApiAccessDenied;
}
