package io.caduceus.core.offheap;

/**
 * 128-bit keys (a record id's digest as two longs) numbered in the order they are added, and found again by key: the
 * record maps of the vault (id to where its entry is) and of the bridge's Merkle log (id to leaf index, which is the
 * ordinal) are both this. Boxed, a {@code HashMap<String, ...>} costs about 150 bytes per record; here a record costs
 * 16 bytes of key plus 4 to 7 bytes of open-addressing table (ordinals, at a load of at most 0.6), all in
 * {@link ScratchArrays}, so with mapped arrays the index grows in page cache, not in the heap.
 *
 * <p>Keys are digests, so any mix of both halves spreads them; equal keys are the same record (two digests that agree
 * in 128 bits are as unlikely as any two ids colliding). Not thread-safe: its owner guards it.
 */
public final class KeyOrdinals implements AutoCloseable {

    private static final double MAX_LOAD = 0.6;
    private static final int MAX_TABLE = 1 << 30;
    private static final int EMPTY = 0;

    private final ScratchArrays arrays;
    private final ScratchArrays.Numbers high;
    private final ScratchArrays.Numbers low;
    /** Ordinal + 1 per slot, {@link #EMPTY} for none; its length a power of two. */
    private ScratchArrays.Numbers table;
    private int tableLength;
    private int size;
    private boolean closed;

    /** @param expected how many keys to size the table for at once (it grows past that) */
    public KeyOrdinals(ScratchArrays arrays, int expected) {
        this.arrays = arrays;
        this.high = arrays.longs();
        this.low = arrays.longs();
        int wanted = (int) Math.min(MAX_TABLE, Math.max(16, (long) (expected / MAX_LOAD) + 1));
        this.tableLength = Integer.highestOneBit(wanted - 1) << 1;
        this.table = arrays.ints();
        table.ensureCapacity(tableLength);
    }

    public int size() {
        return size;
    }

    /** The ordinal of the key, or -1. */
    public int ordinalOf(long keyHigh, long keyLow) {
        ensureOpen();
        int mask = tableLength - 1;
        for (int slot = slot(keyHigh, keyLow, mask); ; slot = (slot + 1) & mask) {
            int entry = table.getInt(slot);
            if (entry == EMPTY) {
                return -1;
            }
            int ordinal = entry - 1;
            if (high.getLong(ordinal) == keyHigh && low.getLong(ordinal) == keyLow) {
                return ordinal;
            }
        }
    }

    /** Adds a key the caller has found absent; returns its ordinal, the number of keys added before it. */
    public int add(long keyHigh, long keyLow) {
        ensureOpen();
        if (size == Integer.MAX_VALUE - 1 || size + 1 > MAX_TABLE * MAX_LOAD) {
            throw new IllegalStateException("key table full: " + size + " keys");
        }
        int ordinal = size;
        high.ensureCapacity(ordinal + 1);
        low.ensureCapacity(ordinal + 1);
        high.setLong(ordinal, keyHigh);
        low.setLong(ordinal, keyLow);
        size++;
        if (size > tableLength * MAX_LOAD) {
            rehash(tableLength * 2);
        } else {
            table.setInt(freeSlot(keyHigh, keyLow), ordinal + 1);
        }
        return ordinal;
    }

    public long high(int ordinal) {
        checkOrdinal(ordinal);
        return high.getLong(ordinal);
    }

    public long low(int ordinal) {
        checkOrdinal(ordinal);
        return low.getLong(ordinal);
    }

    /** Releases the arrays; every later call fails. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        size = 0;
        high.close();
        low.close();
        table.close();
    }

    private void checkOrdinal(int ordinal) {
        ensureOpen();
        if (ordinal < 0 || ordinal >= size) {
            throw new IndexOutOfBoundsException(ordinal);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the key table is closed");
        }
    }

    private int freeSlot(long keyHigh, long keyLow) {
        int mask = tableLength - 1;
        int slot = slot(keyHigh, keyLow, mask);
        while (table.getInt(slot) != EMPTY) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void rehash(int length) {
        table.close();
        table = arrays.ints();
        table.ensureCapacity(length);
        tableLength = length;
        for (int ordinal = 0; ordinal < size; ordinal++) {
            table.setInt(freeSlot(high.getLong(ordinal), low.getLong(ordinal)), ordinal + 1);
        }
    }

    private static int slot(long keyHigh, long keyLow, int mask) {
        long x = keyHigh * 0x9E3779B97F4A7C15L ^ keyLow;
        x ^= x >>> 33;
        x *= 0xFF51AFD7ED558CCDL;
        x ^= x >>> 33;
        return (int) x & mask;
    }
}
