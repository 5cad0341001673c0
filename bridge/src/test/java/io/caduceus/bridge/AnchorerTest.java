package io.caduceus.bridge;

import static io.caduceus.bridge.Entries.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.hash.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnchorerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final AnchorPolicy POLICY = new AnchorPolicy(10, Duration.ofMinutes(10), 3, "caduceus");

    @TempDir
    Path dir;

    private final FakeChain chain = new FakeChain();
    private final List<AnchorReceipt> delivered = new ArrayList<>();
    private AnchoringLog log;
    private Anchorer anchorer;

    @BeforeEach
    void open() {
        log = AnchoringLog.open(dir.resolve("log"));
        anchorer = anchorer(log, POLICY);
    }

    @AfterEach
    void close() {
        log.close();
    }

    private Anchorer anchorer(AnchoringLog anchoringLog, AnchorPolicy policy) {
        return Anchorer.open(dir.resolve("anchors"), anchoringLog, policy,
                new AnchorChain(FakeChain.CHAIN_ID, FakeChain.CONTRACT, chain, chain), delivered::add);
    }

    @Test
    void anchorsWhenMaxEntriesAreUnanchored() {
        log.append(range(0, 9), "9", 4);
        assertThat(anchorer.anchorIfDue(T0).kind()).isEqualTo(AnchorOutcome.Kind.NOT_DUE);
        log.append(range(9, 10), "10", 5);
        AnchorOutcome outcome = anchorer.anchorIfDue(T0.plusSeconds(1));
        assertThat(outcome.kind()).isEqualTo(AnchorOutcome.Kind.ANCHORED);
        assertThat(outcome.treeSize()).isEqualTo(10);
        assertThat(chain.latestTreeSize()).isEqualTo(10);
        assertThat(Digest.of(chain.rootAt(10))).isEqualTo(log.root(10));
        assertThat(anchorer.status(T0).pendingAnchors()).isEqualTo(1);
        // Nothing new: no second anchor.
        assertThat(anchorer.anchorIfDue(T0.plusSeconds(3600)).kind()).isEqualTo(AnchorOutcome.Kind.NOT_DUE);
        assertThat(chain.anchorCalls).isEqualTo(1);
    }

    @Test
    void anchorsWhenMaxIntervalPassedWithAtLeastOneNewLeaf() {
        assertThat(anchorer.anchorIfDue(T0).kind()).isEqualTo(AnchorOutcome.Kind.NOT_DUE);
        assertThat(anchorer.anchorIfDue(T0.plus(Duration.ofMinutes(11))).kind()).isEqualTo(AnchorOutcome.Kind.NOT_DUE);
        log.append(range(0, 1), "1", 1);
        assertThat(anchorer.anchorIfDue(T0.plus(Duration.ofMinutes(11))).kind()).isEqualTo(AnchorOutcome.Kind.ANCHORED);
        log.append(range(1, 3), "3", 1);
        Instant last = T0.plus(Duration.ofMinutes(11));
        assertThat(anchorer.anchorIfDue(last.plus(Duration.ofMinutes(9))).kind()).isEqualTo(AnchorOutcome.Kind.NOT_DUE);
        assertThat(anchorer.anchorIfDue(last.plus(Duration.ofMinutes(10))).treeSize()).isEqualTo(3);
    }

    @Test
    void confirmsAfterEnoughBlocksRecordsTheReceiptAndHandsItToTheSink() throws Exception {
        log.append(range(0, 10), "10", 42);
        AnchorOutcome sent = anchorer.anchorIfDue(T0);
        long block = chain.latestBlock();
        chain.mine(2);
        assertThat(anchorer.confirmPending(chain.latestBlock())).isEmpty();
        chain.mine(1);
        List<AnchorReceipt> confirmed = anchorer.confirmPending(chain.latestBlock());
        assertThat(confirmed).hasSize(1);
        AnchorReceipt receipt = confirmed.get(0);
        assertThat(receipt.transactionHash()).isEqualTo(sent.transactionHash().orElseThrow());
        assertThat(receipt.blockNumber()).isEqualTo(block);
        assertThat(receipt.treeSize()).isEqualTo(10);
        assertThat(receipt.root()).isEqualTo(log.root(10));
        assertThat(receipt.chainId()).isEqualTo(FakeChain.CHAIN_ID);
        assertThat(receipt.contractAddress()).isEqualTo(FakeChain.CONTRACT);
        assertThat(receipt.fabricChannel()).isEqualTo("caduceus");
        assertThat(receipt.fabricBlockHeight()).isEqualTo(42);
        assertThat(delivered).containsExactly(receipt);
        assertThat(Files.readAllLines(dir.resolve("anchors").resolve("receipts.jsonl"))).containsExactly(receipt.toJson());

        AnchoringStatus status = anchorer.status(receipt.blockTime().plusSeconds(30));
        assertThat(status.unanchoredEntries()).isZero();
        assertThat(status.secondsSinceLastConfirmed()).hasValue(30);
        assertThat(status.lastAnchoredSize()).isEqualTo(10);
        assertThat(status.lastAnchoredRoot()).contains(log.root(10));
        assertThat(status.pendingAnchors()).isZero();

        Anchorer reopened = anchorer(log, POLICY);
        assertThat(reopened.confirmedReceipts()).containsExactly(receipt);
        assertThat(reopened.status(T0).pendingAnchors()).isZero();
        assertThat(reopened.status(T0).undeliveredReceipts()).isZero();
    }

    @Test
    void refusesToAnchorARewrittenHistory() {
        log.append(range(0, 10), "10", 1);
        anchorer.anchorIfDue(T0);
        Digest honest = Digest.of(chain.rootAt(10));

        // The same feed, but leaf 3 was changed after the fact, and more entries came.
        List<LedgerEntry> forged = new ArrayList<>(range(0, 25));
        forged.set(3, Entries.entry(3, Sha256.digest(new byte[] {1})));
        try (AnchoringLog forgedLog = AnchoringLog.open(dir.resolve("forged"))) {
            forgedLog.append(forged, "25", 1);
            Anchorer forger = Anchorer.open(dir.resolve("forged-anchors"), forgedLog, POLICY,
                    new AnchorChain(FakeChain.CHAIN_ID, FakeChain.CONTRACT, chain, chain), r -> { });
            int callsBefore = chain.anchorCalls;
            assertThatThrownBy(() -> forger.anchorIfDue(T0))
                    .isInstanceOf(InconsistentHistoryException.class)
                    .hasMessageContaining("does not extend the root the registry holds for size 10");
            assertThat(chain.anchorCalls).isEqualTo(callsBefore);
            assertThat(chain.latestTreeSize()).isEqualTo(10);
            assertThat(Digest.of(chain.rootAt(10))).isEqualTo(honest);
        }
    }

    @Test
    void aReorgThatDropsThePendingAnchorLeadsToANewAnchorCoveringTheRange() {
        log.append(range(0, 10), "10", 1);
        String lost = anchorer.anchorIfDue(T0).transactionHash().orElseThrow();
        log.append(range(10, 15), "15", 2);
        chain.reorg(1, false);
        chain.mine(3);
        assertThat(chain.latestTreeSize()).isZero();

        assertThat(anchorer.confirmPending(chain.latestBlock())).isEmpty();
        assertThat(anchorer.status(T0).pendingAnchors()).isZero();
        // Only five unanchored since the lost anchor, below maxEntries: re-anchored anyway, at the newer head.
        AnchorOutcome again = anchorer.anchorIfDue(T0.plusSeconds(60));
        assertThat(again.kind()).isEqualTo(AnchorOutcome.Kind.ANCHORED);
        assertThat(again.treeSize()).isEqualTo(15);
        chain.mine(3);
        List<AnchorReceipt> confirmed = anchorer.confirmPending(chain.latestBlock());
        assertThat(confirmed).extracting(AnchorReceipt::treeSize).containsExactly(15L);
        assertThat(confirmed.get(0).transactionHash()).isNotEqualTo(lost);
    }

    @Test
    void aReorgThatReMinesThePendingAnchorLaterRecountsConfirmations() {
        log.append(range(0, 10), "10", 1);
        String hash = anchorer.anchorIfDue(T0).transactionHash().orElseThrow();
        long firstBlock = chain.latestBlock();
        chain.mine(2);
        chain.reorg(3, true); // the anchor's block and two more replaced; the anchor re-mined after them
        long newBlock = chain.latestBlock();
        assertThat(newBlock).isGreaterThan(firstBlock);
        assertThat(anchorer.confirmPending(chain.latestBlock())).isEmpty();
        chain.mine(3);
        List<AnchorReceipt> confirmed = anchorer.confirmPending(chain.latestBlock());
        assertThat(confirmed).hasSize(1);
        assertThat(confirmed.get(0).transactionHash()).isEqualTo(hash);
        assertThat(confirmed.get(0).blockNumber()).isEqualTo(newBlock);
        assertThat(chain.anchorCalls).isEqualTo(1);
    }

    @Test
    void anRpcOutageChangesNothingAndTheNextTickRetries() {
        log.append(range(0, 10), "10", 1);
        chain.down = true;
        AnchorOutcome outcome = anchorer.anchorIfDue(T0);
        assertThat(outcome.kind()).isEqualTo(AnchorOutcome.Kind.RETRY_LATER);
        assertThat(anchorer.status(T0).pendingAnchors()).isZero();
        chain.down = false;
        assertThat(anchorer.anchorIfDue(T0.plusSeconds(5)).kind()).isEqualTo(AnchorOutcome.Kind.ANCHORED);

        chain.mine(5);
        chain.down = true;
        assertThat(anchorer.confirmPending(chain.latestBlock())).isEmpty();
        assertThat(anchorer.status(T0).pendingAnchors()).isEqualTo(1);
        chain.down = false;
        assertThat(anchorer.confirmPending(chain.latestBlock())).hasSize(1);
    }

    @Test
    void anAnchorWhoseReceiptTimedOutIsFoundOnChainAndNotSentTwice() {
        log.append(range(0, 10), "10", 1);
        chain.loseNextReceipt = true;
        assertThat(anchorer.anchorIfDue(T0).kind()).isEqualTo(AnchorOutcome.Kind.RETRY_LATER);
        assertThat(chain.latestTreeSize()).isEqualTo(10);

        AnchorOutcome next = anchorer.anchorIfDue(T0.plusSeconds(30));
        assertThat(next.kind()).isEqualTo(AnchorOutcome.Kind.RECONCILED);
        assertThat(next.treeSize()).isEqualTo(10);
        assertThat(chain.anchorCalls).isEqualTo(1);
        chain.mine(3);
        assertThat(anchorer.confirmPending(chain.latestBlock())).extracting(AnchorReceipt::transactionHash)
                .containsExactly(next.transactionHash().orElseThrow());
    }

    @Test
    void treeSizeMustGrowIsReconciledByAdoptingWhatTheChainHolds() {
        log.append(range(0, 10), "10", 1);
        String[] landed = new String[1];
        // A previous process's anchor of the same head lands between the anchorer's check and its send.
        chain.beforeNextAnchor = () -> landed[0] = chain.anchorDirectly(10, log.root(10).toBytes());
        AnchorOutcome outcome = anchorer.anchorIfDue(T0);
        assertThat(outcome.kind()).isEqualTo(AnchorOutcome.Kind.RECONCILED);
        assertThat(outcome.transactionHash()).contains(landed[0]);
        chain.mine(3);
        assertThat(anchorer.confirmPending(chain.latestBlock())).extracting(AnchorReceipt::transactionHash)
                .containsExactly(landed[0]);
        // And anchoring goes on from there.
        log.append(range(10, 20), "20", 2);
        assertThat(anchorer.anchorIfDue(T0.plusSeconds(60)).treeSize()).isEqualTo(20);
    }

    @Test
    void aChainAheadOfTheLogStopsAnchoring() {
        log.append(range(0, 10), "10", 1);
        chain.anchorDirectly(100, Sha256.digest(new byte[] {9}).toBytes());
        assertThatThrownBy(() -> anchorer.anchorIfDue(T0)).isInstanceOf(ChainAheadOfLogException.class);
        assertThat(chain.anchorCalls).isZero();
    }

    @Test
    void aReceiptTheSinkRefusedIsOfferedAgain() {
        List<AnchorReceipt> accepted = new ArrayList<>();
        boolean[] fail = {true};
        Anchorer flaky = Anchorer.open(dir.resolve("flaky"), log, POLICY,
                new AnchorChain(FakeChain.CHAIN_ID, FakeChain.CONTRACT, chain, chain), r -> {
                    if (fail[0]) {
                        throw new IllegalStateException("fabric unavailable");
                    }
                    accepted.add(r);
                });
        log.append(range(0, 10), "10", 1);
        flaky.anchorIfDue(T0);
        chain.mine(3);
        assertThat(flaky.confirmPending(chain.latestBlock())).hasSize(1);
        assertThat(accepted).isEmpty();
        assertThat(flaky.status(T0).undeliveredReceipts()).isEqualTo(1);
        fail[0] = false;
        assertThat(flaky.confirmPending(chain.latestBlock())).isEmpty();
        assertThat(accepted).hasSize(1);
        assertThat(flaky.status(T0).undeliveredReceipts()).isZero();
    }

    @Test
    void statusCountsWhatIsNotYetConfirmed() {
        log.append(range(0, 25), "25", 1);
        anchorer.anchorIfDue(T0);
        log.append(range(25, 30), "30", 1);
        AnchoringStatus status = anchorer.status(T0);
        assertThat(status.logSize()).isEqualTo(30);
        assertThat(status.unanchoredEntries()).isEqualTo(30);
        assertThat(status.pendingAnchors()).isEqualTo(1);
        assertThat(status.secondsSinceLastConfirmed()).isEmpty();
        assertThat(status.lastAnchoredTransaction()).isEmpty();
    }

    // ---- anchors the chain lost after their confirmation ----------------------------------------------------------

    /** Anchors the first ten leaves and confirms them; returns the receipt. */
    private AnchorReceipt anchoredAndConfirmed() {
        log.append(range(0, 10), "10", 1);
        assertThat(anchorer.anchorIfDue(T0).kind()).isEqualTo(AnchorOutcome.Kind.ANCHORED);
        chain.mine(POLICY.confirmations());
        List<AnchorReceipt> confirmed = anchorer.confirmPending(chain.latestBlock());
        assertThat(confirmed).hasSize(1);
        return confirmed.get(0);
    }

    @Test
    void anchorsTheChainStillHoldsAreLeftAlone() {
        anchoredAndConfirmed();
        chain.mine(20);
        assertThat(anchorer.checkAnchorsHeld(T0.plusSeconds(5))).isEmpty();
        assertThat(anchorer.confirmedReceipts()).hasSize(1);
        assertThat(anchorer.lostAnchors()).isEmpty();
        assertThat(anchorer.anchorIfDue(T0.plusSeconds(6)).kind()).isEqualTo(AnchorOutcome.Kind.NOT_DUE);
    }

    @Test
    void aReorgDeeperThanTheConfirmationsIsRecordedAndTheHeadAnchoredAgainAtOnce() {
        AnchorReceipt gone = anchoredAndConfirmed();
        chain.reorg(POLICY.confirmations() + 1, false); // the anchor's block and every confirmation
        Instant detected = T0.plusSeconds(30);

        List<LostAnchor> lost = anchorer.checkAnchorsHeld(detected);

        assertThat(lost).singleElement().satisfies(l -> {
            assertThat(l.receipt()).isEqualTo(gone);
            assertThat(l.detectedAt()).isEqualTo(detected);
            assertThat(l.reason()).contains("no longer in the canonical chain");
        });
        assertThat(anchorer.confirmedReceipts()).as("proofs no longer use the lost anchor").isEmpty();
        // Nothing new since, and max-interval far away: anchored anyway, the same size again.
        AnchorOutcome again = anchorer.anchorIfDue(detected);
        assertThat(again.kind()).isEqualTo(AnchorOutcome.Kind.ANCHORED);
        assertThat(again.treeSize()).isEqualTo(10);
        chain.mine(POLICY.confirmations());
        List<AnchorReceipt> confirmed = anchorer.confirmPending(chain.latestBlock());
        assertThat(confirmed).singleElement().satisfies(r -> {
            assertThat(r.root()).isEqualTo(gone.root());
            assertThat(r.transactionHash()).isNotEqualTo(gone.transactionHash());
        });
        assertThat(delivered).as("the new receipt goes to the sink too").hasSize(2).last().isEqualTo(confirmed.get(0));
        assertThat(anchorer.checkAnchorsHeld(detected.plusSeconds(5))).isEmpty();
    }

    @Test
    void aChainRestartedFromGenesisLosesEveryAnchorOfItsRegistry() {
        AnchorReceipt first = anchoredAndConfirmed();
        log.append(range(10, 20), "20", 2);
        anchorer.anchorIfDue(T0.plusSeconds(1));
        chain.mine(POLICY.confirmations());
        AnchorReceipt second = anchorer.confirmPending(chain.latestBlock()).get(0);
        chain.resetToGenesis();

        List<LostAnchor> lost = anchorer.checkAnchorsHeld(T0.plusSeconds(60));

        assertThat(lost).extracting(LostAnchor::receipt).containsExactly(first, second);
        assertThat(lost).allSatisfy(l -> assertThat(l.reason()).contains("no registry code"));
        assertThat(anchorer.confirmedReceipts()).isEmpty();
        // Without a registry nothing can be anchored: the caller reconnects (the devnet bootstrap redeploys).
        assertThatThrownBy(() -> anchorer.anchorIfDue(T0.plusSeconds(61)))
                .isInstanceOf(io.caduceus.core.chain.ChainException.class);
        chain.redeploy();
        Anchorer reopened = anchorer(log, POLICY);
        assertThat(reopened.lostAnchors()).as("recorded durably").extracting(LostAnchor::receipt)
                .containsExactly(first, second);
        AnchorOutcome again = reopened.anchorIfDue(T0.plusSeconds(62));
        assertThat(again.kind()).as("the re-anchor survived the restart").isEqualTo(AnchorOutcome.Kind.ANCHORED);
        assertThat(again.treeSize()).isEqualTo(20);
    }

    @Test
    void aRegistryRedeployedAtTheSameAddressHoldsCodeButNotTheOldTransactions() {
        AnchorReceipt gone = anchoredAndConfirmed();
        chain.resetToGenesis();
        chain.redeploy();

        assertThat(anchorer.checkAnchorsHeld(T0.plusSeconds(60))).singleElement()
                .satisfies(l -> assertThat(l.reason()).contains("no longer in the canonical chain"));
        assertThat(anchorer.anchorIfDue(T0.plusSeconds(61)).kind()).isEqualTo(AnchorOutcome.Kind.ANCHORED);
        chain.mine(POLICY.confirmations());
        assertThat(anchorer.confirmPending(chain.latestBlock())).singleElement()
                .satisfies(r -> assertThat(r.root()).isEqualTo(gone.root()));
    }

    @Test
    void anAnchorIsNeverSentOnTopOfReceiptsTheChainLost() {
        anchoredAndConfirmed();
        chain.resetToGenesis();
        chain.redeploy();
        log.append(range(10, 20), "20", 2);

        // No check ran since the reset: the anchor that is due checks first.
        assertThat(anchorer.anchorIfDue(T0.plusSeconds(1)).treeSize()).isEqualTo(20);

        assertThat(anchorer.lostAnchors()).hasSize(1);
        chain.mine(POLICY.confirmations());
        anchorer.confirmPending(chain.latestBlock());
        assertThat(anchorer.confirmedReceipts()).as("leaves 0 to 9 are proven by the new anchor, not the lost one")
                .extracting(AnchorReceipt::treeSize).containsExactly(20L);
    }

    @Test
    void aPendingAnchorAboveTheHeightOfAResetChainIsDroppedWithoutWaitingForTheChainToRegrow() {
        log.append(range(0, 10), "10", 1);
        anchorer.anchorIfDue(T0);
        chain.mine(20);
        anchorer.confirmPending(chain.latestBlock());
        log.append(range(10, 20), "20", 2);
        anchorer.anchorIfDue(T0.plusSeconds(700));
        chain.resetToGenesis();
        chain.redeploy();

        anchorer.confirmPending(chain.latestBlock());

        assertThat(anchorer.status(T0).pendingAnchors()).isZero();
        assertThat(anchorer.anchorIfDue(T0.plusSeconds(701)).kind()).isEqualTo(AnchorOutcome.Kind.ANCHORED);
    }

    @Test
    void aLostAnchorFoundAgainAfterACrashIsRecordedOnce() throws Exception {
        anchoredAndConfirmed();
        Files.copy(dir.resolve("anchors/receipts.jsonl"), dir.resolve("receipts.before"));
        chain.resetToGenesis();
        anchorer.checkAnchorsHeld(T0.plusSeconds(60));
        // A crash after the lost anchor was recorded and before the receipts were rewritten.
        Files.copy(dir.resolve("receipts.before"), dir.resolve("anchors/receipts.jsonl"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Anchorer reopened = anchorer(log, POLICY);

        assertThat(reopened.checkAnchorsHeld(T0.plusSeconds(70))).hasSize(1);
        assertThat(reopened.lostAnchors()).hasSize(1);
        assertThat(Files.readAllLines(dir.resolve("anchors/lost-anchors.jsonl"))).hasSize(1);
    }

    @Test
    void aNodeThatDoesNotAnswerChangesNothing() {
        anchoredAndConfirmed();
        chain.resetToGenesis();
        chain.down = true;
        assertThat(anchorer.checkAnchorsHeld(T0.plusSeconds(60))).isEmpty();
        assertThat(anchorer.confirmedReceipts()).hasSize(1);
        assertThat(anchorer.lostAnchors()).isEmpty();
    }
}
