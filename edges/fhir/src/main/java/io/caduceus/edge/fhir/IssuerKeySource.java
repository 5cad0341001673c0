package io.caduceus.edge.fhir;

import java.util.ArrayList;
import java.util.List;

/** Where the token issuer's verification keys come from: fixed files, a JWKS URL, or both. */
interface IssuerKeySource {

    /** The keys to try now; may be empty while a JWKS URL has not answered yet. */
    List<BearerTokenVerifier.IssuerKey> keys();

    /**
     * Asked when a token names a key id that {@link #keys()} lacks: the issuer may have rotated its keys. A source
     * that can fetch again does so, rate limited so that tokens with made-up key ids cannot flood the issuer.
     *
     * @return whether the keys may have changed
     */
    boolean refreshForUnknownKeyId();

    /** Whether any key is or will be available (a file's keys, or a JWKS URL that may answer later). */
    boolean configured();

    static IssuerKeySource fixed(List<BearerTokenVerifier.IssuerKey> keys) {
        List<BearerTokenVerifier.IssuerKey> copy = List.copyOf(keys);
        return new IssuerKeySource() {
            @Override
            public List<BearerTokenVerifier.IssuerKey> keys() {
                return copy;
            }

            @Override
            public boolean refreshForUnknownKeyId() {
                return false;
            }

            @Override
            public boolean configured() {
                return !copy.isEmpty();
            }
        };
    }

    /** Keys from files plus those a JWKS URL serves. */
    static IssuerKeySource combined(List<BearerTokenVerifier.IssuerKey> fixed, JwksUrlKeys remote) {
        List<BearerTokenVerifier.IssuerKey> copy = List.copyOf(fixed);
        return new IssuerKeySource() {
            @Override
            public List<BearerTokenVerifier.IssuerKey> keys() {
                List<BearerTokenVerifier.IssuerKey> all = new ArrayList<>(copy);
                all.addAll(remote.keys());
                return all;
            }

            @Override
            public boolean refreshForUnknownKeyId() {
                return remote.refreshForUnknownKeyId();
            }

            @Override
            public boolean configured() {
                return true;
            }
        };
    }
}
