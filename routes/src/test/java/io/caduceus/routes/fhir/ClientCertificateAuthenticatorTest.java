package io.caduceus.routes.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class ClientCertificateAuthenticatorTest {

    private static final KeyPair KEY = TestTokens.rsa();
    private static final String CLIENTS = "lab: CN=lab-system, O=General Hospital => system/Observation.write system/Patient.read ;"
            + "  his:CN=his,OU=IT,O=General Hospital=>system/*.write\n; billing: CN=Billing\\; Invoicing,O=General Hospital => system/Coverage.read";

    private final ClientCertificateAuthenticator certificates = ClientCertificateAuthenticator.parse(CLIENTS);

    @Test
    void aConfiguredSubjectIsItsClientWithItsScopes() throws Exception {
        assertThat(certificates.size()).isEqualTo(3);
        BearerTokenVerifier.Caller lab = certificates.authenticate(new X500Principal("CN=lab-system,O=General Hospital"));
        assertThat(lab.clientId()).isEqualTo("lab");
        assertThat(lab.scopes()).containsExactlyInAnyOrder("system/Observation.write", "system/Patient.read");
        assertThat(certificates.authenticate(new X500Principal("CN=his, OU=IT, O=General Hospital")).scopes())
                .containsExactly("system/*.write");
        assertThat(certificates.authenticate(new X500Principal("CN=Billing\\; Invoicing,O=General Hospital")).clientId())
                .isEqualTo("billing");
    }

    @Test
    void subjectsAreComparedCanonicallyButAttributeOrderAndValuesCount() throws Exception {
        assertThat(certificates.authenticate(new X500Principal("cn=LAB-SYSTEM,  o=general   hospital")).clientId()).isEqualTo("lab");
        assertThatThrownBy(() -> certificates.authenticate(new X500Principal("O=General Hospital,CN=lab-system")))
                .isInstanceOfSatisfying(FhirRejection.class, r -> assertThat(r.status()).isEqualTo(403));
        assertThatThrownBy(() -> certificates.authenticate(new X500Principal("CN=lab-system,O=General Hospital,C=NL")))
                .isInstanceOfSatisfying(FhirRejection.class, r -> assertThat(r.status()).isEqualTo(403));
    }

    @Test
    void anUnknownSubjectIsForbiddenWithoutEchoingIt() {
        assertThatThrownBy(() -> certificates.authenticate(new X500Principal("CN=Jane Doe,O=Patients")))
                .isInstanceOfSatisfying(FhirRejection.class, r -> {
                    assertThat(r.status()).isEqualTo(403);
                    assertThat(r.getMessage()).doesNotContain("Jane");
                    assertThat(r.wwwAuthenticate()).isNull();
                });
    }

    @Test
    void emptyConfigurationAcceptsNoCertificate() {
        assertThat(ClientCertificateAuthenticator.parse("  ").size()).isZero();
        assertThat(ClientCertificateAuthenticator.parse(null)).isSameAs(ClientCertificateAuthenticator.NONE);
        assertThatThrownBy(() -> ClientCertificateAuthenticator.NONE.authenticate(new X500Principal("CN=lab-system")))
                .isInstanceOfSatisfying(FhirRejection.class, r -> assertThat(r.status()).isEqualTo(403));
    }

    @Test
    void malformedEntriesStopTheStartNamingTheEntry() {
        assertThatThrownBy(() -> ClientCertificateAuthenticator.parse("lab: CN=a => system/*.read; CN=b => system/*.read"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry 2").hasMessageContaining("<client id>");
        assertThatThrownBy(() -> ClientCertificateAuthenticator.parse("lab^x: CN=a => system/*.read"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client id");
        assertThatThrownBy(() -> ClientCertificateAuthenticator.parse("lab: not a DN => system/*.read"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinguished name");
        assertThatThrownBy(() -> ClientCertificateAuthenticator.parse("lab: CN=a =>  "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no scopes");
        assertThatThrownBy(() -> ClientCertificateAuthenticator.parse("a: CN=x,O=y => system/*.read; b: cn=X, o=Y => system/*.write"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry 2").hasMessageContaining("twice");
    }

    @Test
    void anExchangeNotFromTheHttpServerHasNoCertificate() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            DefaultExchange exchange = new DefaultExchange(context);
            exchange.getIn().setHeader("X-Client-Certificate-Subject", "CN=lab-system,O=General Hospital");
            assertThat(ClientCertificateAuthenticator.verifiedSubject(exchange)).isNull();
        }
        assertThat(ClientCertificateAuthenticator.verifiedSubject((io.vertx.core.http.HttpServerRequest) null)).isNull();
    }

    @Test
    void aBearerTokenWinsOverTheCertificateAndNeitherIsUnauthenticated() throws Exception {
        BearerTokenVerifier tokens = new BearerTokenVerifier(TestTokens.ISSUER, TestTokens.AUDIENCE,
                BearerTokenVerifier.parsePem(TestTokens.pem(KEY)), Duration.ofSeconds(30), Clock.systemUTC());
        FhirAuthenticator authenticator = new FhirAuthenticator(tokens, certificates);
        X500Principal lab = new X500Principal("CN=lab-system,O=General Hospital");

        assertThat(authenticator.authenticate(null, lab).clientId()).isEqualTo("lab");
        assertThat(authenticator.authenticate("  ", lab).clientId()).isEqualTo("lab");
        String token = TestTokens.sign("RS256", KEY.getPrivate(), Map.of("iss", TestTokens.ISSUER, "aud", TestTokens.AUDIENCE,
                "exp", Instant.now().plusSeconds(300).getEpochSecond(), "client_id", "token-client", "scope", "system/*.read"));
        assertThat(authenticator.authenticate("Bearer " + token, lab).clientId()).isEqualTo("token-client");
        assertThatThrownBy(() -> authenticator.authenticate("Bearer not-a-token", lab))
                .isInstanceOfSatisfying(FhirRejection.class, r -> assertThat(r.status()).isEqualTo(401));
        assertThatThrownBy(() -> authenticator.authenticate(null, null))
                .isInstanceOfSatisfying(FhirRejection.class, r -> {
                    assertThat(r.status()).isEqualTo(401);
                    assertThat(r.getMessage()).contains("client certificate");
                    assertThat(r.wwwAuthenticate()).startsWith("Bearer ");
                });
        assertThatThrownBy(() -> FhirAuthenticator.tokensOnly(tokens).authenticate(null, null))
                .isInstanceOfSatisfying(FhirRejection.class, r -> assertThat(r.getMessage()).contains("bearer access token is required"));
    }
}
