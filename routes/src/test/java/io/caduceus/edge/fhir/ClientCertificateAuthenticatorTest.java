package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.routes.TestPki;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client certificates named by issuer and serial or by public key hash, and revoked by CRL files; made with keytool. */
class ClientCertificateAuthenticatorTest {

    private static final KeyPair KEY = TestTokens.rsa();
    private static final String CA_DN = "CN=Caduceus Test Clients CA,O=General Hospital";
    private static final String LAB_DN = "CN=lab-system,O=General Hospital";

    @TempDir
    static Path tmp;

    private static TestPki pki;
    private static TestPki otherCa;
    private static X509Certificate lab;
    private static X509Certificate viewer;
    private static X509Certificate stranger;
    private static X509Certificate labLookalike;
    private static String clients;

    private final MutableClock clock = new MutableClock();

    @BeforeAll
    static void issue() throws Exception {
        pki = TestPki.create(tmp.resolve("pki"), CA_DN);
        otherCa = TestPki.create(tmp.resolve("other"), "CN=Another CA,O=Elsewhere");
        lab = TestPki.leaf(pki.issue("lab", LAB_DN, null, "eku=clientAuth"));
        viewer = TestPki.leaf(pki.issue("viewer", "CN=records-viewer,O=General Hospital", null, "eku=clientAuth"));
        stranger = TestPki.leaf(pki.issue("stranger", "CN=stranger,O=Elsewhere", null, "eku=clientAuth"));
        // The lab's subject, from a CA that is trusted too: the name alone must not make it the lab.
        labLookalike = TestPki.leaf(otherCa.issue("lookalike", LAB_DN, null, "eku=clientAuth"));
        clients = "lab: serial=" + lab.getSerialNumber().toString(16) + ", issuer=" + CA_DN
                + " => system/Observation.write system/Patient.read ;\n viewer : "
                + ClientCertificateAuthenticator.publicKeyHash(viewer) + " => system/Patient.read";
    }

    @Test
    void aCertificateIsNamedByIssuerAndSerialOrByItsPublicKey() throws Exception {
        ClientCertificateAuthenticator certificates = ClientCertificateAuthenticator.parse(clients);
        assertThat(certificates.size()).isEqualTo(2);
        BearerTokenVerifier.Caller caller = certificates.authenticate(lab);
        assertThat(caller.clientId()).isEqualTo("lab");
        assertThat(caller.scopes()).containsExactlyInAnyOrder("system/Observation.write", "system/Patient.read");
        assertThat(certificates.authenticate(viewer).clientId()).isEqualTo("viewer");
        assertThat(ClientCertificateAuthenticator.publicKeyHash(viewer)).matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void theSameSubjectFromAnotherIssuerOrWithAnotherSerialIsNotTheClient() throws Exception {
        ClientCertificateAuthenticator certificates = ClientCertificateAuthenticator.parse(clients);
        assertThat(labLookalike.getSubjectX500Principal()).isEqualTo(lab.getSubjectX500Principal());
        assertForbidden(certificates, labLookalike);
        X509Certificate reissued = TestPki.leaf(pki.issue("lab-reissued", LAB_DN, null, "eku=clientAuth"));
        assertForbidden(certificates, reissued);
        assertForbidden(certificates, stranger);
    }

    @Test
    void serialAndIssuerAreComparedAsNumberAndCanonicalName() throws Exception {
        String hex = lab.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
        String colons = String.join(":", ("00" + (hex.length() % 2 == 0 ? hex : "0" + hex)).split("(?<=\\G..)"));
        for (String form : List.of("serial=0x" + hex + ", issuer=cn=caduceus test clients ca,  o=general hospital",
                "SERIAL = " + colons + " , Issuer = " + CA_DN)) {
            assertThat(ClientCertificateAuthenticator.parse("lab: " + form + " => system/*.read").authenticate(lab).clientId())
                    .as(form).isEqualTo("lab");
        }
        String hash = ClientCertificateAuthenticator.publicKeyHash(viewer).substring("sha256:".length());
        String opensslStyle = "SHA256:" + String.join(":", hash.toUpperCase(Locale.ROOT).split("(?<=\\G..)"));
        assertThat(ClientCertificateAuthenticator.parse("v: " + opensslStyle + " => system/*.read").authenticate(viewer).clientId())
                .isEqualTo("v");
    }

    @Test
    void aSubjectDnAloneStopsTheStartNamingTheFormsThatReplacedIt() {
        assertThatThrownBy(() -> ClientCertificateAuthenticator.parse("lab: " + LAB_DN + " => system/*.read"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("caduceus.fhir.mtls.clients, entry 1")
                .hasMessageContaining("subject alone")
                .hasMessageContaining("serial=<hex serial number>, issuer=<issuer DN>")
                .hasMessageContaining("sha256:");
    }

    @Test
    void malformedEntriesStopTheStartNamingTheEntry() {
        String ok = "lab: sha256:" + "ab".repeat(32) + " => system/*.read";
        assertThatThrownBy(() -> ClientCertificateAuthenticator.parse(ok + "; serial=01, issuer=CN=b => system/*.read"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry 2").hasMessageContaining("<client id>");
        assertThatThrownBy(() -> ClientCertificateAuthenticator.parse("lab^x: sha256:" + "ab".repeat(32) + " => system/*.read"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client id");
        assertThatThrownBy(() -> ClientCertificateAuthenticator.parse("lab: serial=01, issuer=not a DN => system/*.read"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinguished name");
        assertThatThrownBy(() -> ClientCertificateAuthenticator.parse("lab: sha256:abcd => system/*.read"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> ClientCertificateAuthenticator.parse("lab: serial=zz, issuer=CN=a => system/*.read"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serial=<hex serial number>");
        assertThatThrownBy(() -> ClientCertificateAuthenticator.parse("lab: serial=01, issuer=CN=a =>  "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no scopes");
        assertThatThrownBy(() -> ClientCertificateAuthenticator.parse(
                "a: serial=0A, issuer=CN=x,O=y => system/*.read; b: serial=a, issuer=cn=X, o=Y => system/*.write"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry 2").hasMessageContaining("twice");
    }

    @Test
    void emptyConfigurationAcceptsNoCertificate() {
        assertThat(ClientCertificateAuthenticator.parse("  ").size()).isZero();
        assertThat(ClientCertificateAuthenticator.parse(null)).isSameAs(ClientCertificateAuthenticator.NONE);
        assertForbidden(ClientCertificateAuthenticator.NONE, lab);
    }

    @Test
    void aRevokedCertificateIsRefusedAndTheListIsReloadedWhenItsFileChanges() throws Exception {
        Path crl = Files.write(tmp.resolve("clients.crl"), pki.crl(Instant.now(), Instant.now().plus(Duration.ofDays(1)),
                lab.getSerialNumber()));
        CertificateRevocationLists lists = new CertificateRevocationLists(List.of(crl), List.of(pki.ca()), clock);
        ClientCertificateAuthenticator certificates = ClientCertificateAuthenticator.parse(clients, lists);

        assertRevoked(certificates, lab);
        assertThat(certificates.authenticate(viewer).clientId()).isEqualTo("viewer");
        // Same serial, other issuer: not this CRL's business.
        assertThat(lists.isRevoked(labLookalike)).isFalse();

        // The CA revokes the viewer too, and (by mistake or not) un-revokes the lab: the new file is what counts.
        Files.write(crl, pki.crl(Instant.now(), Instant.now().plus(Duration.ofDays(1)), viewer.getSerialNumber(),
                BigInteger.valueOf(123456789)));
        Files.setLastModifiedTime(crl, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(5)));
        clock.advance(CertificateRevocationLists.RECHECK.plusMillis(1));
        assertRevoked(certificates, viewer);
        assertThat(certificates.authenticate(lab).clientId()).isEqualTo("lab");

        // A broken update keeps the lists in force.
        Files.writeString(crl, "-----BEGIN X509 CRL-----\ngarbage\n-----END X509 CRL-----\n");
        clock.advance(CertificateRevocationLists.RECHECK.plusMillis(1));
        assertRevoked(certificates, viewer);
        // So does one signed by a CA outside the trust store.
        Files.write(crl, otherCa.crl(Instant.now(), Instant.now().plus(Duration.ofDays(1))));
        Files.setLastModifiedTime(crl, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(10)));
        clock.advance(CertificateRevocationLists.RECHECK.plusMillis(1));
        assertRevoked(certificates, viewer);
    }

    @Test
    void aCrlNotSignedByATrustedCaStopsTheStart() throws Exception {
        Path foreign = Files.write(tmp.resolve("foreign.crl"), otherCa.crl(Instant.now(), Instant.now().plusSeconds(3600), lab.getSerialNumber()));
        assertThatThrownBy(() -> new CertificateRevocationLists(List.of(foreign), List.of(pki.ca()), clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("crl-files").hasMessageContaining("not signed by a CA");
        assertThatThrownBy(() -> new CertificateRevocationLists(List.of(foreign), List.of(), clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trust-store");
        assertThatThrownBy(() -> new CertificateRevocationLists(List.of(tmp.resolve("missing.crl")), List.of(pki.ca()), clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("crl-files");
    }

    @Test
    void anExchangeNotFromTheHttpServerHasNoCertificate() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            DefaultExchange exchange = new DefaultExchange(context);
            exchange.getIn().setHeader("X-Client-Certificate-Subject", LAB_DN);
            assertThat(ClientCertificateAuthenticator.verifiedCertificate(exchange)).isNull();
        }
        assertThat(ClientCertificateAuthenticator.verifiedCertificate((io.vertx.core.http.HttpServerRequest) null)).isNull();
    }

    @Test
    void aBearerTokenWinsOverTheCertificateAndNeitherIsUnauthenticated() throws Exception {
        BearerTokenVerifier tokens = new BearerTokenVerifier(TestTokens.ISSUER, TestTokens.AUDIENCE,
                BearerTokenVerifier.parsePem(TestTokens.pem(KEY)), Duration.ofSeconds(30), Clock.systemUTC());
        FhirAuthenticator authenticator = new FhirAuthenticator(tokens, ClientCertificateAuthenticator.parse(clients));

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

    private static void assertForbidden(ClientCertificateAuthenticator certificates, X509Certificate certificate) {
        assertThatThrownBy(() -> certificates.authenticate(certificate))
                .isInstanceOfSatisfying(FhirRejection.class, r -> {
                    assertThat(r.status()).isEqualTo(403);
                    assertThat(r.getMessage()).contains("not granted access").doesNotContain("lab-system", "stranger");
                    assertThat(r.wwwAuthenticate()).isNull();
                });
    }

    private static void assertRevoked(ClientCertificateAuthenticator certificates, X509Certificate certificate) {
        assertThatThrownBy(() -> certificates.authenticate(certificate))
                .isInstanceOfSatisfying(FhirRejection.class, r -> {
                    assertThat(r.status()).isEqualTo(401);
                    assertThat(r.getMessage()).contains("revoked");
                });
    }

    private static final class MutableClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
