package io.caduceus.core.merkle;

import io.caduceus.core.hash.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/** The RFC 6962 algorithms over {@link HashLevels}; the storage decides whether the log lives in memory or on disk. */
final class LevelledMerkleLog implements MerkleLog {

    private final HashLevels levels;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    LevelledMerkleLog(HashLevels levels) {
        this.levels = levels;
    }

    @Override
    public long append(byte[] leafData) {
        return appendLeafHash(MerkleHashing.leafHash(leafData));
    }

    @Override
    public long appendLeafHash(Digest leafHash) {
        lock.writeLock().lock();
        try {
            levels.append(0, leafHash);
            long leafIndex = levels.count(0) - 1;
            long index = leafIndex;
            int level = 0;
            Digest right = leafHash;
            // Each time a node completes a pair, the pair's parent becomes a complete subtree one level up.
            while ((index & 1) == 1) {
                Digest parent = MerkleHashing.nodeHash(levels.get(level, index - 1), right);
                level++;
                levels.append(level, parent);
                right = parent;
                index >>= 1;
            }
            return leafIndex;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public long size() {
        lock.readLock().lock();
        try {
            return levels.count(0);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Digest leafHash(long index) {
        lock.readLock().lock();
        try {
            checkIndex(index, levels.count(0));
            return levels.get(0, index);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Digest root(long treeSize) {
        lock.readLock().lock();
        try {
            checkSize(treeSize);
            return treeSize == 0 ? MerkleHashing.EMPTY_ROOT : subtreeHash(0, treeSize);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public InclusionProof inclusionProof(long leafIndex, long treeSize) {
        lock.readLock().lock();
        try {
            checkSize(treeSize);
            checkIndex(leafIndex, treeSize);
            List<Digest> path = new ArrayList<>(64);
            auditPath(leafIndex, 0, treeSize, path);
            return new InclusionProof(leafIndex, treeSize, path);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public ConsistencyProof consistencyProof(long firstSize, long secondSize) {
        lock.readLock().lock();
        try {
            checkSize(secondSize);
            if (firstSize < 0 || firstSize > secondSize) {
                throw new IllegalArgumentException("consistency needs 0 <= first <= second");
            }
            List<Digest> path = new ArrayList<>(64);
            if (firstSize > 0 && firstSize < secondSize) {
                subProof(firstSize, 0, secondSize, true, path);
            }
            return new ConsistencyProof(firstSize, secondSize, path);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void verifyIntegrity() {
        lock.readLock().lock();
        try {
            for (int level = 1; levels.count(level) > 0; level++) {
                if (levels.count(level) != levels.count(level - 1) / 2) {
                    throw new MerkleLogCorruptedException("level " + level + " holds " + levels.count(level)
                            + " hashes for " + levels.count(level - 1) + " below it");
                }
                for (long i = 0; i < levels.count(level); i++) {
                    Digest expected = MerkleHashing.nodeHash(levels.get(level - 1, 2 * i), levels.get(level - 1, 2 * i + 1));
                    if (!expected.equals(levels.get(level, i))) {
                        throw new MerkleLogCorruptedException("level " + level + " hash " + i + " does not match its children");
                    }
                }
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void flush() {
        lock.writeLock().lock();
        try {
            long size = levels.count(0);
            levels.checkpoint(new TreeHead(size, size == 0 ? MerkleHashing.EMPTY_ROOT : subtreeHash(0, size)));
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            levels.close();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** MTH(D[start : start+n]) of RFC 6962 section 2.1, answered from stored complete subtrees. */
    private Digest subtreeHash(long start, long n) {
        if (MerkleHashing.isPowerOfTwo(n) && start % n == 0) {
            return levels.get(Long.numberOfTrailingZeros(n), start / n);
        }
        long k = MerkleHashing.splitPoint(n);
        return MerkleHashing.nodeHash(subtreeHash(start, k), subtreeHash(start + k, n - k));
    }

    /** PATH(m, D[start : start+n]) of RFC 6962 section 2.1.1, siblings from the leaf upwards. */
    private void auditPath(long m, long start, long n, List<Digest> out) {
        if (n == 1) {
            return;
        }
        long k = MerkleHashing.splitPoint(n);
        if (m < k) {
            auditPath(m, start, k, out);
            out.add(subtreeHash(start + k, n - k));
        } else {
            auditPath(m - k, start + k, n - k, out);
            out.add(subtreeHash(start, k));
        }
    }

    /** SUBPROOF(m, D[start : start+n], b) of RFC 6962 section 2.1.2. */
    private void subProof(long m, long start, long n, boolean wholeOldTree, List<Digest> out) {
        if (m == n) {
            if (!wholeOldTree) {
                out.add(subtreeHash(start, n));
            }
            return;
        }
        long k = MerkleHashing.splitPoint(n);
        if (m <= k) {
            subProof(m, start, k, wholeOldTree, out);
            out.add(subtreeHash(start + k, n - k));
        } else {
            subProof(m - k, start + k, n - k, false, out);
            out.add(subtreeHash(start, k));
        }
    }

    private void checkSize(long treeSize) {
        long size = levels.count(0);
        if (treeSize < 0 || treeSize > size) {
            throw new IllegalArgumentException("tree size " + treeSize + " is outside the log's 0.." + size);
        }
    }

    private static void checkIndex(long index, long treeSize) {
        if (index < 0 || index >= treeSize) {
            throw new IllegalArgumentException("leaf index " + index + " is outside the tree of size " + treeSize);
        }
    }
}
