package io.caduceus.adapters.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.adapters.fabric.FabricGatewayConfig.Deadlines;
import io.caduceus.ingest.ledger.LedgerWriter;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real Gateway stack with no peer up: the heights say so per peer, and what writes through stops first. */
@Timeout(30)
class FabricLedgerTest {

    private static final Deadlines SHORT = new Deadlines(Duration.ofMillis(400), Duration.ofMillis(400),
            Duration.ofMillis(400), Duration.ofMillis(400));

    @TempDir
    Path dir;
    private FabricSettings settings;

    @BeforeEach
    void settings() throws Exception {
        TestIdentity user = TestIdentity.create(dir, "user");
        TestIdentity tlsCa = TestIdentity.create(dir, "tlsca");
        FabricGatewayConfig hospital = new FabricGatewayConfig("HospitalMSP", "127.0.0.1:" + freePort(), tlsCa.cert(),
                Optional.of("peer0.hospital.local"), user.cert(), user.key(), "caduceus", "record-registry", SHORT);
        FabricGatewayConfig auditor = new FabricGatewayConfig("AuditorMSP", "127.0.0.1:" + freePort(), tlsCa.cert(),
                Optional.of("peer0.auditor.local"), user.cert(), user.key(), "caduceus", "record-registry", SHORT);
        settings = new FabricSettings(hospital, hospital,
                List.of(new FabricSettings.Peer("hospital", hospital), new FabricSettings.Peer("auditor", auditor)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void peersThatAreDownAreNamedWithoutAHeight() {
        try (FabricLedger ledger = FabricLedger.open(settings)) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(ledger.peerHeights().values()).allSatisfy(h -> assertThat(h).asString()
                            .startsWith("unavailable: ")));
            assertThat(ledger.peerHeights()).containsOnlyKeys(
                    "hospital@" + settings.peers().get(0).gateway().peerEndpoint(),
                    "auditor@" + settings.peers().get(1).gateway().peerEndpoint());
            assertThat(ledger.peerHeight("auditor")).isNull();
            assertThat(ledger.unavailablePeers()).contains("hospital@").contains("; auditor@");
            assertThat(ledger.status()).containsEntry("channel", "caduceus")
                    .containsEntry("chaincode", "record-registry");
        }
    }

    @Test
    void whatWritesThroughTheLedgerStopsWhenItCloses() {
        AtomicBoolean stopped = new AtomicBoolean();
        AtomicReference<LedgerWriter> given = new AtomicReference<>();
        FabricLedger ledger = FabricLedger.open(settings);
        AutoCloseable writer = ledger.writeThrough(w -> {
            given.set(w);
            return () -> stopped.set(true);
        });
        assertThat(given.get()).isNotNull();
        assertThat(writer).isNotNull();
        ledger.close();
        assertThat(stopped).isTrue();
    }

    @Test
    void aWriterThatCannotStartClosesTheLedger() {
        FabricLedger ledger = FabricLedger.open(settings);
        AtomicBoolean firstStopped = new AtomicBoolean();
        ledger.writeThrough(w -> (AutoCloseable) () -> firstStopped.set(true));
        assertThatThrownBy(() -> ledger.writeThrough(w -> {
            throw new IllegalStateException("no Kafka");
        })).hasMessage("no Kafka");
        assertThat(firstStopped).isTrue();
    }
}
