package io.caduceus.adapters.vault;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Key to record ids in the order they were added, for the embedded vault's in-memory lookups, in primitive arrays:
 * a key is kept as a 64-bit hash and a record as an int ordinal into one shared array of record ids.
 *
 * <p>A bundle gives every one of its resources a lookup key, so a vault holds several keys per record. Kept as strings
 * in a {@code HashMap<String, List<String>>} they cost about a kilobyte per record, and a few hundred thousand
 * records filled the middleware's 512 MB heap until full collections stalled every acknowledgement for a second.
 * Here an entry costs 16 bytes plus its share of the hash table.
 *
 * <p>Two keys whose 64-bit hashes collide share their lists; with ten million keys the chance that any given lookup
 * returns a foreign record is below 10<sup>-12</sup>, and readers check the record's content anyway. Thread-safe:
 * one writer adds, readers copy out under the same lock.
 */
final class RecordLists {

    private static final int NONE = -1;
    private static final double MAX_LOAD = 0.6;

    /** Record ids by ordinal, shared by every key. */
    private final Ordinals ordinals;

    // Open addressing: key hash -> first and last entry of its chain (entries in insertion order).
    private long[] slotKeys = new long[1024];
    private int[] slotFirst = filled(1024);
    private int[] slotLast = new int[1024];
    private int keys;

    // Entries: the record ordinal and the next entry of the same key.
    private int[] entryOrdinal = new int[1024];
    private int[] entryNext = new int[1024];
    private int entries;

    RecordLists(Ordinals ordinals) {
        this.ordinals = ordinals;
    }

    /** Record ids by ordinal: one per vault, so that each record id is held once however many lists name it. */
    static final class Ordinals {
        private String[] ids = new String[1024];
        private int size;

        /** Adds a record id (once per record) and returns its ordinal. */
        synchronized int add(String recordId) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size] = recordId;
            return size++;
        }

        synchronized String get(int ordinal) {
            return ids[ordinal];
        }
    }

    synchronized void add(String key, int ordinal) {
        long hash = hash(key);
        int slot = find(hash);
        if (entries == entryOrdinal.length) {
            entryOrdinal = Arrays.copyOf(entryOrdinal, entries * 2);
            entryNext = Arrays.copyOf(entryNext, entries * 2);
        }
        int entry = entries++;
        entryOrdinal[entry] = ordinal;
        entryNext[entry] = NONE;
        if (slotFirst[slot] == NONE) {
            slotKeys[slot] = hash;
            slotFirst[slot] = entry;
            slotLast[slot] = entry;
            keys++;
            if (keys > slotKeys.length * MAX_LOAD) {
                grow();
            }
        } else {
            entryNext[slotLast[slot]] = entry;
            slotLast[slot] = entry;
        }
    }

    /** The record ids under {@code key}, oldest first; empty if none. */
    List<String> get(String key) {
        int[] found;
        synchronized (this) {
            int slot = find(hash(key));
            if (slotFirst[slot] == NONE) {
                return List.of();
            }
            int count = 0;
            for (int e = slotFirst[slot]; e != NONE; e = entryNext[e]) {
                count++;
            }
            found = new int[count];
            int i = 0;
            for (int e = slotFirst[slot]; e != NONE; e = entryNext[e]) {
                found[i++] = entryOrdinal[e];
            }
        }
        List<String> ids = new ArrayList<>(found.length);
        for (int ordinal : found) {
            ids.add(ordinals.get(ordinal));
        }
        return List.copyOf(ids);
    }

    /** The slot holding {@code hash}, or the empty slot where it would go. */
    private int find(long hash) {
        int mask = slotKeys.length - 1;
        int slot = (int) (hash ^ (hash >>> 32)) & mask;
        while (slotFirst[slot] != NONE && slotKeys[slot] != hash) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void grow() {
        long[] oldKeys = slotKeys;
        int[] oldFirst = slotFirst;
        int[] oldLast = slotLast;
        slotKeys = new long[oldKeys.length * 2];
        slotFirst = filled(oldKeys.length * 2);
        slotLast = new int[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldFirst[i] != NONE) {
                int slot = find(oldKeys[i]);
                slotKeys[slot] = oldKeys[i];
                slotFirst[slot] = oldFirst[i];
                slotLast[slot] = oldLast[i];
            }
        }
    }

    private static int[] filled(int length) {
        int[] array = new int[length];
        Arrays.fill(array, NONE);
        return array;
    }

    /** 64-bit FNV-1a over the key's UTF-8 bytes, then a finalizer so that similar keys spread over the table. */
    static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
