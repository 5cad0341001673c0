package io.caduceus.it.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caduceus.adapters.fabric.BlockEventFollower;
import io.caduceus.ingest.ledger.CommitResult;
import io.caduceus.adapters.fabric.FabricConnection;
import io.caduceus.adapters.fabric.FabricGatewayConfig;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.MessageId;
import io.caduceus.core.domain.RecordIds;
import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Sha256;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Fabric network is real: a ledger entry submitted through the Gateway SDK as the hospital is committed VALID,
 * endorsed by both organisations, and its batch is read back by the auditor organisation and arrives, with the entry
 * itself, on the chaincode event stream. Where no Fabric binaries are found the devnet says so and this test is
 * skipped with that reason, never passed.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"fabric"})
class FabricDevnetIT {

    @Test
    void anEntrySubmittedByTheHospitalIsCommittedAndReadBackByTheAuditor() {
        SourceSystem lab = new SourceSystem("LIS", "GENERAL");
        LedgerEntry entry = new LedgerEntry(new RecordIds(new DeploymentKeys(new byte[32])).forMessage(new MessageId(lab, "FABRIC-IT-" + System.nanoTime())),
                Sha256.digest("commitment".getBytes(StandardCharsets.UTF_8)), "ORU^R01", lab, Instant.now(), Optional.empty());
        try (FabricConnection hospital = FabricConnection.open(FabricGatewayConfig.fromProperties(Devnet.connection(), "hospital"));
                FabricConnection auditor = FabricConnection.open(FabricGatewayConfig.fromProperties(Devnet.connection(), "auditor"))) {
            CommitResult committed = hospital.ledgerWriter().putEntries(List.of(entry));
            assertThat(committed.validationCode()).isEqualTo("VALID");
            assertThat(committed.entries()).isEqualTo(1);
            assertThat(auditor.ledgerWriter().batch(committed.transactionId())).hasValueSatisfying(batch -> assertThat(batch)
                    .contains("\"batchDigest\":\"" + committed.batchDigest() + "\"", "\"count\":1"));
            assertThat(auditor.ledgerWriter().blockHeight()).isGreaterThan(committed.blockNumber());

            List<LedgerEntry> seen = new CopyOnWriteArrayList<>();
            try (BlockEventFollower follower = auditor.eventFollower(
                    BlockEventFollower.Progress.keptBy(() -> BlockEventFollower.Progress.at(committed.blockNumber(), null)),
                    (block, tx, entries) -> {
                        if (tx.equals(committed.transactionId())) {
                            seen.addAll(entries);
                        }
                    })) {
                follower.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> !seen.isEmpty());
            }
            assertThat(seen).containsExactly(entry);
        }
    }
}
