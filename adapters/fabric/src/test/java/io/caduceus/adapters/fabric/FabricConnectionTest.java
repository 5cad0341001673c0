package io.caduceus.adapters.fabric;

import io.caduceus.ingest.ledger.LedgerWriter;
import io.caduceus.ingest.ledger.LedgerException;
import static io.caduceus.ingest.ledger.TestEntries.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.adapters.fabric.FabricGatewayConfig.Deadlines;
import io.caduceus.ingest.ledger.LedgerException.Kind;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Gateway stack, with no peer: proves that the MSP files are read and checked, that TLS channels come up
 * lazily, and that every call is cut off by its deadline and classified.
 */
@Timeout(30)
class FabricConnectionTest {

    private static final Deadlines SHORT = new Deadlines(Duration.ofMillis(400), Duration.ofMillis(400),
            Duration.ofMillis(400), Duration.ofMillis(400));

    @TempDir
    Path dir;
    private TestIdentity user;
    private TestIdentity tlsCa;

    @BeforeEach
    void material() throws Exception {
        user = TestIdentity.create(dir, "user");
        tlsCa = TestIdentity.create(dir, "tlsca");
    }

    private FabricGatewayConfig config(String endpoint, Path key) {
        return new FabricGatewayConfig("HospitalMSP", endpoint, tlsCa.cert(), Optional.of("peer0.hospital.local"),
                user.cert(), key, "caduceus", "record-registry", SHORT);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aPeerThatIsDownIsUnavailableAndRetriable() throws Exception {
        try (FabricConnection connection = FabricConnection.open(config("127.0.0.1:" + freePort(), user.key()))) {
            LedgerWriter writer = connection.ledgerWriter();
            assertThatThrownBy(writer::blockHeight).isInstanceOfSatisfying(LedgerException.class, e -> {
                assertThat(e.kind()).isIn(Kind.UNAVAILABLE, Kind.TIMEOUT);
                assertThat(e.isRetriable()).isTrue();
            });
            assertThatThrownBy(() -> writer.putEntries(List.of(entry(1))))
                    .isInstanceOfSatisfying(LedgerException.class, e -> {
                        assertThat(e.isRetriable()).isTrue();
                        assertThat(e.transactionId()).isPresent();
                        assertThat(e.getMessage()).doesNotContain(entry(1).commitment().hex());
                    });
            assertThat(connection.toString()).contains("HospitalMSP").doesNotContain(user.keyBody());
        }
    }

    @Test
    void aPeerThatNeverAnswersIsCutOffByTheDeadline() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // and never answer the TLS handshake
                    }
                } catch (IOException closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (FabricConnection connection = FabricConnection.open(config("127.0.0.1:" + silent.getLocalPort(),
                    user.key()))) {
                LedgerWriter writer = connection.ledgerWriter();
                long start = System.nanoTime();
                assertThatThrownBy(() -> writer.batch("tx1"))
                        .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
                assertThatThrownBy(() -> writer.putEntries(List.of(entry(1))))
                        .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT));
            }
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void aKeyThatDoesNotMatchTheCertificateIsRefusedUpFront() {
        assertThatThrownBy(() -> FabricConnection.open(config("127.0.0.1:7051", tlsCa.key())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(tlsCa.keyBody()));
    }

    @Test
    void anUnreadableKeyIsReportedWithoutItsContent() throws Exception {
        Path garbled = Files.writeString(dir.resolve("garbled.pem"),
                "-----BEGIN PRIVATE KEY-----\n" + user.keyBody() + "!!\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> FabricConnection.open(config("127.0.0.1:7051", garbled)))
                .isInstanceOfSatisfying(IllegalArgumentException.class, e -> {
                    assertThat(e.getMessage()).contains("garbled.pem").doesNotContain(user.keyBody());
                    assertThat(e.getCause()).isNull();
                });
        assertThatThrownBy(() -> FabricConnection.open(config("127.0.0.1:7051", dir.resolve("missing.pem"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");
    }

    @Test
    void missingCertificatesAreNamed() throws Exception {
        FabricGatewayConfig noCa = new FabricGatewayConfig("HospitalMSP", "127.0.0.1:7051", dir.resolve("no-ca.pem"),
                Optional.empty(), user.cert(), user.key(), "caduceus", "cc", SHORT);
        assertThatThrownBy(() -> FabricConnection.open(noCa)).hasMessageContaining("no-ca.pem");
        FabricGatewayConfig badCert = new FabricGatewayConfig("HospitalMSP", "127.0.0.1:7051", tlsCa.cert(),
                Optional.empty(), Files.writeString(dir.resolve("bad-cert.pem"), "nope"), user.key(), "caduceus", "cc",
                SHORT);
        assertThatThrownBy(() -> FabricConnection.open(badCert)).hasMessageContaining("bad-cert.pem");
    }
}
