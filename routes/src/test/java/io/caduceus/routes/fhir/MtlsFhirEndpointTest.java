package io.caduceus.routes.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.routes.CaduceusApplication;
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

    private static final String PASSWORD = "test-store-password";
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
        Path pki = Files.createDirectory(tmp.resolve("pki"));
        keytool(pki, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Caduceus Test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool(pki, "-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASSWORD, "-file", "ca.crt");
        ca = certificate(pki.resolve("ca.crt"));

        KeyStore server = issued(pki, "server", "CN=localhost", "san=ip:127.0.0.1,dns:localhost", "eku=serverAuth");
        try (OutputStream out = Files.newOutputStream(pki.resolve("server.p12"))) {
            server.store(out, PASSWORD.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        try (OutputStream out = Files.newOutputStream(pki.resolve("trust.p12"))) {
            trust.store(out, PASSWORD.toCharArray());
        }
        Files.writeString(pki.resolve("store.password"), PASSWORD + "\n");

        lab = client(issued(pki, "lab", LAB, null, "eku=clientAuth"));
        viewer = client(issued(pki, "viewer", VIEWER, null, "eku=clientAuth"));
        stranger = client(issued(pki, "stranger", "CN=stranger,O=Elsewhere", null, "eku=clientAuth"));
        // Same subject as the lab system, but self-signed: only the CA's word counts, not the name.
        keytool(pki, "-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", LAB,
                "-validity", "2", "-keystore", "rogue.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
        rogue = client(load(pki.resolve("rogue.p12")));
        anonymous = client(null);

        httpPort = freePort();
        httpsPort = freePort();
        int nothingListens = freePort();
        Files.writeString(tmp.resolve("test.properties"), String.join("\n",
                "camel.server.port=" + httpPort,
                "kafka.bootstrap.servers=127.0.0.1:" + nothingListens,
                "ethereum.rpc.url=http://127.0.0.1:" + nothingListens,
                "caduceus.anchor.enabled=false",
                "caduceus.mllp.port=" + freePort(),
                "caduceus.data.directory=" + tmp.resolve("data"),
                "caduceus.secrets.generate-if-missing=true",
                "caduceus.fhir.auth.public-metadata=false",
                "caduceus.fhir.tls.enabled=true",
                "caduceus.fhir.tls.port=" + httpsPort,
                "caduceus.fhir.tls.key-store=" + pki.resolve("server.p12"),
                "caduceus.fhir.tls.key-store-password-file=" + pki.resolve("store.password"),
                "caduceus.fhir.tls.trust-store=" + pki.resolve("trust.p12"),
                "caduceus.fhir.tls.trust-store-password-file=" + pki.resolve("store.password"),
                "caduceus.fhir.tls.client-auth=request",
                "caduceus.fhir.mtls.clients=lab: " + LAB + " => system/Patient.write ; viewer: " + VIEWER + " => system/Patient.read",
                ""));
        Path routes = Files.createDirectory(tmp.resolve("routes"));
        Files.writeString(routes.resolve("no-kafka.camel.yaml"), """
                - routeConfiguration:
                    interceptSendToEndpoint:
                      - interceptSendToEndpoint:
                          uri: "kafka:*"
                          skipSendToOriginalEndpoint: true
                          steps:
                            - removeHeader:
                                name: kafka.KEY
                """);
        main = new Main(CaduceusApplication.class);
        CaduceusApplication.configure(main, tmp.toString(), routes.toString());
        main.start();
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
        assertThat(status.statusCode()).isEqualTo(200);
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
            factory.init(identity, PASSWORD.toCharArray());
            keyManagers = new KeyManager[] {new AlwaysPresent((X509ExtendedKeyManager) factory.getKeyManagers()[0])};
        }
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers, trustManagers.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Issues a certificate for a new EC key, signed by the test CA; returns the key with its chain. */
    private static KeyStore issued(Path pki, String name, String subject, String san, String eku) throws Exception {
        keytool(pki, "-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", subject,
                "-validity", "2", "-keystore", name + "-key.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool(pki, "-certreq", "-alias", "client", "-keystore", name + "-key.p12", "-storepass", PASSWORD, "-file", name + ".csr");
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASSWORD,
                "-infile", name + ".csr", "-outfile", name + ".crt", "-validity", "2", "-ext", eku));
        if (san != null) {
            gencert.addAll(List.of("-ext", san));
        }
        keytool(pki, gencert.toArray(String[]::new));
        PrivateKey key = (PrivateKey) load(pki.resolve(name + "-key.p12")).getKey("client", PASSWORD.toCharArray());
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", key, PASSWORD.toCharArray(), new X509Certificate[] {certificate(pki.resolve(name + ".crt")), ca});
        return store;
    }

    private static KeyStore load(Path file) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    private static X509Certificate certificate(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static void keytool(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
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
            return new String[] {"client"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "client";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "client";
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
