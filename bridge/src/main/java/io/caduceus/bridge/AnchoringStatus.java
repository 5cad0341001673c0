package io.caduceus.bridge;

import io.caduceus.core.hash.Digest;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The anchoring state shown by {@code ./caduceus status}.
 *
 * @param logSize                       leaves in the log
 * @param unanchoredEntries             leaves beyond the last confirmed anchor
 * @param secondsSinceLastConfirmed     since the block time of the last confirmed anchor; empty before the first
 * @param lastAnchoredSize              tree size of the last confirmed anchor, 0 before the first
 * @param lastAnchoredRoot              its root
 * @param lastAnchoredTransaction       its transaction hash
 * @param pendingAnchors                anchors sent and mined but not yet confirmed
 * @param undeliveredReceipts           confirmed receipts the {@link ReceiptSink} has not yet accepted
 */
public record AnchoringStatus(long logSize, long unanchoredEntries, OptionalLong secondsSinceLastConfirmed,
                              long lastAnchoredSize, Optional<Digest> lastAnchoredRoot,
                              Optional<String> lastAnchoredTransaction, int pendingAnchors, int undeliveredReceipts) {
}
