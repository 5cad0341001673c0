package io.caduceus.edge.access;

import java.util.Set;

/**
 * An authenticated caller of the operator APIs.
 *
 * @param clientId the token's client id (or the client certificate's configured id): recorded with what it asked for
 * @param scopes   what its token or certificate grants
 */
public record ApiCaller(String clientId, Set<String> scopes) {

    public ApiCaller {
        scopes = Set.copyOf(scopes);
    }

    public boolean has(ApiRole role) {
        return scopes.contains(role.scope());
    }
}
