package io.caduceus.bridge;

import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.merkle.ConsistencyProof;
import io.caduceus.core.proof.ProofBundle;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

final class DefaultProofService implements ProofService {

    private final AnchoringLog log;
    private final Anchorer anchorer;

    DefaultProofService(AnchoringLog log, Anchorer anchorer) {
        this.log = log;
        this.anchorer = anchorer;
    }

    @Override
    public ProofBundle proofFor(RecordId recordId) {
        OptionalLong found = log.leafIndex(recordId);
        if (found.isEmpty()) {
            throw new RecordNotLoggedException("record " + recordId + " is not in the log");
        }
        long leaf = found.getAsLong();
        Optional<AnchorReceipt> anchor = latestCovering(leaf);
        long treeSize = anchor.map(AnchorReceipt::treeSize).orElseGet(log::size);
        Digest root = log.root(treeSize);
        if (anchor.isPresent() && !anchor.get().root().equals(root)) {
            // The anchorer only records roots it checked against this log, so this means the files changed since.
            throw new BridgeStateCorruptedException("the log's root at size " + treeSize
                    + " differs from the confirmed anchor " + anchor.get().transactionHash());
        }
        return new ProofBundle(recordId, log.commitment(leaf), Optional.empty(), log.inclusionProof(leaf, treeSize),
                root, anchor);
    }

    private Optional<AnchorReceipt> latestCovering(long leaf) {
        List<AnchorReceipt> receipts = anchorer.confirmedReceipts();
        long durable = log.size();
        for (int i = receipts.size() - 1; i >= 0; i--) {
            AnchorReceipt receipt = receipts.get(i);
            if (receipt.treeSize() > leaf && receipt.treeSize() <= durable) {
                return Optional.of(receipt);
            }
        }
        return Optional.empty();
    }

    @Override
    public ConsistencyProof consistency(long fromSize, long toSize) {
        return log.consistencyProof(fromSize, toSize);
    }
}
