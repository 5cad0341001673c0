package io.caduceus.adapters.fabric.anchoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.bridge.AnchoringLog;
import io.caduceus.bridge.anchoring.AnchorLatency;
import io.caduceus.bridge.anchoring.CommittedPosition;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.MessageId;
import io.caduceus.core.domain.RecordIds;
import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hyperledger.fabric.client.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FabricLedgerFeedTest {

    @TempDir
    Path dir;

    private static LedgerEntry entry(String controlId, String content) {
        SourceSystem lab = new SourceSystem("LIS", "GENERAL");
        return new LedgerEntry(new RecordIds(new DeploymentKeys(new byte[32])).forMessage(new MessageId(lab, controlId)),
                Sha256.digest(content.getBytes(StandardCharsets.UTF_8)), "ORU^R01", lab,
                Instant.parse("2026-12-07T10:00:00Z"), Optional.empty());
    }

    @Test
    void theLogsPositionIsTheCheckpoint() {
        Checkpoint none = FabricLedgerFeed.checkpoint(Optional.empty());
        assertThat(none.getBlockNumber()).isEmpty();
        assertThat(FabricLedgerFeed.checkpoint(Optional.of("p0:12,p1:3")).getBlockNumber())
                .as("a log the Kafka feed filled replays the channel from its start").isEmpty();
        Checkpoint at = FabricLedgerFeed.checkpoint(Optional.of(CommittedPosition.of(42, "ab12")));
        assertThat(at.getBlockNumber()).hasValue(42);
        assertThat(at.getTransactionId()).contains("ab12");
        assertThat(CommittedPosition.origin("fabric:42:ab12")).contains(Map.entry(42L, "ab12"));
        assertThat(CommittedPosition.origin("p0:12")).isEmpty();
        assertThatThrownBy(() -> FabricLedgerFeed.checkpoint(Optional.of("fabric:nonsense")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void committedEntriesAreLoggedOnceWithTheirTransactionAndAConflictIsRefusedAndShown() throws Exception {
        LedgerEntry a = entry("A1", "a");
        LedgerEntry b = entry("B1", "b");
        LedgerEntry forgedA = entry("A1", "not a");
        try (AnchoringLog log = AnchoringLog.open(dir.resolve("log"))) {
            FabricLedgerFeed feed = new FabricLedgerFeed(log, "caduceus", (progress, listener) -> {
                throw new AssertionError("not started in this test");
            }, new AnchorLatency());

            feed.append(7, "tx-1", List.of(a, b));
            feed.append(9, "tx-2", List.of(forgedA, b));

            assertThat(log.size()).isEqualTo(2);
            assertThat(log.commitment(log.leafIndex(a.recordId()).getAsLong())).isEqualTo(a.commitment());
            assertThat(log.positionOf(log.leafIndex(b.recordId()).getAsLong())).contains("fabric:7:tx-1");
            assertThat(log.position()).contains("fabric:9:tx-2");
            assertThat(log.fabricBlockHeight()).isEqualTo(10);
            Map<String, Object> status = feed.status();
            assertThat(status).containsEntry("conflicts", 1L).containsEntry("lastBlock", 9L)
                    .containsEntry("latestConflicts", List.of(a.recordId().value()));
        }
    }
}
