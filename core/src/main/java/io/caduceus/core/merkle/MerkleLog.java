package io.caduceus.core.merkle;

import io.caduceus.core.hash.Digest;
import java.io.Closeable;

/**
 * An append-only Merkle log in the style of RFC 6962 / RFC 9162. Appends never change a leaf already in the log, so
 * every root the log ever published stays provably consistent with every later one.
 *
 * <p>Implementations are safe for one writer and many readers at once.
 */
public interface MerkleLog extends Closeable {

    /** Appends a leaf (its data is hashed as an RFC 6962 leaf) and returns its index. */
    long append(byte[] leafData);

    /** Appends an already computed leaf hash and returns its index. */
    long appendLeafHash(Digest leafHash);

    /** Number of leaves appended. */
    long size();

    Digest leafHash(long index);

    /** Root of the whole log. */
    default TreeHead head() {
        long size = size();
        return new TreeHead(size, root(size));
    }

    /** Root of the first {@code treeSize} leaves, for any size up to the current one. */
    Digest root(long treeSize);

    InclusionProof inclusionProof(long leafIndex, long treeSize);

    ConsistencyProof consistencyProof(long firstSize, long secondSize);

    /**
     * Recomputes every stored interior hash from the leaf hashes: reads the whole log (about 1 s per 10 million
     * leaves from the page cache). Opening a log checks only the hashes its root is built from.
     *
     * @throws MerkleLogCorruptedException naming the first level and index that does not match
     */
    void verifyIntegrity();

    /** Makes every append so far durable; for in-memory logs a no-op. */
    void flush();

    @Override
    void close();
}
