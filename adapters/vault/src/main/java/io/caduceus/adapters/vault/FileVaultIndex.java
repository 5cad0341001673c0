package io.caduceus.adapters.vault;

import io.caduceus.adapters.vault.FileRecordVault.Location;
import io.caduceus.core.offheap.ScratchArrays;
import io.caduceus.ingest.vault.RecordIntegrityException;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the file vault knows in memory of its segments: where each record and quarantined message lives, and the
 * records of each lookup key and of each patient key generation. Rebuilt by {@link #replay} on open; changed by the
 * writer thread only, read by any thread.
 */
final class FileVaultIndex implements Closeable {

    // Under the vault's name, as before these were split out of it, so that logging settings still apply.
    private static final System.Logger LOG = System.getLogger(FileRecordVault.class.getName());

    /** A quarantined message: where it is and whose key it is sealed under. */
    record QuarantineSlot(Location at, String owner, int generation) {
    }

    /** Record locations, kept out of the heap in index/. */
    private final RecordIndex records;
    private final Map<String, QuarantineSlot> quarantine = new ConcurrentHashMap<>();
    /** Records erased since this vault was opened, left out of lookups (on the next open they are not indexed). */
    private final Set<String> erasedRecords = ConcurrentHashMap.newKeySet();
    /** Lookup key, and patient pseudonym, to record ids in write order. */
    private final RecordLists byLookupKey;
    private final RecordLists byPatient;

    FileVaultIndex(ScratchArrays arrays) {
        this.records = new RecordIndex(arrays);
        this.byLookupKey = new RecordLists(records::idOf, arrays);
        this.byPatient = new RecordLists(records::idOf, arrays);
    }

    // ---- opening -------------------------------------------------------------------------------------------------

    /** Indexes one entry of a segment being opened (see {@link FileVaultSegments.Replay}). */
    void replay(FileKeyStore keys, int segment, long offset, int length, byte[] body, boolean intact) throws IOException {
        FileVaultEntries.Header h;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
            h = FileVaultEntries.readHeader(in);
        } catch (IOException e) {
            if (intact) {
                throw new RecordIntegrityException("malformed entry at offset " + offset + " of segment " + segment, e);
            }
            LOG.log(System.Logger.Level.WARNING, "unidentifiable damaged entry at offset " + offset + " of segment " + segment);
            return;
        }
        Location at = new Location(segment, offset, length);
        if (!intact) {
            // Indexed anyway so that reads report the damage instead of pretending the record never existed;
            // a later intact copy (a re-put) takes precedence.
            LOG.log(System.Logger.Level.WARNING, "damaged entry " + h.id() + " at offset " + offset + " of segment " + segment);
            if (h.isRecord()) {
                int ordinal = records.putIfAbsent(h.id(), at);
                if (ordinal >= 0) {
                    indexLookupsIfLive(keys, ordinal, h);
                }
            } else if (h.isQuarantine() && keys.isLive(h.owner(), h.generation())) {
                quarantine.putIfAbsent(h.id(), new QuarantineSlot(at, h.owner(), h.generation()));
            }
            return;
        }
        if (h.isRecord()) {
            // A later copy exists only as the repair of a damaged one, already listed by its first copy.
            int ordinal = records.put(h.id(), at);
            if (ordinal >= 0) {
                indexLookupsIfLive(keys, ordinal, h);
            }
        } else if (h.isQuarantine()) {
            // Kept under an erased patient's key, or a released message's own key: gone for good.
            if (keys.isLive(h.owner(), h.generation())) {
                quarantine.put(h.id(), new QuarantineSlot(at, h.owner(), h.generation()));
            }
        } else if (h.type() == FileVaultEntries.RELEASE) {
            quarantine.remove(h.id());
        } else {
            throw new RecordIntegrityException("unknown entry type " + h.type() + " in segment " + segment);
        }
    }

    /** Indexes a record's lookups unless its key generation was erased: an erased patient's records are not found. */
    private void indexLookupsIfLive(FileKeyStore keys, int ordinal, FileVaultEntries.Header h) {
        if (!keys.isLive(h.owner(), h.generation())) {
            return;
        }
        List<String> lookupKeys = h.clearKeys();
        if (h.sealedKeys() != null) {
            try {
                lookupKeys = VaultCrypto.openLookupKeys(keys.key(keys.forRead(h.owner(), h.generation(), h.id())),
                        h.id(), h.owner(), h.sealedKeys());
            } catch (RecordIntegrityException e) {
                // Reading the record reports the damage; the vault still opens.
                LOG.log(System.Logger.Level.WARNING, "lookup keys of record " + h.id() + " failed authentication; not indexed");
                lookupKeys = List.of();
            }
        }
        indexLookups(ordinal, h.owner(), h.generation(), lookupKeys);
    }

    // ---- records -------------------------------------------------------------------------------------------------

    Location location(String recordId) {
        return records.get(recordId);
    }

    boolean contains(String recordId) {
        return records.contains(recordId);
    }

    long recordCount() {
        return records.size();
    }

    /** Writer thread: a record just made durable at {@code at}, and its lookups unless it was already indexed. */
    void recordWritten(String recordId, Location at, String pseudonym, int generation, List<String> lookupKeys) {
        int ordinal = records.put(recordId, at);
        if (ordinal >= 0) {
            indexLookups(ordinal, pseudonym, generation, lookupKeys);
        }
    }

    private void indexLookups(int ordinal, String pseudonym, int generation, List<String> lookupKeys) {
        byPatient.add(patientListKey(pseudonym, generation), ordinal);
        for (String key : lookupKeys) {
            byLookupKey.add(key, ordinal);
        }
    }

    List<String> findRecords(String lookupKey) {
        return withoutErased(byLookupKey.get(lookupKey));
    }

    List<String> recordsOfPatient(String pseudonym, int generation) {
        return withoutErased(byPatient.get(patientListKey(pseudonym, generation)));
    }

    private List<String> withoutErased(List<String> ids) {
        if (erasedRecords.isEmpty()) {
            return ids;
        }
        return ids.stream().filter(id -> !erasedRecords.contains(id)).toList();
    }

    /** Records of one key generation are listed together: a new generation starts an empty list. */
    private static String patientListKey(String pseudonym, int generation) {
        return generation == 0 ? pseudonym : pseudonym + "\u0000generation " + generation;
    }

    /** Writer thread: what is indexed of an erased generation stops being found. */
    void forget(String pseudonym, int generation) {
        erasedRecords.addAll(byPatient.get(patientListKey(pseudonym, generation)));
        quarantine.values().removeIf(slot -> slot.owner().equals(pseudonym) && slot.generation() == generation);
    }

    // ---- quarantine ----------------------------------------------------------------------------------------------

    QuarantineSlot quarantined(String quarantineId) {
        return quarantine.get(quarantineId);
    }

    boolean isQuarantined(String quarantineId) {
        return quarantine.containsKey(quarantineId);
    }

    long quarantinedCount() {
        return quarantine.size();
    }

    /** The quarantined messages in write order. */
    List<Map.Entry<String, QuarantineSlot>> quarantinedInWriteOrder() {
        List<Map.Entry<String, QuarantineSlot>> entries = new ArrayList<>(quarantine.entrySet());
        entries.sort(Comparator.comparing(e -> e.getValue().at()));
        return entries;
    }

    /** Writer thread. */
    void quarantineWritten(String quarantineId, QuarantineSlot slot) {
        quarantine.put(quarantineId, slot);
    }

    /** Writer thread: the slot the message had, or null. */
    QuarantineSlot released(String quarantineId) {
        return quarantine.remove(quarantineId);
    }

    boolean anyQuarantinedUnder(String owner) {
        return quarantine.values().stream().anyMatch(s -> s.owner().equals(owner));
    }

    @Override
    public void close() {
        closeQuietly(byLookupKey);
        closeQuietly(byPatient);
        closeQuietly(records);
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // already failing; the original error matters more
        }
    }
}
