package io.caduceus.it;

import io.caduceus.core.json.CanonicalJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
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

    private static final KeyPair KEY = rsa();
    private static Path publicKeyFile;

    private TestIssuer() {
    }

    /** The middleware options that make it trust this issuer. */
    public static synchronized Map<String, String> middlewareProperties() {
        if (publicKeyFile == null) {
            try {
                Path file = Files.createTempFile("caduceus-it-issuer", ".pem");
                file.toFile().deleteOnExit();
                Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                        .encodeToString(KEY.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
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
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("aud", AUDIENCE);
        claims.put("client_id", "it-client");
        claims.put("iat", now);
        claims.put("exp", now + 600);
        claims.put("scope", scopes);
        String input = b64(CanonicalJson.write(Map.of("alg", "RS256", "typ", "JWT"))) + "." + b64(CanonicalJson.write(claims));
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(KEY.getPrivate());
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code request} with a bearer token granting {@code scopes}. */
    public static HttpRequest.Builder authorized(HttpRequest.Builder request, String scopes) {
        return request.header("Authorization", "Bearer " + token(scopes));
    }

    /** {@code request} as an operator who is also an auditor. */
    public static HttpRequest.Builder asOperator(HttpRequest.Builder request) {
        return authorized(request, OPERATOR_AND_AUDITOR);
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
