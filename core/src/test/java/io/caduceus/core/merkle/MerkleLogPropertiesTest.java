package io.caduceus.core.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.hash.Digest;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Random trees: every honest proof verifies, and changing any byte of proof, leaf or root makes it fail. */
class MerkleLogPropertiesTest {

    private static MerkleLog logOf(int size, int seed) {
        MerkleLog log = MerkleLogs.inMemory();
        for (int i = 0; i < size; i++) {
            log.append(new byte[] {(byte) i, (byte) (i >> 8), (byte) seed, (byte) (seed >> 8)});
        }
        return log;
    }

    @Property(tries = 300)
    void everyInclusionProofVerifiesAndAnyAlteredByteFails(@ForAll @IntRange(min = 1, max = 300) int size,
            @ForAll @IntRange(min = 0, max = 299) int leafSeed, @ForAll @IntRange(min = 0, max = 65535) int seed,
            @ForAll @IntRange(min = 0, max = 1023) int flip) {
        MerkleLog log = logOf(size, seed);
        long leaf = leafSeed % size;
        long treeSize = leaf + 1 + (seed % (size - leaf));
        Digest root = log.root(treeSize);
        InclusionProof proof = log.inclusionProof(leaf, treeSize);
        assertThat(MerkleProofs.verifyInclusion(log.leafHash(leaf), proof, root)).isTrue();

        assertThat(MerkleProofs.verifyInclusion(flipBit(log.leafHash(leaf), flip), proof, root)).isFalse();
        assertThat(MerkleProofs.verifyInclusion(log.leafHash(leaf), proof, flipBit(root, flip))).isFalse();
        if (!proof.auditPath().isEmpty()) {
            List<Digest> altered = new ArrayList<>(proof.auditPath());
            int at = flip % altered.size();
            altered.set(at, flipBit(altered.get(at), flip));
            assertThat(MerkleProofs.verifyInclusion(log.leafHash(leaf), new InclusionProof(leaf, treeSize, altered), root)).isFalse();
            List<Digest> shorter = proof.auditPath().subList(0, proof.auditPath().size() - 1);
            assertThat(MerkleProofs.verifyInclusion(log.leafHash(leaf), new InclusionProof(leaf, treeSize, shorter), root)).isFalse();
        }
        if (treeSize > 1) {
            long otherLeaf = (leaf + 1) % treeSize;
            assertThat(MerkleProofs.verifyInclusion(log.leafHash(leaf), new InclusionProof(otherLeaf, treeSize, proof.auditPath()), root))
                    .as("proof presented for another index").isFalse();
        }
    }

    @Property(tries = 300)
    void everyConsistencyProofVerifiesAndAnyAlteredByteFails(@ForAll @IntRange(min = 1, max = 300) int size,
            @ForAll @IntRange(min = 0, max = 65535) int seed, @ForAll @IntRange(min = 0, max = 1023) int flip) {
        MerkleLog log = logOf(size, seed);
        long second = 1 + seed % size;
        long first = 1 + (flip * 7L + seed) % second;
        ConsistencyProof proof = log.consistencyProof(first, second);
        Digest firstRoot = log.root(first);
        Digest secondRoot = log.root(second);
        assertThat(MerkleProofs.verifyConsistency(proof, firstRoot, secondRoot)).isTrue();
        if (first < second) {
            assertThat(MerkleProofs.verifyConsistency(proof, flipBit(firstRoot, flip), secondRoot)).isFalse();
            assertThat(MerkleProofs.verifyConsistency(proof, firstRoot, flipBit(secondRoot, flip))).isFalse();
            List<Digest> altered = new ArrayList<>(proof.path());
            int at = flip % altered.size();
            altered.set(at, flipBit(altered.get(at), flip));
            assertThat(MerkleProofs.verifyConsistency(new ConsistencyProof(first, second, altered), firstRoot, secondRoot)).isFalse();
        }
    }

    @Property(tries = 100)
    void aRewrittenHistoryIsNeverConsistentWithTheOldRoot(@ForAll @IntRange(min = 2, max = 200) int size,
            @ForAll @IntRange(min = 0, max = 65535) int seed) {
        MerkleLog honest = logOf(size, seed);
        long first = 1 + seed % (size - 1);
        MerkleLog forged = MerkleLogs.inMemory();
        long rewritten = seed % first;
        for (long i = 0; i < size; i++) {
            forged.appendLeafHash(i == rewritten ? MerkleHashing.leafHash(new byte[] {42, 42}) : honest.leafHash(i));
        }
        ConsistencyProof forgedProof = forged.consistencyProof(first, size);
        assertThat(MerkleProofs.verifyConsistency(forgedProof, honest.root(first), forged.root(size))).isFalse();
    }

    static Digest flipBit(Digest digest, int bit) {
        byte[] bytes = digest.toBytes();
        bytes[(bit / 8) % bytes.length] ^= (byte) (1 << (bit % 8));
        return Digest.of(bytes);
    }
}
