package io.caduceus.bridge.anchoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.MessageId;
import io.caduceus.core.domain.RecordIds;
import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnchorLatencyTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    private static LedgerEntry receivedAt(String id, long offsetMillis) {
        SourceSystem his = new SourceSystem("HIS", "GENERAL");
        return new LedgerEntry(new RecordIds(new DeploymentKeys(new byte[32])).forMessage(new MessageId(his, id)), Sha256.digest(id.getBytes(StandardCharsets.UTF_8)),
                "ADT^A01", his, T0.plusMillis(offsetMillis), Optional.empty());
    }

    @Test
    void appendsCountOnceAConfirmedAnchorCoversThem() {
        AnchorLatency latency = new AnchorLatency();
        latency.appended(2, List.of(receivedAt("a", 0), receivedAt("b", 500)));
        latency.appended(3, List.of(receivedAt("c", 3_000)));

        latency.confirmed(2, T0.plusSeconds(10));
        assertThat(latency.summary()).containsEntry("count", 2L).containsEntry("maxMs", 10_000L);

        latency.confirmed(2, T0.plusSeconds(20));
        assertThat(latency.summary()).as("an append counts once").containsEntry("count", 2L);

        latency.confirmed(5, T0.plusSeconds(11));
        assertThat(latency.summary()).containsEntry("count", 4L).containsEntry("p50Ms", 8_000L).containsEntry("maxMs", 10_000L);
    }
}
