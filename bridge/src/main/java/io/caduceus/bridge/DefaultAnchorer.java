package io.caduceus.bridge;

import io.caduceus.core.chain.AnchorRegistry;
import io.caduceus.core.chain.ChainException;
import io.caduceus.core.chain.ChainReceipt;
import io.caduceus.core.chain.TransactionLookup;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.merkle.ConsistencyProof;
import io.caduceus.core.merkle.MerkleProofs;
import io.caduceus.core.merkle.TreeHead;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@link Anchorer} with its state in two files: {@code anchor-state.json} (pending anchors, when the last anchor was
 * sent, how far the chain is known to hold this log, how many receipts the sink accepted), replaced atomically on
 * every change, and {@code receipts.jsonl}, the confirmed receipts, append-only. A receipt is appended before the
 * pending anchor it came from is dropped from the state, so a crash in between leaves a pending anchor whose
 * receipt exists; opening drops it. Confirmed anchors the chain lost later go to {@code lost-anchors.jsonl}
 * (append-only) before {@code receipts.jsonl} is rewritten without them, so a crash in between finds them lost again
 * and records them once.
 *
 * <p>Transaction replacement (a stuck nonce) is not handled: the registry client signs with the node's pending nonce,
 * so a transaction stuck in the mempool makes the next anchor fail permanently ("already known" / "replacement
 * underpriced") until it is mined or evicted; that needs an operator, or a fee-bumping client.
 */
final class DefaultAnchorer implements Anchorer {

    private static final System.Logger LOG = System.getLogger(DefaultAnchorer.class.getName());

    private final Path directory;
    private final AnchorStateFiles files;
    private final AnchoringLog log;
    private final AnchorPolicy policy;
    private final AnchorChain chain;
    private final ReceiptSink sink;

    private final List<PendingAnchor> pending = new ArrayList<>();
    private final List<AnchorReceipt> confirmed = new ArrayList<>();
    private final List<LostAnchor> lost = new ArrayList<>();
    /** Start of the current {@link AnchorPolicy#maxInterval}: the last anchor sent, or the first tick. */
    private Instant lastAnchorAt;
    /** The largest tree size the chain was seen to hold with this log's root, receipt known or not. */
    private long chainAnchoredSize;
    /** A pending anchor left the chain: anchor again at the next tick, whatever the policy says. */
    private boolean reanchorDue;
    private int delivered;

    private DefaultAnchorer(Path directory, AnchoringLog log, AnchorPolicy policy, AnchorChain chain,
                            ReceiptSink sink) {
        this.directory = directory;
        this.files = new AnchorStateFiles(directory);
        this.log = log;
        this.policy = policy;
        this.chain = chain;
        this.sink = sink;
    }

    static DefaultAnchorer open(Path directory, AnchoringLog log, AnchorPolicy policy, AnchorChain chain,
                                ReceiptSink sink) {
        DefaultAnchorer anchorer = new DefaultAnchorer(directory, log, policy, chain, sink);
        try {
            Files.createDirectories(directory);
            anchorer.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the anchor state in " + directory, e);
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw new BridgeStateCorruptedException("the anchor state in " + directory + " is malformed", e);
        }
        return anchorer;
    }

    private void load() throws IOException {
        // A receipt torn by a crash was never acted on: its pending anchor is still in the state. A lost anchor torn
        // by a crash was not yet dropped from the receipts: the next check finds it lost again.
        confirmed.addAll(files.receipts());
        lost.addAll(files.lost());
        Optional<AnchorStateFiles.Saved> saved = files.state();
        if (saved.isPresent()) {
            lastAnchorAt = saved.get().lastAnchorAt();
            chainAnchoredSize = saved.get().chainAnchoredSize();
            delivered = saved.get().delivered();
            reanchorDue = saved.get().reanchorDue();
            pending.addAll(saved.get().pending());
        }
        long lastConfirmed = lastConfirmedSize();
        pending.removeIf(p -> p.treeSize() <= lastConfirmed);
        delivered = Math.min(delivered, confirmed.size());
        if (lastConfirmed > log.size()) {
            throw new BridgeStateCorruptedException("receipts in " + directory + " confirm tree size " + lastConfirmed
                    + " but the log holds only " + log.size() + " leaves");
        }
    }

    // ---- anchoring ----------------------------------------------------------------------------------------------

    @Override
    public synchronized AnchorOutcome anchorIfDue(Instant now) {
        if (lastAnchorAt == null) {
            lastAnchorAt = now;
            saveState();
        }
        long unanchored = log.size() - anchoredSize();
        boolean byCount = unanchored >= policy.maxEntries();
        boolean byTime = unanchored > 0 && !now.isBefore(lastAnchorAt.plus(policy.maxInterval()));
        if (!byCount && !byTime && !reanchorDue) {
            return AnchorOutcome.notDue(unanchored + " leaves unanchored");
        }
        try {
            // An anchor on top of receipts the chain lost would leave proofs of the older leaves pointing at them.
            dropLostAnchors(now);
            return anchorHead(now);
        } catch (ChainException e) {
            if (e.refusal().filter(AnchorRegistry.Refusal.TREE_SIZE_MUST_GROW::equals).isPresent()) {
                // The chain moved between our read and our send (an earlier, timed-out anchor landed): adopt it.
                LOG.log(System.Logger.Level.INFO, "anchor refused (" + e.getMessage() + "); reconciling with the chain");
                return reconcile(now);
            }
            if (e.isRetriable()) {
                LOG.log(System.Logger.Level.WARNING, "anchoring postponed: " + e.getMessage());
                return AnchorOutcome.retryLater(e.getMessage());
            }
            throw e;
        }
    }

    private AnchorOutcome anchorHead(Instant now) {
        AnchoringLog.Checkpoint checkpoint = log.checkpoint();
        TreeHead head = checkpoint.head();
        Optional<AnchorOutcome> adopted = checkChainAndAdopt(head, now);
        if (chainAnchoredSize >= head.size()) {
            reanchorDue = false;
            saveState();
            return adopted.orElse(AnchorOutcome.notDue("the chain already holds size " + head.size()));
        }
        ChainReceipt receipt = chain.registry().anchor(head.size(), head.root().toBytes(), policy.fabricChannel(),
                checkpoint.fabricBlockHeight());
        pending.add(new PendingAnchor(receipt.transactionHash().toLowerCase(java.util.Locale.ROOT), head.size(),
                head.root(), checkpoint.fabricBlockHeight(), now, receipt.blockNumber()));
        lastAnchorAt = now;
        chainAnchoredSize = head.size();
        reanchorDue = false;
        saveState();
        LOG.log(System.Logger.Level.INFO, "anchored size " + head.size() + " in block " + receipt.blockNumber()
                + ", gas " + receipt.gasUsed() + ", transaction " + receipt.transactionHash());
        return new AnchorOutcome(AnchorOutcome.Kind.ANCHORED, head.size(), Optional.of(receipt.transactionHash()),
                "gas " + receipt.gasUsed());
    }

    private AnchorOutcome reconcile(Instant now) {
        try {
            TreeHead head = log.checkpoint().head();
            return checkChainAndAdopt(head, now).orElse(AnchorOutcome.notDue("nothing to reconcile"));
        } catch (ChainException e) {
            if (e.isRetriable()) {
                return AnchorOutcome.retryLater(e.getMessage());
            }
            throw e;
        }
    }

    /**
     * Reads what the chain holds, refuses to go on unless this log extends it, and adopts an anchor of this log the
     * local state does not know of (sent before a crash or a receipt timeout).
     */
    private Optional<AnchorOutcome> checkChainAndAdopt(TreeHead head, Instant now) {
        long chainSize = chain.registry().latestTreeSize();
        if (chainSize > head.size()) {
            throw new ChainAheadOfLogException("the registry holds tree size " + chainSize + " but the log only "
                    + head.size() + " leaves");
        }
        if (chainSize > 0) {
            Digest chainRoot = Digest.of(chain.registry().rootAt(chainSize));
            ConsistencyProof proof = log.consistencyProof(chainSize, head.size());
            if (!MerkleProofs.verifyConsistency(proof, chainRoot, head.root())) {
                throw new InconsistentHistoryException("the log at size " + head.size()
                        + " does not extend the root the registry holds for size " + chainSize);
            }
        }
        // A reorg may have taken anchors back: the chain's own answer is what counts.
        boolean unknown = chainSize > anchoredSize();
        chainAnchoredSize = chainSize;
        if (!unknown) {
            return Optional.empty();
        }
        Optional<TransactionLookup.FoundAnchor> found = chain.transactions().findAnchor(chain.contractAddress(), chainSize);
        Optional<ChainReceipt> receipt = found.flatMap(f -> chain.transactions().canonicalReceipt(f.transactionHash()));
        if (found.isPresent() && receipt.isPresent() && receipt.get().succeeded()) {
            pending.add(new PendingAnchor(found.get().transactionHash().toLowerCase(java.util.Locale.ROOT), chainSize,
                    log.root(chainSize), found.get().fabricBlockHeight(), now, receipt.get().blockNumber()));
            LOG.log(System.Logger.Level.INFO, "adopted the anchor of size " + chainSize + " found on chain, transaction "
                    + found.get().transactionHash());
        } else {
            // Covered anyway by the next anchor, whose root commits to every leaf below it; only this receipt is lost.
            LOG.log(System.Logger.Level.WARNING, "the registry holds this log's root at size " + chainSize
                    + " but its transaction was not found; the next anchor covers it");
        }
        saveState();
        return Optional.of(new AnchorOutcome(AnchorOutcome.Kind.RECONCILED, chainSize,
                found.map(TransactionLookup.FoundAnchor::transactionHash), "chain holds size " + chainSize));
    }

    /** The largest size anchored as far as this bridge knows: confirmed, pending or seen on chain. */
    private long anchoredSize() {
        long size = Math.max(lastConfirmedSize(), chainAnchoredSize);
        for (PendingAnchor p : pending) {
            size = Math.max(size, p.treeSize());
        }
        return size;
    }

    private long lastConfirmedSize() {
        return confirmed.isEmpty() ? 0 : confirmed.get(confirmed.size() - 1).treeSize();
    }

    // ---- checking what the chain still holds -----------------------------------------------------------------------

    @Override
    public synchronized List<LostAnchor> checkAnchorsHeld(Instant now) {
        try {
            return dropLostAnchors(now);
        } catch (ChainException e) {
            if (!e.isRetriable()) {
                throw e;
            }
            LOG.log(System.Logger.Level.WARNING, "checking the anchors postponed: " + e.getMessage());
            return List.of();
        }
    }

    @Override
    public synchronized List<LostAnchor> lostAnchors() {
        return List.copyOf(lost);
    }

    /**
     * Walks back from the latest confirmed receipt to the first one the chain still holds; an older receipt of a
     * held one needs no look, since the registry accepted the newer root only as the next size after it. Without
     * registry code every receipt of this registry is gone.
     */
    private List<LostAnchor> dropLostAnchors(Instant now) {
        if (confirmed.isEmpty()) {
            return List.of();
        }
        boolean registryThere = chain.transactions().hasCode(chain.contractAddress());
        List<LostAnchor> found = new ArrayList<>();
        for (int i = confirmed.size() - 1; i >= 0; i--) {
            AnchorReceipt receipt = confirmed.get(i);
            Optional<String> why = registryThere ? whyNotHeld(receipt)
                    : Optional.of("the chain holds no registry code at " + chain.contractAddress());
            if (why.isEmpty()) {
                break;
            }
            found.add(0, new LostAnchor(receipt, now, why.get()));
        }
        if (found.isEmpty()) {
            return found;
        }
        recordLost(found);
        confirmed.subList(confirmed.size() - found.size(), confirmed.size()).clear();
        rewriteReceipts();
        delivered = Math.min(delivered, confirmed.size());
        chainAnchoredSize = Math.min(chainAnchoredSize, lastConfirmedSize());
        reanchorDue = true;
        saveState();
        LostAnchor latest = found.get(found.size() - 1);
        LOG.log(System.Logger.Level.WARNING, found.size() + " confirmed anchor(s) lost, up to size "
                + latest.receipt().treeSize() + " (transaction " + latest.receipt().transactionHash() + "): "
                + latest.reason() + "; anchoring the head again");
        return found;
    }

    private Optional<String> whyNotHeld(AnchorReceipt receipt) {
        Optional<ChainReceipt> now = chain.transactions().canonicalReceipt(receipt.transactionHash());
        if (now.isEmpty()) {
            return Optional.of("transaction no longer in the canonical chain");
        }
        if (!now.get().succeeded()) {
            return Optional.of("transaction failed after a reorganisation");
        }
        // A receipt names its block by number and time: mined again elsewhere, the published receipt is wrong.
        if (now.get().blockNumber() != receipt.blockNumber() || !now.get().blockTimestamp().equals(receipt.blockTime())) {
            return Optional.of("transaction now in block " + now.get().blockNumber() + ", not " + receipt.blockNumber());
        }
        if (!Digest.of(chain.registry().rootAt(receipt.treeSize())).equals(receipt.root())) {
            return Optional.of("the registry holds another root for size " + receipt.treeSize());
        }
        return Optional.empty();
    }

    private void recordLost(List<LostAnchor> found) {
        StringBuilder lines = new StringBuilder();
        for (LostAnchor anchor : found) {
            // Found again after a crash between this append and the receipts' rewrite: recorded once.
            if (lost.stream().noneMatch(l -> l.receipt().equals(anchor.receipt()))) {
                lines.append(anchor.toJson()).append('\n');
                lost.add(anchor);
            }
        }
        files.appendLost(lines.toString());
    }

    private void rewriteReceipts() {
        files.rewriteReceipts(confirmed);
    }

    // ---- confirming ---------------------------------------------------------------------------------------------

    @Override
    public synchronized List<AnchorReceipt> confirmPending(long latestBlock) {
        List<AnchorReceipt> newlyConfirmed = new ArrayList<>();
        pending.sort(Comparator.comparingLong(PendingAnchor::treeSize));
        try {
            for (PendingAnchor p : List.copyOf(pending)) {
                // Below its block the chain was reset, or the height was read before the anchor was mined: look now
                // rather than wait for a reset chain to regrow to that height.
                boolean belowItsBlock = latestBlock < p.blockNumber();
                if (!belowItsBlock && latestBlock - p.blockNumber() < policy.confirmations()) {
                    continue;
                }
                Optional<ChainReceipt> receipt = chain.transactions().canonicalReceipt(p.transactionHash());
                if (receipt.isEmpty() || !receipt.get().succeeded()) {
                    dropVanished(p, receipt.isEmpty() ? "is no longer in the canonical chain" : "failed after a reorg");
                    continue;
                }
                if (belowItsBlock && receipt.get().blockNumber() == p.blockNumber()) {
                    continue; // still there, no confirmation counted yet
                }
                if (receipt.get().blockNumber() != p.blockNumber()) {
                    // Re-mined in another block by a reorg: count the confirmations again from there.
                    replace(p, p.minedIn(receipt.get().blockNumber()));
                    saveState();
                    if (latestBlock - receipt.get().blockNumber() < policy.confirmations()) {
                        continue;
                    }
                }
                Digest onChain = Digest.of(chain.registry().rootAt(p.treeSize()));
                if (!onChain.equals(p.root())) {
                    dropVanished(p, "is mined but the registry holds another root for its size");
                    continue;
                }
                if (p.treeSize() <= lastConfirmedSize()) {
                    pending.remove(p);
                    saveState();
                    continue;
                }
                AnchorReceipt confirmedReceipt = new AnchorReceipt(chain.chainId(), chain.contractAddress(),
                        p.transactionHash(), receipt.get().blockNumber(), receipt.get().blockTimestamp(), p.root(),
                        p.treeSize(), policy.fabricChannel(), p.fabricBlockHeight());
                appendReceipt(confirmedReceipt);
                confirmed.add(confirmedReceipt);
                pending.remove(p);
                saveState();
                newlyConfirmed.add(confirmedReceipt);
                LOG.log(System.Logger.Level.INFO, "confirmed anchor of size " + p.treeSize() + " in block "
                        + receipt.get().blockNumber() + ", transaction " + p.transactionHash());
            }
        } catch (ChainException e) {
            if (!e.isRetriable()) {
                throw e;
            }
            LOG.log(System.Logger.Level.WARNING, "confirmation postponed: " + e.getMessage());
        }
        deliver();
        return newlyConfirmed;
    }

    private void dropVanished(PendingAnchor p, String why) {
        LOG.log(System.Logger.Level.WARNING, "anchor of size " + p.treeSize() + ", transaction " + p.transactionHash()
                + " " + why + "; anchoring again");
        pending.remove(p);
        chainAnchoredSize = Math.min(chainAnchoredSize, lastConfirmedSize());
        reanchorDue = true;
        saveState();
    }

    private void replace(PendingAnchor old, PendingAnchor updated) {
        pending.set(pending.indexOf(old), updated);
    }

    private void deliver() {
        while (delivered < confirmed.size()) {
            AnchorReceipt receipt = confirmed.get(delivered);
            try {
                sink.accept(receipt);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "receipt sink refused the anchor of size " + receipt.treeSize()
                        + "; offering it again at the next tick", e);
                return;
            }
            delivered++;
            saveState();
        }
    }

    // ---- reading ------------------------------------------------------------------------------------------------

    @Override
    public synchronized List<AnchorReceipt> confirmedReceipts() {
        return List.copyOf(confirmed);
    }

    @Override
    public synchronized AnchoringStatus status(Instant now) {
        Optional<AnchorReceipt> last = confirmed.isEmpty() ? Optional.empty()
                : Optional.of(confirmed.get(confirmed.size() - 1));
        long size = log.size();
        return new AnchoringStatus(size, size - lastConfirmedSize(),
                last.map(r -> OptionalLong.of(Math.max(0, Duration.between(r.blockTime(), now).toSeconds())))
                        .orElse(OptionalLong.empty()),
                lastConfirmedSize(), last.map(AnchorReceipt::root), last.map(AnchorReceipt::transactionHash),
                pending.size(), confirmed.size() - delivered);
    }

    // ---- persistence --------------------------------------------------------------------------------------------

    private void appendReceipt(AnchorReceipt receipt) {
        files.appendReceipt(receipt);
    }

    private void saveState() {
        files.save(new AnchorStateFiles.Saved(lastAnchorAt, chainAnchoredSize, delivered, reanchorDue, pending));
    }
}
