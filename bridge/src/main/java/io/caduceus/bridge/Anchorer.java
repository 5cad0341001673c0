package io.caduceus.bridge;

import io.caduceus.core.domain.AnchorReceipt;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Anchors the heads of an {@link AnchoringLog} in the public {@code AnchorRegistry} and confirms them. Driven by
 * ticks (a timer route calls {@link #anchorIfDue} and {@link #confirmPending}); one caller at a time.
 *
 * <p>Never anchors a root that is not an append-only extension of the last root the chain holds, and never leaves a
 * range of the log without an anchor covering it: a root commits to every leaf before it, so re-anchoring a newer
 * head after a lost anchor covers the lost range too.
 */
public interface Anchorer {

    /**
     * Opens (or creates) the anchor state in {@code stateDirectory}: pending anchors and the confirmed receipts
     * ({@code receipts.jsonl}, one {@link AnchorReceipt} JSON per line).
     */
    static Anchorer open(Path stateDirectory, AnchoringLog log, AnchorPolicy policy, AnchorChain chain,
                         ReceiptSink sink) {
        return DefaultAnchorer.open(stateDirectory, log, policy, chain, sink);
    }

    /**
     * Anchors the current head when {@link AnchorPolicy#maxEntries} leaves are unanchored or
     * {@link AnchorPolicy#maxInterval} has passed since the last anchor with at least one new leaf.
     *
     * @throws InconsistentHistoryException if the log does not extend the root the chain holds (nothing is sent)
     * @throws ChainAheadOfLogException     if the chain holds a tree larger than the log
     * @throws io.caduceus.core.chain.ChainException for permanent chain failures (not the anchorer,
     *                                      wrong chain, out of funds); retriable ones become
     *                                      {@link AnchorOutcome.Kind#RETRY_LATER}
     */
    AnchorOutcome anchorIfDue(Instant now);

    /**
     * Confirms pending anchors with at least {@link AnchorPolicy#confirmations} blocks on top, as of
     * {@code latestBlock}; re-anchors when a pending transaction left the canonical chain; then delivers every
     * undelivered receipt to the sink. Retriable chain failures leave the state unchanged.
     *
     * @return the receipts confirmed by this call
     */
    List<AnchorReceipt> confirmPending(long latestBlock);

    /**
     * Checks that the chain still holds the latest confirmed anchor (registry code at its address, the transaction's
     * receipt in a canonical block at the same height and time, the registry's root for its size); walks back while
     * it does not. Anchors found gone are recorded as {@link LostAnchor}s (durably, before anything else changes),
     * leave the confirmed receipts, and make the next {@link #anchorIfDue} anchor the head at once, so proofs move to
     * an anchor the chain holds. Retriable chain failures change nothing.
     *
     * @return the anchors found lost by this call, oldest first
     */
    List<LostAnchor> checkAnchorsHeld(Instant now);

    /** Every anchor found lost so far, in the order found. */
    List<LostAnchor> lostAnchors();

    /** Confirmed receipts in tree-size order. */
    List<AnchorReceipt> confirmedReceipts();

    AnchoringStatus status(Instant now);
}
