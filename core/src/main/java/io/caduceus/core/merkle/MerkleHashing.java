package io.caduceus.core.merkle;

import io.caduceus.core.hash.Digest;
import io.caduceus.core.hash.Sha256;

/**
 * RFC 6962 / RFC 9162 tree hashing with domain separation: a leaf is {@code SHA-256(0x00 || data)}, an interior node
 * {@code SHA-256(0x01 || left || right)}, so no leaf can ever be passed off as an interior node or the reverse.
 */
public final class MerkleHashing {

    /** The root of the empty tree: SHA-256 of the empty string. */
    public static final Digest EMPTY_ROOT = Sha256.digest(new byte[0]);

    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;

    private MerkleHashing() {
    }

    public static Digest leafHash(byte[] leafData) {
        return Sha256.digest(LEAF_PREFIX, leafData);
    }

    public static Digest nodeHash(Digest left, Digest right) {
        byte[] buffer = new byte[1 + 2 * Digest.LENGTH];
        buffer[0] = NODE_PREFIX;
        left.copyTo(buffer, 1);
        right.copyTo(buffer, 1 + Digest.LENGTH);
        return Sha256.digest(buffer);
    }

    /** The split point of RFC 6962: the largest power of two strictly less than {@code n} (n at least 2). */
    static long splitPoint(long n) {
        if (n < 2) {
            throw new IllegalArgumentException("a tree of fewer than two leaves has no split");
        }
        return Long.highestOneBit(n - 1);
    }

    static boolean isPowerOfTwo(long n) {
        return n > 0 && (n & (n - 1)) == 0;
    }
}
