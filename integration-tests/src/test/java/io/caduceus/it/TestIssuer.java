package io.caduceus.it;

import io.caduceus.edge.fhir.TestTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;

/**
 * The token issuer every middleware a test starts trusts (unless the test configures its own): RS256, a key made for
 * this test run. Operator APIs need a role and FHIR needs scopes, so tests call them as a deployment's clients would.
 */
public final class TestIssuer {

    public static final String ISSUER = "https://issuer.it.caduceus.invalid";
    public static final String AUDIENCE = "caduceus-it";
    /** What tests that watch the middleware work need: status, quarantine, ledger, anchoring, proofs with salt. */
    public static final String OPERATOR_AND_AUDITOR = "caduceus.operator caduceus.auditor";

    private static final KeyPair KEY = TestTokens.rsa();
    private static Path publicKeyFile;

    private TestIssuer() {
    }

    /** The middleware options that make it trust this issuer. */
    public static synchronized Map<String, String> middlewareProperties() {
        if (publicKeyFile == null) {
            try {
                Path file = Files.createTempFile("caduceus-it-issuer", ".pem");
                file.toFile().deleteOnExit();
                Files.writeString(file, TestTokens.pem(KEY));
                publicKeyFile = file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Map.of("caduceus.fhir.auth.issuer", ISSUER, "caduceus.fhir.auth.audience", AUDIENCE,
                "caduceus.fhir.auth.public-key-file", publicKeyFile.toString());
    }

    /** A token valid for ten minutes granting {@code scopes} to client {@code it-client}. */
    public static String token(String scopes) {
        return TestTokens.sign("RS256", KEY.getPrivate(), TestTokens.claims(ISSUER, AUDIENCE, "it-client", 600, scopes));
    }

    /** {@code request} with a bearer token granting {@code scopes}. */
    public static HttpRequest.Builder authorized(HttpRequest.Builder request, String scopes) {
        return request.header("Authorization", "Bearer " + token(scopes));
    }

    /** {@code request} as an operator who is also an auditor. */
    public static HttpRequest.Builder asOperator(HttpRequest.Builder request) {
        return authorized(request, OPERATOR_AND_AUDITOR);
    }
}
