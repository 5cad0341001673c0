package io.caduceus.routes.mllp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.caduceus.routes.CaduceusApplication;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * MLLP over TLS with client certificates required, configured only through properties as a deployer would: a sender
 * with a certificate from the trusted CA gets its ACK over TLS; one without a certificate, one with a certificate
 * from another CA, and one speaking plain MLLP get no ACK, and the patient in their bytes reaches no log line (Netty
 * quotes refused bytes in hex). Kafka sends are skipped (an extra route configuration) so the test needs no broker.
 */
class MllpTlsTest {

    private static final String PASSWORD = "test-store-password";
    /** A surname no library uses: found in a log line, as text or as hex, it is a leak. */
    private static final String CANARY = "Zzyzxtlscanary";
    private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

    @TempDir
    static Path tmp;

    private static Main main;
    private static int mllpPort;
    private static SSLContext trustedSender;
    private static SSLContext senderWithoutCertificate;
    private static SSLContext senderFromAnotherCa;

    @BeforeAll
    static void start() throws Exception {
        LOGS.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
        Path pki = Files.createDirectory(tmp.resolve("pki"));
        Path ca = issuer(pki, "ca", "CN=Caduceus Test CA");
        Path otherCa = issuer(pki, "other-ca", "CN=Somebody Else's CA");
        Path server = leaf(pki, ca, "server", "CN=caduceus.test", "SAN=ip:127.0.0.1,dns:localhost");
        Path sender = leaf(pki, ca, "sender", "CN=his.general-hospital.test", null);
        Path rogue = leaf(pki, otherCa, "rogue", "CN=his.general-hospital.test", null);
        Path trust = pki.resolve("trust.p12");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", pki.resolve("ca.crt").toString(),
                "-keystore", trust.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);

        trustedSender = sslContext(sender, trust);
        senderWithoutCertificate = sslContext(null, trust);
        senderFromAnotherCa = sslContext(rogue, trust);

        mllpPort = freePort();
        int nothingListens = freePort();
        Files.writeString(tmp.resolve("test.properties"), String.join("\n",
                "camel.server.port=" + freePort(),
                "kafka.bootstrap.servers=127.0.0.1:" + nothingListens,
                "ethereum.rpc.url=http://127.0.0.1:" + nothingListens,
                "caduceus.anchor.enabled=false",
                "caduceus.mllp.port=" + mllpPort,
                "caduceus.data.directory=" + tmp.resolve("data"),
                "caduceus.secrets.generate-if-missing=true",
                "caduceus.mllp.tls.enabled=true",
                "caduceus.mllp.tls.client-auth=true",
                "camel.ssl.enabled=true",
                "camel.ssl.key-store=file:" + server,
                "camel.ssl.keystore-password=" + PASSWORD,
                "camel.ssl.trust-store=file:" + trust,
                "camel.ssl.trust-store-password=" + PASSWORD,
                "camel.component.netty.use-global-ssl-context-parameters=true",
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
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
        String hex = HexFormat.of().formatHex(CANARY.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(LOGS.list).as("log lines quoting the patient").noneMatch(e -> {
            String line = (e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                    : ThrowableProxyUtil.asString(e.getThrowableProxy()))).toLowerCase(java.util.Locale.ROOT);
            return line.contains(CANARY.toLowerCase(java.util.Locale.ROOT)) || line.contains(hex);
        });
        assertThat(LOGS.list).as("the refusals are logged, by class").anyMatch(e -> e.getFormattedMessage().contains("NotSslRecordException"));
    }

    private static String adt(String controlId) {
        return "MSH|^~\\&|HIS|GENERAL|CADUCEUS|HUB|20261125101500||ADT^A04^ADT_A01|" + controlId + "|P|2.5.1\r"
                + "EVN|A04|20261125101500\rPID|1||MRN-" + controlId + "^^^GENERAL^MR||" + CANARY + "^Jane||19700101|F\r"
                + "PV1|1|O|CLINIC^^^GENERAL\r";
    }

    @Test
    void aSenderWithACertificateFromTheTrustedCaIsAcknowledgedOverTls() throws Exception {
        try (SSLSocket socket = connect(trustedSender)) {
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).startsWith("TLSv1.");
            assertThat(exchange(socket, adt("TLS-1"))).contains("\rMSA|AA|TLS-1");
            // The connection stays usable for the next message, as senders expect.
            assertThat(exchange(socket, adt("TLS-2"))).contains("\rMSA|AA|TLS-2");
        }
    }

    @Test
    void aSenderWithoutACertificateOrWithOneFromAnotherCaGetsNoAcknowledgement() throws Exception {
        for (SSLContext refused : List.of(senderWithoutCertificate, senderFromAnotherCa)) {
            // TLS 1.3 reports a refused client certificate after the client's handshake completed: on the first read.
            assertThatThrownBy(() -> {
                try (SSLSocket socket = connect(refused)) {
                    socket.startHandshake();
                    exchange(socket, adt("REFUSED-1"));
                }
            }).isInstanceOf(IOException.class);
        }
    }

    @Test
    void plainMllpOnTheTlsPortGetsNoAcknowledgement() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", mllpPort), 5000);
            socket.setSoTimeout(5000);
            String reply;
            try {
                reply = exchange(socket, adt("PLAIN-1"));
            } catch (IOException e) {
                reply = "";
            }
            assertThat(reply).doesNotContain("MSA|");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static SSLSocket connect(SSLContext context) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", mllpPort), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Sends one MLLP frame and reads the reply frame. */
    private static String exchange(Socket socket, String message) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(0x0B);
        out.write(message.getBytes(StandardCharsets.ISO_8859_1));
        out.write(new byte[] {0x1C, 0x0D});
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        int previous = -1;
        for (int b = in.read(); ; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed before a reply");
            }
            if (previous == 0x1C && b == 0x0D) {
                break;
            }
            if (b != 0x0B && b != 0x1C) {
                reply.write(b);
            }
            previous = b;
        }
        return reply.toString(StandardCharsets.ISO_8859_1);
    }

    private static SSLContext sslContext(Path keyStore, Path trustStore) throws Exception {
        KeyManagerFactory keys = null;
        if (keyStore != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                ks.load(in, PASSWORD.toCharArray());
            }
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(ks, PASSWORD.toCharArray());
        }
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            ts.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(ts);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    /** A self-signed CA in {@code <name>.p12}, its certificate in {@code <name>.crt}. */
    private static Path issuer(Path dir, String name, String dn) throws Exception {
        Path store = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dn, "-validity", "2",
                "-ext", "bc:c", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", name, "-file", dir.resolve(name + ".crt").toString(),
                "-keystore", store.toString(), "-storepass", PASSWORD);
        return store;
    }

    /** A key pair in {@code <name>.p12} whose certificate {@code issuer} signed, stored with its chain. */
    private static Path leaf(Path dir, Path issuer, String name, String dn, String san) throws Exception {
        String issuerAlias = issuer.getFileName().toString().replace(".p12", "");
        Path store = dir.resolve(name + ".p12");
        Path request = dir.resolve(name + ".csr");
        Path certificate = dir.resolve(name + ".crt");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dn, "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-certreq", "-alias", name, "-file", request.toString(), "-keystore", store.toString(), "-storepass", PASSWORD);
        List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", issuerAlias, "-infile", request.toString(),
                "-outfile", certificate.toString(), "-validity", "2", "-keystore", issuer.toString(), "-storepass", PASSWORD));
        if (san != null) {
            sign.addAll(List.of("-ext", san));
        }
        keytool(sign.toArray(String[]::new));
        keytool("-importcert", "-noprompt", "-alias", issuerAlias, "-file", dir.resolve(issuerAlias + ".crt").toString(),
                "-keystore", store.toString(), "-storepass", PASSWORD);
        keytool("-importcert", "-alias", name, "-file", certificate.toString(), "-keystore", store.toString(), "-storepass", PASSWORD);
        return store;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
