package io.caduceus.core.merkle;

import io.caduceus.core.hash.Digest;
import java.util.List;

/**
 * Proof verification exactly as RFC 9162 sections 2.1.3.2 and 2.1.4.2 specify it: iterative, with no tree in memory,
 * so any party can check a proof from the proof alone. Returns false for anything malformed; never throws on proof
 * content.
 */
public final class MerkleProofs {

    private MerkleProofs() {
    }

    /** True when {@code leafHash} is the leaf at the proof's index in the tree whose root is {@code root}. */
    public static boolean verifyInclusion(Digest leafHash, InclusionProof proof, Digest root) {
        Digest computed = rootFromInclusionProof(leafHash, proof.leafIndex(), proof.treeSize(), proof.auditPath());
        return computed != null && computed.equals(root);
    }

    /** The root an inclusion proof leads to, or null if the path has the wrong shape for the index and size. */
    public static Digest rootFromInclusionProof(Digest leafHash, long leafIndex, long treeSize, List<Digest> path) {
        if (leafIndex < 0 || leafIndex >= treeSize) {
            return null;
        }
        long fn = leafIndex;
        long sn = treeSize - 1;
        Digest r = leafHash;
        for (Digest p : path) {
            if (sn == 0) {
                return null;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = MerkleHashing.nodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = MerkleHashing.nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 ? r : null;
    }

    /** True when the proof shows that the tree with {@code secondRoot} extends the tree with {@code firstRoot}. */
    public static boolean verifyConsistency(ConsistencyProof proof, Digest firstRoot, Digest secondRoot) {
        long first = proof.firstSize();
        long second = proof.secondSize();
        List<Digest> path = proof.path();
        if (first == second) {
            return path.isEmpty() && firstRoot.equals(secondRoot);
        }
        if (first == 0) {
            // Every tree extends the empty tree; RFC 9162 leaves this case to the application.
            return path.isEmpty() && firstRoot.equals(MerkleHashing.EMPTY_ROOT);
        }
        if (path.isEmpty()) {
            return false;
        }
        int start = 0;
        Digest seed;
        if (MerkleHashing.isPowerOfTwo(first)) {
            seed = firstRoot;
        } else {
            seed = path.get(0);
            start = 1;
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        Digest fr = seed;
        Digest sr = seed;
        for (int i = start; i < path.size(); i++) {
            Digest c = path.get(i);
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = MerkleHashing.nodeHash(c, fr);
                sr = MerkleHashing.nodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = MerkleHashing.nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
    }
}
