package io.caduceus.bridge;

import io.caduceus.core.domain.RecordId;
import java.util.Arrays;

/**
 * Record id to leaf index, in open addressing over three parallel {@code long} arrays rather than a
 * {@code HashMap<RecordId, Long>}: a record id is 128 bits of hash, so it fits two longs, and the map costs 24 bytes per
 * slot (32 to 64 bytes per record at the load factors it runs at) instead of about 170 bytes of boxed objects per
 * record. That is roughly 400 MB of heap for 10 million records; a log much beyond 50 million records needs an
 * on-disk index instead of this rebuilt-on-open one. Not thread-safe: {@link FileAnchoringLog} guards it.
 */
final class RecordIndex {

    private static final double MAX_LOAD = 0.75;

    private long[] high;
    private long[] low;
    /** Leaf index plus one; zero marks an empty slot. */
    private long[] values;
    private int size;

    RecordIndex(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, (int) Math.min(1 << 30, expected / MAX_LOAD + 1)) * 2 - 1);
        allocate(capacity);
    }

    int size() {
        return size;
    }

    /** The leaf index of {@code id}, or -1. */
    long get(RecordId id) {
        long h = high(id);
        long l = low(id);
        int mask = values.length - 1;
        for (int slot = slot(h, l, mask); ; slot = (slot + 1) & mask) {
            if (values[slot] == 0) {
                return -1;
            }
            if (high[slot] == h && low[slot] == l) {
                return values[slot] - 1;
            }
        }
    }

    /** Adds {@code id}; the caller has checked it is absent. */
    void put(RecordId id, long leafIndex) {
        if (size + 1 > values.length * MAX_LOAD) {
            grow();
        }
        insert(high(id), low(id), leafIndex + 1);
        size++;
    }

    private void insert(long h, long l, long value) {
        int mask = values.length - 1;
        int slot = slot(h, l, mask);
        while (values[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        high[slot] = h;
        low[slot] = l;
        values[slot] = value;
    }

    private void grow() {
        if (values.length >= 1 << 30) {
            throw new IllegalStateException("record index full: use an on-disk index beyond 800 million records");
        }
        long[] oldHigh = high;
        long[] oldLow = low;
        long[] oldValues = values;
        allocate(values.length * 2);
        for (int i = 0; i < oldValues.length; i++) {
            if (oldValues[i] != 0) {
                insert(oldHigh[i], oldLow[i], oldValues[i]);
            }
        }
    }

    private void allocate(int capacity) {
        high = new long[capacity];
        low = new long[capacity];
        values = new long[capacity];
        Arrays.fill(values, 0);
    }

    private static int slot(long h, long l, int mask) {
        long x = h * 0x9E3779B97F4A7C15L ^ l;
        x ^= x >>> 33;
        x *= 0xFF51AFD7ED558CCDL;
        x ^= x >>> 33;
        return (int) x & mask;
    }

    private static long high(RecordId id) {
        return Long.parseUnsignedLong(id.value(), 2, 18, 16);
    }

    private static long low(RecordId id) {
        return Long.parseUnsignedLong(id.value(), 18, 34, 16);
    }
}
