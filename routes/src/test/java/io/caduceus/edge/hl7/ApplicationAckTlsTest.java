package io.caduceus.edge.hl7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.routes.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Application acknowledgements over TLS to a sender's listener: trust, hostname verification, client certificates. */
class ApplicationAckTlsTest {

    private static final CamelContext CONTEXT = new DefaultCamelContext();
    private static final String ACK = "MSH|^~\\&|CADUCEUS|HUB|HIS|HOSPITAL|20261125101530.000+0000||ACK^A01^ACK|CAD1|P|2.5.1|||AL|NE\r"
            + "MSA|AA|MSG-42\r";

    @TempDir
    static Path tmp;

    private static TestPki pki;
    private static SSLContext listenerTls;
    private static SSLContext wrongNameTls;
    private static SSLContext foreignTls;
    private static Path trustStore;
    private static Path password;
    private static Path clientKeyStore;

    @BeforeAll
    static void pki() throws Exception {
        pki = TestPki.create(tmp.resolve("pki"), "CN=Senders CA,O=General Hospital");
        listenerTls = serverContext(pki.issue("listener", "CN=his-listener", "san=ip:127.0.0.1,dns:localhost", "eku=serverAuth"), null);
        // Trusted CA, but the certificate is for another host: chain alone must not be enough.
        wrongNameTls = serverContext(pki.issue("elsewhere", "CN=127.0.0.1", "san=dns:his.elsewhere.example", "eku=serverAuth"), null);
        TestPki other = TestPki.create(tmp.resolve("other"), "CN=Unknown CA");
        foreignTls = serverContext(other.issue("foreign", "CN=his-listener", "san=ip:127.0.0.1,dns:localhost", "eku=serverAuth"), null);
        trustStore = pki.write(pki.trustStore(), "trust.p12");
        clientKeyStore = pki.write(pki.issue("caduceus", "CN=caduceus", null, "eku=clientAuth"), "client.p12");
        password = Files.writeString(tmp.resolve("store.password"), TestPki.PASSWORD + "\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterAll
    static void closeContext() throws Exception {
        CONTEXT.close();
    }

    @Test
    void anAcknowledgementGoesOverTlsToAListenerWhoseCertificateNamesTheHost() throws Exception {
        ApplicationAckSender sender = sender(true, null);
        try (SenderMllpListener listener = SenderMllpListener.tlsOnFreePort("CA", listenerTls, false)) {
            sender.send(ackTo("127.0.0.1", listener.port(), ApplicationAckDestinations.Transport.DEFAULT));
            sender.send(ackTo("localhost", listener.port(), ApplicationAckDestinations.Transport.TLS));
            assertThat(listener.received()).containsExactly(ACK, ACK);
        }
        assertThat(sender.delivered()).isEqualTo(2);
    }

    @Test
    void aTrustedCertificateForAnotherHostIsRefused() throws Exception {
        ApplicationAckSender sender = sender(true, null);
        try (SenderMllpListener listener = SenderMllpListener.tlsOnFreePort("CA", wrongNameTls, false)) {
            assertThatThrownBy(() -> sender.send(ackTo("127.0.0.1", listener.port(), ApplicationAckDestinations.Transport.DEFAULT)))
                    .isInstanceOf(ApplicationAckSender.ApplicationAckNotDeliveredException.class)
                    .hasMessageContaining("SSLHandshakeException");
            assertThat(listener.received()).isEmpty();
        }
    }

    @Test
    void aCertificateFromAnUntrustedCaIsRefused() throws Exception {
        ApplicationAckSender sender = sender(true, null);
        try (SenderMllpListener listener = SenderMllpListener.tlsOnFreePort("CA", foreignTls, false)) {
            assertThatThrownBy(() -> sender.send(ackTo("127.0.0.1", listener.port(), ApplicationAckDestinations.Transport.DEFAULT)))
                    .isInstanceOf(ApplicationAckSender.ApplicationAckNotDeliveredException.class)
                    .hasMessageContaining("SSLHandshakeException");
            assertThat(listener.received()).isEmpty();
        }
    }

    @Test
    void aListenerAskingForAClientCertificateGetsOurs() throws Exception {
        try (SenderMllpListener listener = SenderMllpListener.tlsOnFreePort("CA", serverContext(
                pki.issue("mutual", "CN=his-listener", "san=ip:127.0.0.1", "eku=serverAuth"), TestPki.load(trustStore)), true)) {
            assertThatThrownBy(() -> sender(true, null).send(ackTo("127.0.0.1", listener.port(), ApplicationAckDestinations.Transport.DEFAULT)))
                    .isInstanceOf(ApplicationAckSender.ApplicationAckNotDeliveredException.class);
            sender(true, clientKeyStore).send(ackTo("127.0.0.1", listener.port(), ApplicationAckDestinations.Transport.DEFAULT));
            assertThat(listener.received()).containsExactly(ACK);
        }
    }

    @Test
    void eachDestinationCanChooseItsTransport() throws Exception {
        ApplicationAckSender tlsByDefault = sender(true, null);
        ApplicationAckSender plainByDefault = sender(false, null);
        try (SenderMllpListener plain = SenderMllpListener.onFreePort("CA");
                SenderMllpListener secure = SenderMllpListener.tlsOnFreePort("CA", listenerTls, false)) {
            tlsByDefault.send(ackTo("127.0.0.1", plain.port(), ApplicationAckDestinations.Transport.TCP));
            plainByDefault.send(ackTo("127.0.0.1", secure.port(), ApplicationAckDestinations.Transport.TLS));
            assertThat(plain.received()).containsExactly(ACK);
            assertThat(secure.received()).containsExactly(ACK);
            // TLS by default to a plain listener: no handshake, nothing delivered in clear.
            assertThatThrownBy(() -> tlsByDefault.send(ackTo("127.0.0.1", plain.port(), ApplicationAckDestinations.Transport.DEFAULT)))
                    .isInstanceOf(ApplicationAckSender.ApplicationAckNotDeliveredException.class);
            // (the listener may have taken handshake bytes for a frame; the acknowledgement itself never went in clear)
            assertThat(plain.received()).filteredOn(ACK::equals).hasSize(1);
        }
    }

    @Test
    void destinationsNameTheirTransport() {
        ApplicationAckDestinations destinations = ApplicationAckDestinations.parse(
                "HIS^HOSPITAL=tls://his.example:2576, LAB^*=TCP://lab.example:6661, RIS^*=ris.example:7000");
        assertThat(destinations.forSender("HIS", "HOSPITAL")).contains(
                new ApplicationAckDestinations.Destination("his.example", 2576, ApplicationAckDestinations.Transport.TLS));
        assertThat(destinations.forSender("LAB", "X")).hasValueSatisfying(d -> {
            assertThat(d.tls(true)).isFalse();
            assertThat(d).hasToString("tcp://lab.example:6661");
        });
        assertThat(destinations.forSender("RIS", "X")).hasValueSatisfying(d -> {
            assertThat(d.tls(true)).isTrue();
            assertThat(d.tls(false)).isFalse();
        });
        assertThat(destinations.anyTls(false)).isTrue();
    }

    @Test
    void anUnusableTrustStoreStopsTheStart() throws Exception {
        Path open = Files.writeString(tmp.resolve("open.password"), TestPki.PASSWORD);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> new ApplicationAckSender(new ApplicationAckSettings(ApplicationAckDestinations.none(),
                Duration.ofSeconds(2), Duration.ofSeconds(5), 0, new ApplicationAckSettings.Tls(true, trustStore, open, null, null))))
                .hasMessageContaining("caduceus.mllp.application-ack.tls.trust-store-password-file").hasMessageContaining("chmod 600");
        assertThatThrownBy(() -> new ApplicationAckSender(new ApplicationAckSettings(ApplicationAckDestinations.none(),
                Duration.ofSeconds(2), Duration.ofSeconds(5), 0, new ApplicationAckSettings.Tls(true, trustStore, null, clientKeyStore, null))))
                .hasMessageContaining("key-store-password-file");
    }

    private static ApplicationAckSender sender(boolean tlsByDefault, Path keyStore) {
        return new ApplicationAckSender(new ApplicationAckSettings(ApplicationAckDestinations.none(), Duration.ofSeconds(5),
                Duration.ofSeconds(5), 3, new ApplicationAckSettings.Tls(tlsByDefault, trustStore, password, keyStore,
                        keyStore == null ? null : password)));
    }

    private static Exchange ackTo(String host, int port, ApplicationAckDestinations.Transport transport) {
        Exchange exchange = new DefaultExchange(CONTEXT);
        exchange.setProperty(IngestExchange.APPLICATION_ACK_DESTINATION, new ApplicationAckDestinations.Destination(host, port, transport));
        exchange.setProperty(IngestExchange.APPLICATION_ACK_SENDER, "HIS^HOSPITAL");
        exchange.getMessage().setBody(ACK.getBytes(StandardCharsets.ISO_8859_1));
        return exchange;
    }

    private static SSLContext serverContext(KeyStore identity, KeyStore trust) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(identity, TestPki.PASSWORD.toCharArray());
        TrustManagerFactory trusted = null;
        if (trust != null) {
            trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trusted.init(trust);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trusted == null ? null : trusted.getTrustManagers(), null);
        return context;
    }
}
