package io.caduceus.core.merkle;

import io.caduceus.core.hash.Digest;
import java.util.List;

/**
 * The audit path of RFC 6962 section 2.1.1 for leaf {@code leafIndex} in the tree of size {@code treeSize}: sibling
 * hashes from the leaf up to the root.
 */
public record InclusionProof(long leafIndex, long treeSize, List<Digest> auditPath) {

    public InclusionProof {
        if (leafIndex < 0 || treeSize <= leafIndex) {
            throw new IllegalArgumentException("leaf index must be within the tree");
        }
        auditPath = List.copyOf(auditPath);
    }
}
