package io.caduceus.edge.fhir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.math.BigInteger;
import java.net.URI;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The issuer's keys from a JWKS URL (WireMock): fetch, refresh on an unknown kid (rate limited), last good set kept. */
class JwksUrlKeysTest {

    private static final KeyPair FIRST = TestTokens.rsa();
    private static final KeyPair SECOND = TestTokens.rsa();
    private static final String PATH = "/.well-known/jwks.json";

    private final MutableClock clock = new MutableClock();
    private WireMockServer issuer;
    private JwksUrlKeys keys;
    private BearerTokenVerifier verifier;

    @BeforeEach
    void start() {
        issuer = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        issuer.start();
        keys = new JwksUrlKeys(new JwksUrlKeys.Settings(URI.create("http://127.0.0.1:" + issuer.port() + PATH),
                Duration.ofMillis(500), Duration.ofMinutes(5), Duration.ofSeconds(30)), clock);
        verifier = new BearerTokenVerifier(TestTokens.ISSUER, TestTokens.AUDIENCE, IssuerKeySource.combined(List.of(), keys),
                Duration.ofSeconds(30), Duration.ofHours(1), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        keys.close();
        issuer.stop();
    }

    @Test
    void theKeysServedVerifyTokensOnceFetched() throws Exception {
        issuer.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(503)));
        assertThat(verifier.configured()).isTrue();
        assertThat(reason(token("k1", FIRST))).contains("not available"); // and a fetch was tried for the unknown kid
        assertThat(fetches()).isEqualTo(1);

        serve(Map.of("k1", FIRST));
        keys.start();
        assertThat(keys.keys()).extracting(BearerTokenVerifier.IssuerKey::kid).containsExactly("k1");
        verifier.verify("Bearer " + token("k1", FIRST));
        assertThat(reason(token("k1", SECOND))).contains("does not verify");
    }

    @Test
    void anUnknownKeyIdFetchesTheSetAgainAtMostOncePerGap() throws Exception {
        serve(Map.of("k1", FIRST));
        keys.start();
        serve(Map.of("k1", FIRST, "k2", SECOND)); // the issuer rotates
        clock.advance(Duration.ofSeconds(31));

        verifier.verify("Bearer " + token("k2", SECOND));
        assertThat(fetches()).isEqualTo(2);

        // Made-up key ids do not make us call the issuer for every token...
        for (int i = 0; i < 5; i++) {
            assertThat(reason(token("forged-" + i, SECOND))).contains("does not verify");
        }
        assertThat(fetches()).isEqualTo(2);
        // ...and a known key id never triggers a fetch.
        verifier.verify("Bearer " + token("k1", FIRST));
        assertThat(fetches()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(31));
        assertThat(reason(token("forged", SECOND))).contains("does not verify");
        assertThat(fetches()).isEqualTo(3);
    }

    @Test
    void aFailedFetchKeepsTheLastGoodKeys() throws Exception {
        serve(Map.of("k1", FIRST));
        keys.start();
        String token = token("k1", FIRST);

        issuer.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(503)));
        assertThat(keys.refresh()).isFalse();
        verifier.verify("Bearer " + token);

        issuer.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody("<html>login</html>")));
        assertThat(keys.refresh()).isFalse();
        issuer.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody("{\"keys\":[]}")));
        assertThat(keys.refresh()).isFalse();
        issuer.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody("x".repeat(JwksUrlKeys.MAX_BYTES + 1))));
        assertThat(keys.refresh()).isFalse();
        verifier.verify("Bearer " + token);

        // An issuer that does not answer within the deadline: the fetch gives up in time, keys unchanged.
        issuer.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody(jwks(Map.of("k2", SECOND)))
                .withFixedDelay(3000)));
        long started = System.nanoTime();
        assertThat(keys.refresh()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2500));
        verifier.verify("Bearer " + token);
        assertThat(keys.keys()).extracting(BearerTokenVerifier.IssuerKey::kid).containsExactly("k1");

        serve(Map.of("k2", SECOND));
        assertThat(keys.refresh()).isTrue();
        assertThat(reason(token)).contains("does not verify");
        verifier.verify("Bearer " + token("k2", SECOND));
    }

    @Test
    void theSetIsRefreshedPeriodically() throws Exception {
        serve(Map.of("k1", FIRST));
        keys.close();
        keys = new JwksUrlKeys(new JwksUrlKeys.Settings(URI.create("http://localhost:" + issuer.port() + PATH),
                Duration.ofMillis(500), Duration.ofMillis(200), Duration.ofSeconds(30)), clock);
        keys.start();
        serve(Map.of("k2", SECOND));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!keys.keys().stream().map(BearerTokenVerifier.IssuerKey::kid).toList().equals(List.of("k2"))
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(keys.keys()).extracting(BearerTokenVerifier.IssuerKey::kid).containsExactly("k2");
    }

    @Test
    void onlyHttpsOrLoopbackUrlsAreAccepted() {
        assertThatThrownBy(() -> JwksUrlKeys.requireSafeUrl(URI.create("http://issuer.example/jwks")))
                .hasMessageContaining("caduceus.fhir.auth.jwks-url").hasMessageContaining("https://");
        assertThatThrownBy(() -> JwksUrlKeys.requireSafeUrl(URI.create("ftp://127.0.0.1/jwks"))).hasMessageContaining("https://");
        assertThatThrownBy(() -> JwksUrlKeys.requireSafeUrl(URI.create("/jwks"))).hasMessageContaining("https://");
        JwksUrlKeys.requireSafeUrl(URI.create("https://issuer.example/jwks"));
        JwksUrlKeys.requireSafeUrl(URI.create("http://127.0.0.1:8080/jwks"));
        JwksUrlKeys.requireSafeUrl(URI.create("http://[::1]:8080/jwks"));
        JwksUrlKeys.requireSafeUrl(URI.create("http://localhost/jwks"));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private void serve(Map<String, KeyPair> set) {
        issuer.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(jwks(set))));
    }

    private int fetches() {
        return issuer.findAll(getRequestedFor(urlPathEqualTo(PATH))).size();
    }

    private String reason(String token) {
        try {
            verifier.verify("Bearer " + token);
        } catch (FhirRejection e) {
            assertThat(e.status()).isEqualTo(401);
            return e.issues().get(0).diagnostics();
        }
        throw new AssertionError("the token was accepted");
    }

    private static String token(String kid, KeyPair key) {
        return TestTokens.sign(Map.of("alg", "RS256", "kid", kid, "typ", "at+jwt"), key.getPrivate(),
                TestTokens.claims("system/*.read"));
    }

    private static String jwks(Map<String, KeyPair> set) {
        return set.entrySet().stream().map(e -> {
            RSAPublicKey rsa = (RSAPublicKey) e.getValue().getPublic();
            return "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + e.getKey() + "\",\"n\":\""
                    + unsigned(rsa.getModulus()) + "\",\"e\":\"" + unsigned(rsa.getPublicExponent()) + "\"}";
        }).collect(Collectors.joining(",", "{\"keys\":[", "]}"));
    }

    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes[0] == 0 && bytes.length > 1) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return TestTokens.b64(bytes);
    }

    private static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2030-01-01T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
