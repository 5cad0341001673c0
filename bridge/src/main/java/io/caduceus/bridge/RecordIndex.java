package io.caduceus.bridge;

import io.caduceus.core.domain.RecordId;
import io.caduceus.core.offheap.ScratchArrays;

/**
 * Record id to leaf index, in open addressing over three parallel {@code long} arrays rather than a
 * {@code HashMap<RecordId, Long>}: a record id is 128 bits of hash, so it fits two longs, and the map costs 24 bytes per
 * slot (32 to 64 bytes per record at the load factors it runs at) instead of about 170 bytes of boxed objects per
 * record. The arrays are {@link ScratchArrays}, mapped from scratch files in the log's {@code index/} folder, so the
 * index grows in page cache rather than in the middleware's heap (10 million records: about 400 MB). Rebuilt on every
 * open. Not thread-safe: {@link FileAnchoringLog} guards it, and closes it under the same lock.
 */
final class RecordIndex implements AutoCloseable {

    private static final double MAX_LOAD = 0.75;

    private final ScratchArrays arrays;
    private ScratchArrays.Numbers high;
    private ScratchArrays.Numbers low;
    /** Leaf index plus one; zero marks an empty slot. */
    private ScratchArrays.Numbers values;
    private int capacity;
    private int size;

    RecordIndex(ScratchArrays arrays, int expected) {
        this.arrays = arrays;
        allocate(Integer.highestOneBit(Math.max(16, (int) Math.min(1 << 30, expected / MAX_LOAD + 1)) * 2 - 1));
    }

    int size() {
        return size;
    }

    /** The leaf index of {@code id}, or -1. */
    long get(RecordId id) {
        long h = high(id);
        long l = low(id);
        int mask = capacity - 1;
        for (int slot = slot(h, l, mask); ; slot = (slot + 1) & mask) {
            long value = values.getLong(slot);
            if (value == 0) {
                return -1;
            }
            if (high.getLong(slot) == h && low.getLong(slot) == l) {
                return value - 1;
            }
        }
    }

    /** Adds {@code id}; the caller has checked it is absent. */
    void put(RecordId id, long leafIndex) {
        if (size + 1 > capacity * MAX_LOAD) {
            grow();
        }
        insert(high(id), low(id), leafIndex + 1);
        size++;
    }

    /** Releases the arrays. */
    @Override
    public void close() {
        high.close();
        low.close();
        values.close();
        capacity = 0;
        size = 0;
    }

    private void insert(long h, long l, long value) {
        int mask = capacity - 1;
        int slot = slot(h, l, mask);
        while (values.getLong(slot) != 0) {
            slot = (slot + 1) & mask;
        }
        high.setLong(slot, h);
        low.setLong(slot, l);
        values.setLong(slot, value);
    }

    private void grow() {
        if (capacity >= 1 << 30) {
            throw new IllegalStateException("record index full: use an on-disk index beyond 800 million records");
        }
        ScratchArrays.Numbers oldHigh = high;
        ScratchArrays.Numbers oldLow = low;
        ScratchArrays.Numbers oldValues = values;
        int oldCapacity = capacity;
        allocate(capacity * 2);
        for (int i = 0; i < oldCapacity; i++) {
            long value = oldValues.getLong(i);
            if (value != 0) {
                insert(oldHigh.getLong(i), oldLow.getLong(i), value);
            }
        }
        oldHigh.close();
        oldLow.close();
        oldValues.close();
    }

    private void allocate(int slots) {
        capacity = slots;
        high = arrays.longs();
        low = arrays.longs();
        values = arrays.longs();
        high.ensureCapacity(slots);
        low.ensureCapacity(slots);
        values.ensureCapacity(slots);
    }

    private static int slot(long h, long l, int mask) {
        long x = h * 0x9E3779B97F4A7C15L ^ l;
        x ^= x >>> 33;
        x *= 0xFF51AFD7ED558CCDL;
        x ^= x >>> 33;
        return (int) x & mask;
    }

    // The 128 bits after the format prefix: a format 1 (r_) and a format 2 (r2_) id share a slot only if their digests
    // collide in 128 bits, which is as unlikely as two ids of one format colliding.
    private static long high(RecordId id) {
        String hex = id.hex();
        return Long.parseUnsignedLong(hex, 0, 16, 16);
    }

    private static long low(RecordId id) {
        String hex = id.hex();
        return Long.parseUnsignedLong(hex, 16, 32, 16);
    }
}
