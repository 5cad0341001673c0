package io.caduceus.bridge;

import io.caduceus.core.domain.RecordId;
import io.caduceus.core.merkle.ConsistencyProof;
import io.caduceus.core.proof.ProofBundle;

/**
 * Proof bundles ({@code caduceus.proof.v1}) for logged records. The salt lives in the vault, not here: bundles from
 * this service carry none, and whoever may open the commitment adds it.
 */
public interface ProofService {

    static ProofService of(AnchoringLog log, Anchorer anchorer) {
        return new DefaultProofService(log, anchorer);
    }

    /**
     * A bundle up to the latest confirmed anchor covering the record's leaf, with its receipt; up to the current head
     * without an anchor when no confirmed anchor covers it yet.
     *
     * @throws RecordNotLoggedException if the record is not in the log
     */
    ProofBundle proofFor(RecordId recordId);

    /** That the log at {@code toSize} extends the log at {@code fromSize}. */
    ConsistencyProof consistency(long fromSize, long toSize);
}
