package io.caduceus.bridge;

import static io.caduceus.bridge.Entries.range;
import static io.caduceus.bridge.Entries.recordId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.core.hash.Digest;
import io.caduceus.core.merkle.ConsistencyProof;
import io.caduceus.core.merkle.MerkleProofs;
import io.caduceus.core.proof.OffChainProofVerifier;
import io.caduceus.core.proof.ProofBundle;
import io.caduceus.core.proof.ProofCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProofServiceTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private final FakeChain chain = new FakeChain();
    private AnchoringLog log;
    private Anchorer anchorer;
    private ProofService proofs;

    @BeforeEach
    void open() {
        log = AnchoringLog.open(dir.resolve("log"));
        anchorer = Anchorer.open(dir.resolve("anchors"), log, new AnchorPolicy(10, Duration.ofHours(1), 2, "caduceus"),
                new AnchorChain(FakeChain.CHAIN_ID, FakeChain.CONTRACT, chain, chain), r -> { });
        proofs = ProofService.of(log, anchorer);
    }

    @AfterEach
    void close() {
        log.close();
    }

    @Test
    void aRecordNotYetAnchoredIsProvenUpToTheHeadWithoutAnchor() {
        log.append(range(0, 7), "7", 1);
        ProofBundle bundle = proofs.proofFor(recordId(4));
        assertThat(bundle.anchor()).isEmpty();
        assertThat(bundle.salt()).isEmpty();
        assertThat(bundle.commitment()).isEqualTo(Entries.commitment(4));
        assertThat(bundle.inclusion().treeSize()).isEqualTo(7);
        assertThat(bundle.root()).isEqualTo(log.head().root());
        assertThat(outcomes(bundle)).containsExactly(ProofCheck.Outcome.SKIPPED, ProofCheck.Outcome.PASSED,
                ProofCheck.Outcome.SKIPPED);
    }

    @Test
    void anAnchoredRecordIsProvenUpToTheLatestConfirmedAnchorCoveringIt() {
        log.append(range(0, 10), "10", 1);
        anchorer.anchorIfDue(T0);
        chain.mine(2);
        anchorer.confirmPending(chain.latestBlock());
        log.append(range(10, 20), "20", 2);
        anchorer.anchorIfDue(T0.plusSeconds(60));
        log.append(range(20, 23), "23", 3); // beyond every anchor
        // The second anchor is not confirmed yet: leaf 5 is proven up to the first one, leaf 15 up to the head.
        assertThat(proofs.proofFor(recordId(5)).anchor().orElseThrow().treeSize()).isEqualTo(10);
        assertThat(proofs.proofFor(recordId(15)).anchor()).isEmpty();
        assertThat(proofs.proofFor(recordId(15)).inclusion().treeSize()).isEqualTo(23);

        chain.mine(2);
        anchorer.confirmPending(chain.latestBlock());
        for (long n : new long[] {0, 5, 9, 10, 19}) {
            ProofBundle bundle = proofs.proofFor(recordId(n));
            assertThat(bundle.anchor().orElseThrow().treeSize()).isEqualTo(20);
            assertThat(bundle.inclusion().leafIndex()).isEqualTo(n);
            assertThat(outcomes(bundle)).containsExactly(ProofCheck.Outcome.SKIPPED, ProofCheck.Outcome.PASSED,
                    ProofCheck.Outcome.PASSED);
            // The on-chain half: the registry holds exactly this root for this size.
            assertThat(Digest.of(chain.rootAt(bundle.inclusion().treeSize()))).isEqualTo(bundle.root());
            assertThat(MerkleProofs.verifyInclusion(bundle.leafHash(), bundle.inclusion(), Digest.of(chain.rootAt(20))))
                    .isTrue();
            ProofBundle reread = ProofBundle.fromJson(bundle.toJson());
            assertThat(outcomes(reread)).doesNotContain(ProofCheck.Outcome.FAILED);
        }
        assertThat(proofs.proofFor(recordId(21)).anchor()).isEmpty();
    }

    @Test
    void consistencyProofsLinkAnchoredRoots() {
        log.append(range(0, 10), "10", 1);
        Digest at10 = log.root(10);
        log.append(range(10, 37), "37", 1);
        ConsistencyProof proof = proofs.consistency(10, 37);
        assertThat(MerkleProofs.verifyConsistency(proof, at10, log.root(37))).isTrue();
        assertThatThrownBy(() -> proofs.consistency(10, 38)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnknownRecordHasNoProof() {
        log.append(range(0, 3), "3", 1);
        assertThatThrownBy(() -> proofs.proofFor(recordId(3))).isInstanceOf(RecordNotLoggedException.class);
    }

    private static List<ProofCheck.Outcome> outcomes(ProofBundle bundle) {
        return OffChainProofVerifier.verify(bundle, Optional.empty()).stream().map(ProofCheck::outcome).toList();
    }
}
