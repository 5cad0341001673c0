package io.caduceus.adapters.vault;

import io.caduceus.core.offheap.ScratchArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Key to record ids in the order they were added, for the embedded vault's in-memory lookups, in primitive arrays:
 * a key is kept as a 64-bit hash and a record as the int ordinal the vault's {@link RecordIndex} gave it.
 *
 * <p>A bundle gives every one of its resources a lookup key, so a vault holds several keys per record. Kept as strings
 * in a {@code HashMap<String, List<String>>} they cost about a kilobyte per record, and a few hundred thousand
 * records filled the middleware's 512 MB heap until full collections stalled every acknowledgement for a second.
 * Here an entry costs 8 bytes, and a key 12 bytes of a hash table kept up to three quarters full, out of the heap
 * ({@link ScratchArrays}).
 *
 * <p>Two keys whose 64-bit hashes collide share their lists; with ten million keys the chance that any given lookup
 * returns a foreign record is below 10<sup>-12</sup>, and readers check the record's content anyway. Thread-safe:
 * one writer adds, readers copy out under the same lock.
 */
final class RecordLists implements AutoCloseable {

    /** In slots and links: entries are stored as their index + 1, so that the arrays' initial zeros mean none. */
    private static final int NONE = 0;
    // Linear probing stays short at three quarters full when the hash spreads well; fuller tables cost memory less.
    private static final double MAX_LOAD = 0.75;

    /** Record ids by ordinal, shared by every key. */
    private final IntFunction<String> recordIds;
    private final ScratchArrays arrays;

    // Open addressing: key hash -> newest entry of its chain (entries link to the one added before them).
    private ScratchArrays.Numbers slotKeys;
    private ScratchArrays.Numbers slotNewest;
    private int slotCount;
    private int keys;

    // Entries: the record ordinal and the entry added before it under the same key.
    private final ScratchArrays.Numbers entryOrdinal;
    private final ScratchArrays.Numbers entryPrevious;
    private int entries;
    private boolean closed;

    /**
     * @param recordIds the record id of an ordinal: one numbering per vault, so each id is held once
     * @param arrays where the lists are kept (out of the heap in the vault's index folder)
     */
    RecordLists(IntFunction<String> recordIds, ScratchArrays arrays) {
        this.recordIds = recordIds;
        this.arrays = arrays;
        this.slotCount = 1024;
        this.slotKeys = arrays.longs();
        this.slotNewest = arrays.ints();
        slotKeys.ensureCapacity(slotCount);
        slotNewest.ensureCapacity(slotCount);
        this.entryOrdinal = arrays.ints();
        this.entryPrevious = arrays.ints();
    }

    synchronized void add(String key, int ordinal) {
        ensureOpen();
        long hash = hash(key);
        int slot = find(hash);
        int entry = entries++;
        entryOrdinal.ensureCapacity(entries);
        entryPrevious.ensureCapacity(entries);
        entryOrdinal.setInt(entry, ordinal);
        int previous = slotNewest.getInt(slot);
        entryPrevious.setInt(entry, previous);
        slotNewest.setInt(slot, entry + 1);
        if (previous == NONE) {
            slotKeys.setLong(slot, hash);
            keys++;
            if (keys > slotCount * MAX_LOAD) {
                grow();
            }
        }
    }

    /** The record ids under {@code key}, oldest first; empty if none. */
    List<String> get(String key) {
        int[] found;
        synchronized (this) {
            ensureOpen();
            int slot = find(hash(key));
            int newest = slotNewest.getInt(slot);
            if (newest == NONE) {
                return List.of();
            }
            int count = 0;
            for (int e = newest; e != NONE; e = entryPrevious.getInt(e - 1)) {
                count++;
            }
            found = new int[count];
            int i = count;
            for (int e = newest; e != NONE; e = entryPrevious.getInt(e - 1)) {
                found[--i] = entryOrdinal.getInt(e - 1); // oldest first
            }
        }
        List<String> ids = new ArrayList<>(found.length);
        for (int ordinal : found) {
            ids.add(recordIds.apply(ordinal));
        }
        return List.copyOf(ids);
    }

    /** Releases the arrays; every later call fails. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        slotKeys.close();
        slotNewest.close();
        entryOrdinal.close();
        entryPrevious.close();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the lookup lists are closed");
        }
    }

    /** The slot holding {@code hash}, or the empty slot where it would go. */
    private int find(long hash) {
        int mask = slotCount - 1;
        int slot = (int) (hash ^ (hash >>> 32)) & mask;
        while (slotNewest.getInt(slot) != NONE && slotKeys.getLong(slot) != hash) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void grow() {
        ScratchArrays.Numbers oldKeys = slotKeys;
        ScratchArrays.Numbers oldNewest = slotNewest;
        int oldCount = slotCount;
        slotCount = oldCount * 2;
        slotKeys = arrays.longs();
        slotNewest = arrays.ints();
        slotKeys.ensureCapacity(slotCount);
        slotNewest.ensureCapacity(slotCount);
        for (int i = 0; i < oldCount; i++) {
            int newest = oldNewest.getInt(i);
            if (newest != NONE) {
                long hash = oldKeys.getLong(i);
                int slot = find(hash);
                slotKeys.setLong(slot, hash);
                slotNewest.setInt(slot, newest);
            }
        }
        oldKeys.close();
        oldNewest.close();
    }

    /**
     * 64-bit FNV-1a over the key's UTF-16 code units, then a finalizer so that similar keys spread over the table. The
     * hashes live only in this rebuilt-on-open table, so no encoding is owed to anyone: hashing UTF-8 bytes cost an
     * array per key on the vault's writer thread, six keys per record.
     */
    static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) {
            h ^= key.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
