package io.caduceus.adapters.vault;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Key to record ids in the order they were added, for the embedded vault's in-memory lookups. Arrays grown in place
 * rather than immutable lists copied on every add, so a patient with thousands of records costs amortised O(1) per
 * record while the segments are replayed.
 */
final class RecordLists {

    private static final class Ids {
        private String[] ids = new String[1];
        private int size;

        synchronized void add(String id) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
        }

        synchronized List<String> snapshot() {
            return List.of(Arrays.copyOf(ids, size));
        }
    }

    private final ConcurrentHashMap<String, Ids> lists = new ConcurrentHashMap<>();

    void add(String key, String recordId) {
        lists.computeIfAbsent(key, k -> new Ids()).add(recordId);
    }

    /** The record ids under {@code key}, oldest first; empty if none. */
    List<String> get(String key) {
        Ids ids = lists.get(key);
        return ids == null ? List.of() : ids.snapshot();
    }
}
