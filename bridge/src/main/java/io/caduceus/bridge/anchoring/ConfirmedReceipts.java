package io.caduceus.bridge.anchoring;

import io.caduceus.bridge.AnchorOutcome;
import io.caduceus.bridge.Anchorer;
import io.caduceus.bridge.AnchoringStatus;
import io.caduceus.core.domain.AnchorReceipt;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The confirmed receipts as of the last tick, for proofs and status. The real anchorer holds its lock while it waits
 * for an anchor to be mined (up to caduceus.anchor.receipt-timeout-ms), so HTTP requests read this copy instead of
 * waiting behind it. Before the chain was ever reached it is empty, and proofs lead to the log's head without an
 * anchor. Only {@link #confirmedReceipts} is meaningful: ProofService uses nothing else.
 */
final class ConfirmedReceipts implements Anchorer {

    private volatile List<AnchorReceipt> receipts = List.of();

    void update(List<AnchorReceipt> confirmed) {
        receipts = List.copyOf(confirmed);
    }

    @Override
    public List<AnchorReceipt> confirmedReceipts() {
        return receipts;
    }

    Optional<AnchorReceipt> last() {
        List<AnchorReceipt> current = receipts;
        return current.isEmpty() ? Optional.empty() : Optional.of(current.get(current.size() - 1));
    }

    @Override
    public AnchorOutcome anchorIfDue(Instant now) {
        throw new UnsupportedOperationException("a read-only view of the receipts");
    }

    @Override
    public List<AnchorReceipt> confirmPending(long latestBlock) {
        throw new UnsupportedOperationException("a read-only view of the receipts");
    }

    @Override
    public List<io.caduceus.bridge.LostAnchor> checkAnchorsHeld(Instant now) {
        throw new UnsupportedOperationException("a read-only view of the receipts");
    }

    @Override
    public List<io.caduceus.bridge.LostAnchor> lostAnchors() {
        throw new UnsupportedOperationException("a read-only view of the receipts");
    }

    @Override
    public AnchoringStatus status(Instant now) {
        throw new UnsupportedOperationException("a read-only view of the receipts");
    }
}
