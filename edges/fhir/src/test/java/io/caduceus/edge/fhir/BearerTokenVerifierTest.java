package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BearerTokenVerifierTest {

    private static final KeyPair RSA = TestTokens.rsa();
    private static final KeyPair EC = TestTokens.ec();
    private static final KeyPair OTHER_RSA = TestTokens.rsa();

    private final BearerTokenVerifier verifier = new BearerTokenVerifier(TestTokens.ISSUER, TestTokens.AUDIENCE,
            BearerTokenVerifier.parsePem(TestTokens.pem(RSA) + TestTokens.pem(EC)), Duration.ofSeconds(30), Clock.systemUTC());

    private static FhirRejection rejection(ThrowingCall call) {
        try {
            call.run();
        } catch (FhirRejection e) {
            return e;
        }
        throw new AssertionError("expected a rejection");
    }

    private interface ThrowingCall {
        void run() throws FhirRejection;
    }

    private void assertUnauthorized(String authorization, String reasonFragment) {
        FhirRejection e = rejection(() -> verifier.verify(authorization));
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.wwwAuthenticate()).startsWith("Bearer ");
        assertThat(e.issues().get(0).diagnostics()).contains(reasonFragment);
    }

    @Test
    void acceptsRs256AndEs256TokensAndReadsClientAndScopes() throws Exception {
        var claims = TestTokens.claims("system/Patient.write user/Observation.cu");
        BearerTokenVerifier.Caller rs = verifier.verify("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims));
        assertThat(rs.clientId()).isEqualTo("test-client");
        assertThat(rs.scopes()).containsExactly("system/Patient.write", "user/Observation.cu");
        BearerTokenVerifier.Caller es = verifier.verify("bearer " + TestTokens.sign("ES256", EC.getPrivate(), claims));
        assertThat(es.scopes()).contains("system/Patient.write");
    }

    @Test
    void aMissingTokenIsAChallengeWithoutError() {
        FhirRejection e = rejection(() -> verifier.verify(null));
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.wwwAuthenticate()).isEqualTo("Bearer realm=\"caduceus-fhir\"");
        assertUnauthorized("Basic dXNlcjpwYXNz", "Bearer scheme");
    }

    @Test
    void anExpiredTokenIsRefused() {
        var claims = TestTokens.claims("system/*.write");
        claims.put("exp", System.currentTimeMillis() / 1000 - 120);
        assertUnauthorized("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims), "expired");
    }

    @Test
    void aTokenWithoutExpiryIsRefused() {
        var claims = TestTokens.claims("system/*.write");
        claims.remove("exp");
        assertUnauthorized("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims), "no expiry");
    }

    @Test
    void aNotYetValidTokenIsRefused() {
        var claims = TestTokens.claims("system/*.write");
        claims.put("nbf", System.currentTimeMillis() / 1000 + 600);
        assertUnauthorized("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims), "not valid yet");
    }

    @Test
    void clockSkewIsTolerated() throws Exception {
        var claims = TestTokens.claims("system/*.write");
        claims.put("nbf", System.currentTimeMillis() / 1000 + 10);
        claims.put("exp", System.currentTimeMillis() / 1000 - 10);
        verifier.verify("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims));
    }

    @Test
    void aWrongIssuerIsRefused() {
        var claims = TestTokens.claims("system/*.write");
        claims.put("iss", "https://evil.example");
        assertUnauthorized("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims), "issuer");
    }

    @Test
    void aWrongAudienceIsRefusedAndAnAudienceListIsAccepted() throws Exception {
        var claims = TestTokens.claims("system/*.write");
        claims.put("aud", "https://other.example/fhir");
        assertUnauthorized("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims), "audience");
        claims.put("aud", List.of("https://other.example/fhir", TestTokens.AUDIENCE));
        verifier.verify("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims));
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefused() {
        String token = TestTokens.sign("RS256", OTHER_RSA.getPrivate(), TestTokens.claims("system/*.write"));
        assertUnauthorized("Bearer " + token, "signature");
    }

    @Test
    void aTamperedPayloadIsRefused() {
        String token = TestTokens.sign("RS256", RSA.getPrivate(), TestTokens.claims("system/Patient.read"));
        String[] parts = token.split("\\.");
        var claims = TestTokens.claims("system/*.write");
        String forged = parts[0] + "." + TestTokens.b64(io.caduceus.core.json.CanonicalJson.write(claims).getBytes()) + "." + parts[2];
        assertUnauthorized("Bearer " + forged, "signature");
    }

    @Test
    void algNoneIsRefused() {
        String header = TestTokens.b64("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes());
        String payload = TestTokens.b64(io.caduceus.core.json.CanonicalJson.write(TestTokens.claims("system/*.write")).getBytes());
        assertUnauthorized("Bearer " + header + "." + payload + ".", "algorithm");
        assertUnauthorized("Bearer " + header + "." + payload, "JWS");
    }

    @Test
    void hmacWithThePublicKeyAsSecretIsRefused() throws Exception {
        String header = TestTokens.b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes());
        String payload = TestTokens.b64(io.caduceus.core.json.CanonicalJson.write(TestTokens.claims("system/*.write")).getBytes());
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(TestTokens.pem(RSA).getBytes(), "HmacSHA256"));
        String sig = TestTokens.b64(mac.doFinal((header + "." + payload).getBytes()));
        assertUnauthorized("Bearer " + header + "." + payload + "." + sig, "algorithm");
    }

    @Test
    void anRsaKeyIsNeverUsedForEs256() {
        // ES256 header over an RSA signature: must not verify with the RSA key.
        String rsToken = TestTokens.sign("RS256", RSA.getPrivate(), TestTokens.claims("system/*.write"));
        String[] parts = rsToken.split("\\.");
        String esHeader = TestTokens.b64("{\"alg\":\"ES256\"}".getBytes());
        assertUnauthorized("Bearer " + esHeader + "." + parts[1] + "." + parts[2], "signature");
    }

    @Test
    void criticalHeadersAndGarbageAreRefused() {
        String token = TestTokens.sign(Map.of("alg", "RS256", "crit", List.of("exp")), RSA.getPrivate(), TestTokens.claims("x"));
        assertUnauthorized("Bearer " + token, "critical");
        assertUnauthorized("Bearer not-a-token", "JWS");
        assertUnauthorized("Bearer a.b.c", "header");
    }

    @Test
    void accessTokenTypesAreAcceptedAndOtherJwtTypesRefused() throws Exception {
        var claims = TestTokens.claims("system/*.write");
        for (String typ : List.of("JWT", "jwt", "at+jwt", "application/at+jwt", "AT+JWT")) {
            verifier.verify("Bearer " + TestTokens.sign(Map.of("alg", "RS256", "typ", typ), RSA.getPrivate(), claims));
        }
        verifier.verify("Bearer " + TestTokens.sign(Map.of("alg", "RS256"), RSA.getPrivate(), claims));
        for (String typ : List.of("logout+jwt", "dpop+jwt", "secevent+jwt", "JOSE", "")) {
            assertUnauthorized("Bearer " + TestTokens.sign(Map.of("alg", "RS256", "typ", typ), RSA.getPrivate(), claims), "typ");
        }
        assertUnauthorized("Bearer " + TestTokens.sign(Map.of("alg", "RS256", "typ", 1), RSA.getPrivate(), claims), "typ");
    }

    @Test
    void aTokenLivingLongerThanTheMaximumIsRefused() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        var claims = TestTokens.claims("system/*.write");
        claims.put("iat", now - 60);
        claims.put("exp", now - 60 + 3601);
        assertUnauthorized("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims), "lifetime");
        // Issued long ago within the maximum: only exp - iat counts, not how long is left.
        claims.put("iat", now - 3000);
        claims.put("exp", now + 600);
        verifier.verify("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims));

        BearerTokenVerifier tenMinutes = new BearerTokenVerifier(TestTokens.ISSUER, TestTokens.AUDIENCE,
                IssuerKeySource.fixed(BearerTokenVerifier.parsePem(TestTokens.pem(RSA))), Duration.ofSeconds(30),
                Duration.ofMinutes(10), Clock.systemUTC());
        var shortLived = TestTokens.claims("system/*.write");
        shortLived.put("exp", now + 600);
        tenMinutes.verify("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), shortLived));
        assertThat(rejection(() -> tenMinutes.verify("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(),
                TestTokens.claims("system/*.write")))).issues().get(0).diagnostics()).contains("lifetime");
    }

    @Test
    void withoutIatTheTimeLeftMustFitTheMaximumLifetime() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        var claims = TestTokens.claims("system/*.write");
        claims.remove("iat");
        claims.put("exp", now + 3600);
        verifier.verify("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims));
        claims.put("exp", now + 3600 + 300);
        assertUnauthorized("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims), "longest token lifetime");
        claims.put("exp", now + 365L * 24 * 3600);
        assertUnauthorized("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims), "longest token lifetime");
    }

    @Test
    void aTokenIssuedInTheFutureOrWithABadIatIsRefused() {
        long now = System.currentTimeMillis() / 1000;
        var claims = TestTokens.claims("system/*.write");
        claims.put("iat", now + 600);
        claims.put("exp", now + 1200);
        assertUnauthorized("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims), "issued in the future");
        claims.put("iat", "yesterday");
        assertUnauthorized("Bearer " + TestTokens.sign("RS256", RSA.getPrivate(), claims), "iat");
    }

    @Test
    void withoutConfigurationEverythingIsRefused() {
        BearerTokenVerifier unconfigured = new BearerTokenVerifier("", "", List.of(), Duration.ZERO, Clock.systemUTC());
        String token = TestTokens.sign("RS256", RSA.getPrivate(), TestTokens.claims("system/*.write"));
        assertThat(unconfigured.configured()).isFalse();
        assertThat(rejection(() -> unconfigured.verify("Bearer " + token)).status()).isEqualTo(401);
    }

    @Test
    void readsRsaAndEcKeysFromAJwks() throws Exception {
        RSAPublicKey rsa = (RSAPublicKey) RSA.getPublic();
        ECPublicKey ec = (ECPublicKey) EC.getPublic();
        String jwks = "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r1\",\"use\":\"sig\",\"n\":\"" + unsigned(rsa.getModulus())
                + "\",\"e\":\"" + unsigned(rsa.getPublicExponent()) + "\"},{\"kty\":\"EC\",\"kid\":\"e1\",\"crv\":\"P-256\",\"x\":\""
                + unsigned(ec.getW().getAffineX()) + "\",\"y\":\"" + unsigned(ec.getW().getAffineY()) + "\"},"
                + "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}";
        List<BearerTokenVerifier.IssuerKey> keys = BearerTokenVerifier.parseJwks(jwks);
        assertThat(keys).extracting(BearerTokenVerifier.IssuerKey::alg).containsExactly("RS256", "ES256");
        BearerTokenVerifier fromJwks = new BearerTokenVerifier(TestTokens.ISSUER, TestTokens.AUDIENCE, keys, Duration.ZERO, Clock.systemUTC());
        var claims = TestTokens.claims("system/*.write");
        fromJwks.verify("Bearer " + TestTokens.sign(Map.of("alg", "ES256", "kid", "e1"), EC.getPrivate(), claims));
        fromJwks.verify("Bearer " + TestTokens.sign(Map.of("alg", "RS256", "kid", "r1"), RSA.getPrivate(), claims));
        assertThat(rejection(() -> fromJwks.verify("Bearer " + TestTokens.sign(Map.of("alg", "RS256", "kid", "nope"),
                RSA.getPrivate(), claims))).status()).isEqualTo(401);
    }

    @Test
    void shortRsaKeysAreRefusedAtConfiguration() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        String pem = TestTokens.pem(generator.generateKeyPair());
        assertThatThrownBy(() -> BearerTokenVerifier.parsePem(pem)).hasMessageContaining("2048");
    }

    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes[0] == 0 && bytes.length > 1) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return TestTokens.b64(bytes);
    }
}
