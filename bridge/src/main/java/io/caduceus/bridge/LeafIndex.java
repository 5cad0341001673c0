package io.caduceus.bridge;

import io.caduceus.core.domain.RecordId;
import io.caduceus.core.offheap.KeyOrdinals;
import io.caduceus.core.offheap.ScratchArrays;

/**
 * Record id to leaf index. A record id gets one leaf, in the order records are first logged, so its leaf index is its
 * ordinal in a {@link KeyOrdinals} keyed by the id's 128 bits: the vault's record map, mapped from scratch files in the
 * log's {@code index/} folder, so the index grows in page cache rather than in the middleware's heap. Rebuilt on every
 * open. Not thread-safe: {@link FileAnchoringLog} guards it, and closes it under the same lock.
 */
final class LeafIndex implements AutoCloseable {

    private final KeyOrdinals keys;

    LeafIndex(ScratchArrays arrays, int expected) {
        this.keys = new KeyOrdinals(arrays, expected);
    }

    int size() {
        return keys.size();
    }

    /** The leaf index of {@code id}, or -1. */
    long get(RecordId id) {
        return keys.ordinalOf(high(id), low(id));
    }

    /** Adds {@code id} as the next leaf; the caller has checked it is absent. */
    void put(RecordId id, long leafIndex) {
        if (leafIndex != keys.size()) {
            throw new IllegalStateException("leaf " + leafIndex + " is not the next of " + keys.size());
        }
        keys.add(high(id), low(id));
    }

    /** Releases the arrays. */
    @Override
    public void close() {
        keys.close();
    }

    // The 128 bits after the format prefix: a format 1 (r_) and a format 2 (r2_) id share a key only if their digests
    // collide in 128 bits, which is as unlikely as two ids of one format colliding.
    private static long high(RecordId id) {
        return Long.parseUnsignedLong(id.hex(), 0, 16, 16);
    }

    private static long low(RecordId id) {
        return Long.parseUnsignedLong(id.hex(), 16, 32, 16);
    }
}
