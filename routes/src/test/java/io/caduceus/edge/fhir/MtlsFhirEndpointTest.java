package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.routes.AppWithoutKafka;
import io.caduceus.routes.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application as it starts, FHIR over HTTPS with client certificates requested, called with the JDK HTTP client.
 * Certificates come from a test CA made with the JDK's keytool. Only the sends to Kafka are skipped (an extra route
 * configuration), so that writes complete without a broker; reads refused or not found never reach Kafka anyway.
 */
class MtlsFhirEndpointTest {

    private static final String LAB = "CN=lab-system, O=General Hospital";
    private static final String VIEWER = "CN=records-viewer,O=General Hospital";

    @TempDir
    static Path tmp;

    private static Main main;
    private static int httpPort;
    private static int httpsPort;
    private static X509Certificate ca;
    private static HttpClient lab;
    private static HttpClient viewer;
    private static HttpClient stranger;
    private static HttpClient rogue;
    private static HttpClient anonymous;

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = TestPki.create(tmp.resolve("pki"), "CN=Caduceus Test CA");
        ca = pki.ca();
        Path server = pki.write(pki.issue("server", "CN=localhost", "san=ip:127.0.0.1,dns:localhost", "eku=serverAuth"), "server.p12");
        Path trust = pki.write(pki.trustStore(), "trust.p12");
        Path password = Files.writeString(tmp.resolve("store.password"), TestPki.PASSWORD + "\n");
        Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        KeyStore labIdentity = pki.issue("lab", LAB, null, "eku=clientAuth");
        KeyStore viewerIdentity = pki.issue("viewer", VIEWER, null, "eku=clientAuth");
        lab = client(labIdentity);
        viewer = client(viewerIdentity);
        stranger = client(pki.issue("stranger", "CN=stranger,O=Elsewhere", null, "eku=clientAuth"));
        // Same subject as the lab system, but self-signed: only the CA's word counts, not the name.
        rogue = client(pki.selfSigned("rogue", LAB));
        anonymous = client(null);

        httpPort = AppWithoutKafka.freePort();
        httpsPort = AppWithoutKafka.freePort();
        main = AppWithoutKafka.start(tmp,
                "camel.server.port=" + httpPort,
                "caduceus.mllp.port=" + AppWithoutKafka.freePort(),
                "caduceus.fhir.auth.public-metadata=false",
                "caduceus.fhir.tls.enabled=true",
                "caduceus.fhir.tls.port=" + httpsPort,
                "caduceus.fhir.tls.key-store=" + server,
                "caduceus.fhir.tls.key-store-password-file=" + password,
                "caduceus.fhir.tls.trust-store=" + trust,
                "caduceus.fhir.tls.trust-store-password-file=" + password,
                "caduceus.fhir.tls.client-auth=request",
                "caduceus.fhir.mtls.clients=lab: serial=" + TestPki.leaf(labIdentity).getSerialNumber().toString(16)
                        + ", issuer=CN=Caduceus Test CA => system/Patient.write ; viewer: "
                        + ClientCertificateAuthenticator.publicKeyHash(TestPki.leaf(viewerIdentity)) + " => system/Patient.read");
    }

    @AfterAll
    static void stop() throws Exception {
        if (main != null) {
            main.stop();
        }
    }

    @Test
    void aMappedCertificateIsAuthenticatedWithoutAToken() throws Exception {
        HttpResponse<String> metadata = get(lab, "/fhir/metadata");
        assertThat(metadata.statusCode()).isEqualTo(200);
        assertThat(metadata.body()).contains("\"Certificates\"", "mutual TLS");
    }

    @Test
    void aMappedCertificateGetsItsScopesAndNoMore() throws Exception {
        HttpResponse<String> noReadScope = get(lab, "/fhir/Patient/unknown-id");
        assertThat(noReadScope.statusCode()).isEqualTo(403);
        assertThat(noReadScope.body()).contains("scopes do not allow read of Patient");

        HttpResponse<String> unknown = get(viewer, "/fhir/Patient/unknown-id");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("not-found");

        HttpResponse<String> noWriteScope = post(viewer, "/fhir/Patient", FhirSamples.patient("MRN-MTLS-1"));
        assertThat(noWriteScope.statusCode()).isEqualTo(403);
    }

    @Test
    void aMappedCertificateWritesUnderItsClientId() throws Exception {
        HttpResponse<String> created = post(lab, "/fhir/Patient", FhirSamples.patient("MRN-MTLS-2"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("X-Caduceus-Record-Id")).isPresent();
        assertThat(created.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).startsWith("/fhir/Patient/"));
    }

    @Test
    void aTrustedButUnmappedCertificateIsForbidden() throws Exception {
        HttpResponse<String> response = get(stranger, "/fhir/metadata");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("client certificate is not granted access").doesNotContain("stranger");
        assertThat(get(stranger, "/fhir/Patient/unknown-id").statusCode()).isEqualTo(403);
    }

    @Test
    void neitherCertificateNorTokenIsUnauthenticated() throws Exception {
        HttpResponse<String> response = get(anonymous, "/fhir/Patient/unknown-id");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(c -> assertThat(c).startsWith("Bearer "));
        assertThat(get(anonymous, "/fhir/metadata").statusCode()).isEqualTo(401);
    }

    @Test
    void identityHeadersSentByTheClientAreIgnored() throws Exception {
        HttpRequest forged = request("/fhir/Patient/unknown-id")
                .header("X-Client-Certificate-Subject", VIEWER)
                .header("X-SSL-Client-DN", VIEWER)
                .header("SSL_CLIENT_S_DN", VIEWER)
                .header("X-Forwarded-Client-Cert", "Subject=\"" + VIEWER + "\"")
                .GET().build();
        assertThat(anonymous.send(forged, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        // nor do they change who a certificate holder is
        assertThat(lab.send(forged, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
    }

    @Test
    void aBearerTokenWinsOverTheCertificate() throws Exception {
        HttpRequest withToken = request("/fhir/Patient/unknown-id").header("Authorization", "Bearer not.a.token").GET().build();
        HttpResponse<String> response = viewer.send(withToken, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(c -> assertThat(c).contains("invalid_token"));
    }

    @Test
    void aCertificateFromAnotherIssuerNeverAuthenticates() {
        // Refused in the handshake; with TLS 1.3 the client may only learn it on reading the answer.
        try {
            assertThat(get(rogue, "/fhir/metadata").statusCode()).isEqualTo(401);
        } catch (IOException handshakeRefused) {
            // as expected: the server aborted the handshake (certificate_unknown), before any request was read
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void withTlsOnThePlainPortRefusesFhirButServesTheRest() throws Exception {
        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        for (String path : List.of("/fhir/metadata", "/fhir", "/fhir/Patient/x", "/fhir/../fhir/metadata")) {
            HttpResponse<String> fhir = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(fhir.statusCode()).as(path).isEqualTo(403);
            assertThat(fhir.body()).as(path).contains("HTTPS only");
        }
        HttpResponse<String> posted = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/fhir/Patient"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofString(FhirSamples.patient("MRN-PLAIN"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(403);
        assertThat(posted.body()).doesNotContain(FhirSamples.CANARY);
        HttpResponse<String> status = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/status"))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).as("served on the plain port, to an authenticated operator").isEqualTo(401);
        assertThat(status.body()).doesNotContain("HTTPS only");
    }

    @Test
    void plainHttpToTheHttpsPortIsNotServed() {
        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpsPort + "/fhir/metadata"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void theTlsOptionsFailTheStartWhenIncomplete() throws Exception {
        FhirHttpsListener.Settings noKeyStore = new FhirHttpsListener.Settings(true, "127.0.0.1", 0, null, null, null, null,
                io.vertx.core.http.ClientAuth.NONE);
        assertThatThrownBy(() -> FhirHttpsListener.serverOptions(noKeyStore)).hasMessageContaining("key-store");
        Path pki = tmp.resolve("pki");
        FhirHttpsListener.Settings noTrustStore = new FhirHttpsListener.Settings(true, "127.0.0.1", 0, pki.resolve("server.p12"),
                pki.resolve("store.password"), null, null, io.vertx.core.http.ClientAuth.REQUIRED);
        assertThatThrownBy(() -> FhirHttpsListener.serverOptions(noTrustStore)).hasMessageContaining("trust-store");
        Files.writeString(pki.resolve("wrong.password"), "not-it");
        Files.setPosixFilePermissions(pki.resolve("wrong.password"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        FhirHttpsListener.Settings wrongPassword = new FhirHttpsListener.Settings(true, "127.0.0.1", 0, pki.resolve("server.p12"),
                pki.resolve("wrong.password"), null, null, io.vertx.core.http.ClientAuth.NONE);
        assertThatThrownBy(() -> FhirHttpsListener.serverOptions(wrongPassword)).hasMessageContaining("cannot be read as PKCS12")
                .hasMessageNotContaining("not-it");
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + httpsPort + path)).timeout(Duration.ofSeconds(60));
    }

    private static HttpResponse<String> get(HttpClient client, String path) throws IOException, InterruptedException {
        return client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient client, String path, String body) throws IOException, InterruptedException {
        return client.send(request(path).header("Content-Type", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A client trusting the test CA, presenting {@code identity}'s key (whatever CAs the server names), or none. */
    private static HttpClient client(KeyStore identity) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        KeyManager[] keyManagers = null;
        if (identity != null) {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(identity, TestPki.PASSWORD.toCharArray());
            keyManagers = new KeyManager[] {new AlwaysPresent((X509ExtendedKeyManager) factory.getKeyManagers()[0])};
        }
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers, trustManagers.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Offers its one key whatever CAs the server names: the JDK would otherwise send no certificate the server's CAs did
     * not issue, and the server would never see, let alone refuse, a foreign one.
     */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {

        private final X509ExtendedKeyManager delegate;

        AlwaysPresent(X509ExtendedKeyManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"key"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "key";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "key";
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate.getPrivateKey(alias);
        }
    }
}
