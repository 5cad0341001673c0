package io.caduceus.ingest;

import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.ingest.vault.RecordConflictException;
import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.ingest.vault.VaultRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The vault port's contract in memory, for the use case's unit tests (the application layer cannot depend on an
 * adapter; the real vaults are tested against the same contract in adapters/vault and the integration tests).
 */
final class InMemoryRecordVault implements RecordVault {

    final Map<String, VaultRecord> records = new LinkedHashMap<>();
    final Map<String, List<String>> byKey = new LinkedHashMap<>();
    final Set<String> erasedOwners = new HashSet<>();
    int puts;
    /** A record another writer stores just before the next put, as a racing identical submission would. */
    VaultRecord racing;

    @Override
    public synchronized void put(VaultRecord record) {
        if (racing != null) {
            VaultRecord first = racing;
            racing = null;
            put(first);
        }
        puts++;
        VaultRecord existing = records.get(record.recordId());
        if (existing != null) {
            if (!existing.equals(record)) {
                throw new RecordConflictException(record.recordId());
            }
            return;
        }
        records.put(record.recordId(), record);
        for (String key : record.lookupKeys()) {
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(record.recordId());
        }
    }

    @Override
    public synchronized Optional<VaultRecord> get(String recordId) {
        VaultRecord record = records.get(recordId);
        if (record != null && erasedOwners.contains(record.patientPseudonym())) {
            throw new RecordErasedException("record " + recordId + " was erased");
        }
        return Optional.ofNullable(record);
    }

    @Override
    public synchronized List<String> findRecords(String lookupKey) {
        return byKey.getOrDefault(lookupKey, List.of()).stream()
                .filter(id -> !erasedOwners.contains(records.get(id).patientPseudonym())).toList();
    }

    @Override
    public List<String> recordsOfPatient(String patientPseudonym) {
        return records.values().stream().filter(r -> r.patientPseudonym().equals(patientPseudonym))
                .map(VaultRecord::recordId).toList();
    }

    @Override
    public boolean contains(String recordId) {
        return records.containsKey(recordId);
    }

    @Override
    public boolean holdsPatient(String patientPseudonym) {
        return !recordsOfPatient(patientPseudonym).isEmpty();
    }

    @Override
    public boolean erasePatient(String patientPseudonym) {
        return erasedOwners.add(patientPseudonym);
    }

    @Override
    public QuarantinedMessage quarantine(String originalMessageId, String reason, byte[] originalBytes,
                                         Instant receivedAt, Optional<String> patientPseudonym) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long recordCount() {
        return records.size();
    }

    @Override
    public long quarantinedCount() {
        return 0;
    }

    @Override
    public List<QuarantinedMessage> listQuarantined() {
        return List.of();
    }

    @Override
    public Optional<QuarantinedMessage> getQuarantined(String quarantineId) {
        return Optional.empty();
    }

    @Override
    public boolean releaseQuarantined(String quarantineId) {
        return false;
    }

    @Override
    public void close() {
    }
}
