package io.caduceus.core.merkle;

import io.caduceus.core.hash.Digest;

/**
 * Storage of the log's complete subtrees, level by level: level 0 holds the leaf hashes, level {@code l} the roots of
 * the complete subtrees of 2^l leaves, in order. Any subtree an RFC 6962 proof needs is either one stored hash or
 * a combination of O(log n) of them, so proofs never read the leaves of a large tree.
 */
interface HashLevels {

    long count(int level);

    Digest get(int level, long index);

    void append(int level, Digest hash);

    /** Makes all appended hashes durable and records {@code head} as the state to return to after a crash. */
    void checkpoint(TreeHead head);

    void close();
}
