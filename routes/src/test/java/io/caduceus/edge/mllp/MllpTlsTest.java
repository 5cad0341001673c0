package io.caduceus.edge.mllp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.caduceus.routes.AppWithoutKafka;
import io.caduceus.routes.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HexFormat;
import java.util.List;
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
        TestPki ca = TestPki.create(tmp.resolve("pki"), "CN=Caduceus Test CA");
        TestPki otherCa = TestPki.create(tmp.resolve("other-pki"), "CN=Somebody Else's CA");
        Path server = ca.write(ca.issue("server", "CN=caduceus.test", "san=ip:127.0.0.1,dns:localhost", "eku=serverAuth"), "server.p12");
        Path trust = ca.write(ca.trustStore(), "trust.p12");

        trustedSender = sslContext(ca.issue("sender", "CN=his.general-hospital.test", null, "eku=clientAuth"), ca.trustStore());
        senderWithoutCertificate = sslContext(null, ca.trustStore());
        senderFromAnotherCa = sslContext(otherCa.issue("rogue", "CN=his.general-hospital.test", null, "eku=clientAuth"), ca.trustStore());

        mllpPort = AppWithoutKafka.freePort();
        main = AppWithoutKafka.start(tmp,
                "camel.server.port=" + AppWithoutKafka.freePort(),
                "caduceus.mllp.port=" + mllpPort,
                "caduceus.mllp.tls.enabled=true",
                "caduceus.mllp.tls.client-auth=true",
                "camel.ssl.enabled=true",
                "camel.ssl.key-store=file:" + server,
                "camel.ssl.keystore-password=" + TestPki.PASSWORD,
                "camel.ssl.trust-store=file:" + trust,
                "camel.ssl.trust-store-password=" + TestPki.PASSWORD,
                "camel.component.netty.use-global-ssl-context-parameters=true");
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

    private static SSLContext sslContext(KeyStore identity, KeyStore trustStore) throws Exception {
        KeyManagerFactory keys = null;
        if (identity != null) {
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(identity, TestPki.PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }
}
