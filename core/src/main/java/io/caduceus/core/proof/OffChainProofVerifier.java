package io.caduceus.core.proof;

import io.caduceus.core.commitment.HidingCommitments;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.merkle.MerkleProofs;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checks of a proof bundle that need no network: the record opens the commitment, the commitment's leaf lies on
 * the path to the root, and the root and size are the ones the anchor receipt names. Whether the chain really holds
 * that root is the on-chain half, done by the bridge's verifier. Recomputes everything it can; trusts no hash the
 * bundle states.
 */
public final class OffChainProofVerifier {

    private OffChainProofVerifier() {
    }

    /**
     * @param recordJson the record as the auditor received it (any JSON serialization: it is canonicalized here), or
     *                   empty to check only that the stated commitment is in the log
     */
    public static List<ProofCheck> verify(ProofBundle bundle, Optional<String> recordJson) {
        List<ProofCheck> checks = new ArrayList<>();
        if (recordJson.isPresent()) {
            if (bundle.salt().isEmpty()) {
                checks.add(ProofCheck.failed("commitment", "a record was given but the bundle carries no salt to open the commitment with"));
            } else {
                byte[] canonical = CanonicalJson.canonicalize(recordJson.get());
                boolean opens = HidingCommitments.opens(bundle.commitment(), bundle.salt().get(), canonical);
                checks.add(opens
                        ? ProofCheck.passed("commitment", "the record and salt open commitment " + bundle.commitment().hex())
                        : ProofCheck.failed("commitment", "the record and salt do not open commitment " + bundle.commitment().hex()));
            }
        } else {
            checks.add(ProofCheck.skipped("commitment", "no record given; proving only that the commitment was logged"));
        }
        Digest computedRoot = MerkleProofs.rootFromInclusionProof(bundle.leafHash(), bundle.inclusion().leafIndex(),
                bundle.inclusion().treeSize(), bundle.inclusion().auditPath());
        if (computedRoot == null) {
            checks.add(ProofCheck.failed("inclusion", "the audit path has the wrong length for leaf "
                    + bundle.inclusion().leafIndex() + " of " + bundle.inclusion().treeSize()));
        } else if (!computedRoot.equals(bundle.root())) {
            checks.add(ProofCheck.failed("inclusion", "the audit path leads to " + computedRoot.hex() + ", not to the stated root"));
        } else {
            checks.add(ProofCheck.passed("inclusion", "leaf " + bundle.inclusion().leafIndex() + " of " + bundle.inclusion().treeSize()
                    + " leads to root " + computedRoot.hex()));
        }
        if (bundle.anchor().isEmpty()) {
            checks.add(ProofCheck.skipped("anchor", "the bundle names no anchor yet"));
        } else {
            var anchor = bundle.anchor().get();
            boolean matches = anchor.root().equals(bundle.root()) && anchor.treeSize() == bundle.inclusion().treeSize();
            checks.add(matches
                    ? ProofCheck.passed("anchor-receipt", "the receipt names the same root and tree size")
                    : ProofCheck.failed("anchor-receipt", "the receipt names root " + anchor.root().hex() + " at size "
                            + anchor.treeSize() + ", not the proof's root and size"));
        }
        return checks;
    }

}
