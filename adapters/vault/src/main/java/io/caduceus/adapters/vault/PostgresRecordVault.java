package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.ingest.vault.RecordConflictException;
import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.ingest.vault.VaultException;
import io.caduceus.ingest.vault.VaultRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

/**
 * The vault on PostgreSQL, for deployments that already run (and back up, and replicate) a database. Same encryption
 * as {@link FileRecordVault}: the database only ever sees ciphertext, ids, pseudonyms and wrapped keys.
 *
 * <p>Puts are group-committed like in the file vault: one writer thread turns whatever is queued into one batched
 * INSERT and one COMMIT, so many puts share one WAL flush. {@code ON CONFLICT DO NOTHING} makes re-puts cheap; the
 * few rows it skips are then checked for identical content.
 *
 * <p>A new patient's data key is inserted and committed before any record is encrypted under it, and the stored key
 * is re-read, so that two middleware instances creating a key for the same patient at once agree on one key.
 *
 * <p>Erasure sets the key row's wrapped key to NULL (the row keeps the erased generation's number), deletes the
 * generation's lookup rows and quarantined messages in the same transaction, and leaves the ciphertexts, which no key
 * opens any more. The next record about the pseudonym creates the next generation in the same row. Every instance
 * caches unwrapped keys, but uses a cached key for a read only if the key row read in the same statement still shows
 * that generation live, and a write only lands while the row does (a guarded insert): an erasure by another instance
 * takes effect there at the next statement, not at the next restart.
 *
 * <p>Erasure limits: PostgreSQL keeps the old row version until vacuum, and WAL archives, replicas and backups keep
 * it longer. As with the file vault, rotating the master key after erasures is what makes such remnants useless.
 */
public final class PostgresRecordVault implements RecordVault {

    private static final int MAX_BATCH = 1000;
    private static final int POOL_SIZE = 4;

    private final PostgresConnections connections;
    private final PostgresVaultSchema tables;
    private final Keyring keyring;
    private final PostgresKeys keys;
    private final GroupCommitWriter<PostgresBatchWriter.PutOp> writer;

    private PostgresRecordVault(String url, String user, String password, List<MasterKey> masterKeys, String schema) {
        this.tables = new PostgresVaultSchema(schema);
        this.connections = new PostgresConnections(url, user, password, POOL_SIZE);
        this.keyring = new Keyring(masterKeys);
        this.keys = new PostgresKeys(connections, tables, keyring);
        tables.create(connections);
        this.writer = new GroupCommitWriter<>("vault-pg-writer", MAX_BATCH,
                new PostgresBatchWriter(connections, tables, this::readRecord),
                () -> new VaultException("PostgreSQL vault is closed", false));
    }

    /** Opens the vault in the {@code caduceus_vault} schema, creating schema and tables if missing. */
    public static PostgresRecordVault open(String jdbcUrl, String user, String password, MasterKey masterKey) {
        return open(jdbcUrl, user, password, List.of(masterKey), "caduceus_vault");
    }

    /**
     * @param masterKeys the first wraps new keys; the others unwrap keys from before a rotation (re-wrapped on use, or
     *     all at once by {@link #rewrapOlderKeys()})
     */
    public static PostgresRecordVault open(String jdbcUrl, String user, String password, List<MasterKey> masterKeys, String schema) {
        return new PostgresRecordVault(jdbcUrl, user, password, masterKeys, schema);
    }

    private String t(String table) {
        return tables.table(table);
    }

    // ---- public API ----------------------------------------------------------------------------------------------

    @Override
    public void put(VaultRecord record) {
        Objects.requireNonNull(record, "record");
        FileRecordVault.refuseReservedOwner(record.patientPseudonym());
        ensureOpen();
        for (int attempt = 1; ; attempt++) {
            KeyEntry key = keys.forWrite(record.patientPseudonym());
            byte[] sealed = VaultCrypto.sealRecord(key.key(keyring), record);
            PostgresBatchWriter.PutOp op = writer.submit(new PostgresBatchWriter.PutOp(record, key.generation, sealed));
            try {
                op.done.get();
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VaultException("interrupted while waiting for the put of record " + record.recordId(), true, e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof StaleKeyException stale) {
                    // Erased (here or by another instance) while queued: new data, sealed again under the new key.
                    keys.forget(record.patientPseudonym(), key);
                    if (attempt == StaleKeyException.ATTEMPTS) {
                        throw new VaultException("put of record " + record.recordId() + " raced repeated erasures", true, stale);
                    }
                    continue;
                }
                if (cause instanceof RecordConflictException c) {
                    throw new RecordConflictException(c.recordId());
                }
                if (cause instanceof RecordErasedException) {
                    throw new RecordErasedException(cause.getMessage());
                }
                if (cause instanceof VaultException v) {
                    throw new VaultException(v.getMessage(), v.isRetriable(), v);
                }
                throw new VaultException("put of record " + record.recordId() + " failed: " + cause, false, cause);
            }
        }
    }

    @Override
    public Optional<VaultRecord> get(String recordId) {
        Objects.requireNonNull(recordId, "recordId");
        ensureOpen();
        return connections.withConnection(c -> readRecord(c, recordId), "read record " + recordId);
    }

    private Optional<VaultRecord> readRecord(Connection c, String recordId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT r.patient_pseudonym, r.generation, r.sealed, "
                + PostgresVaultSchema.KEY_COLUMNS + " FROM " + t("records") + " r LEFT JOIN " + t("patient_keys")
                + " k ON k.patient_pseudonym = r.patient_pseudonym WHERE r.record_id = ?")) {
            ps.setString(1, recordId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String pseudonym = rs.getString(1);
                int generation = rs.getInt(2);
                byte[] sealed = rs.getBytes(3);
                KeyEntry key = keys.forRead(c, pseudonym, generation, PostgresKeys.keyRow(rs, 4), "record " + recordId);
                return Optional.of(VaultCrypto.openRecord(key.key(keyring), recordId, pseudonym, sealed));
            }
        }
    }

    @Override
    public List<String> findRecords(String lookupKey) {
        Objects.requireNonNull(lookupKey, "lookupKey");
        ensureOpen();
        // The join leaves out records of erased generations even if a lookup row outlived its erasure.
        return connections.withConnection(c -> recordIds(c, "SELECT l.record_id FROM " + t("record_lookup") + " l JOIN "
                + t("records") + " r ON r.record_id = l.record_id" + tables.liveKeyJoin()
                + " WHERE l.lookup_key = ? ORDER BY l.seq", lookupKey), "look up records by key");
    }

    @Override
    public List<String> recordsOfPatient(String patientPseudonym) {
        Objects.requireNonNull(patientPseudonym, "patientPseudonym");
        ensureOpen();
        return connections.withConnection(c -> recordIds(c, "SELECT r.record_id FROM " + t("records") + " r" + tables.liveKeyJoin()
                + " WHERE r.patient_pseudonym = ? ORDER BY r.seq", patientPseudonym), "list a patient's records");
    }

    private static List<String> recordIds(Connection c, String sql, String parameter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> ids = new ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
                return ids;
            }
        }
    }

    @Override
    public boolean contains(String recordId) {
        Objects.requireNonNull(recordId, "recordId");
        ensureOpen();
        return connections.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + t("records") + " WHERE record_id = ?")) {
                ps.setString(1, recordId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        }, "look up record " + recordId);
    }

    @Override
    public boolean holdsPatient(String patientPseudonym) {
        Objects.requireNonNull(patientPseudonym, "patientPseudonym");
        ensureOpen();
        return connections.withConnection(c -> {
            PostgresKeys.KeyRow row = keys.loadRow(c, patientPseudonym);
            return row != null && row.wrapped() != null;
        }, "look up a patient's data key");
    }

    @Override
    public boolean erasePatient(String patientPseudonym) {
        VaultRecord.requireText(patientPseudonym, "patientPseudonym");
        FileRecordVault.refuseReservedOwner(patientPseudonym);
        ensureOpen();
        boolean erased = connections.inTransaction(c -> {
            Integer generation = null;
            // Only a live key is erased: a pseudonym nothing is stored under gets no row at all.
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t("patient_keys")
                    + " SET key_id = NULL, wrapped_key = NULL, erased_at = now()"
                    + " WHERE patient_pseudonym = ? AND wrapped_key IS NOT NULL RETURNING generation")) {
                ps.setString(1, patientPseudonym);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        generation = rs.getInt(1);
                    }
                }
            }
            if (generation == null) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t("record_lookup") + " l USING " + t("records")
                    + " r WHERE l.record_id = r.record_id AND r.patient_pseudonym = ? AND r.generation = ?")) {
                ps.setString(1, patientPseudonym);
                ps.setInt(2, generation);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t("quarantine") + " WHERE owner = ? AND generation = ?")) {
                ps.setString(1, patientPseudonym);
                ps.setInt(2, generation);
                ps.executeUpdate();
            }
            return true;
        }, "erase a patient");
        KeyEntry cached = keys.forget(patientPseudonym);
        if (cached != null) {
            cached.forget();
        }
        return erased;
    }

    @Override
    public QuarantinedMessage quarantine(String originalMessageId, String reason, byte[] originalBytes, Instant receivedAt,
                                         Optional<String> patientPseudonym) {
        ensureOpen();
        QuarantinedMessage message = new QuarantinedMessage(UUID.randomUUID().toString(), originalMessageId,
                Objects.requireNonNull(reason, "reason"), originalBytes, receivedAt, Instant.now());
        patientPseudonym.ifPresent(p -> {
            VaultRecord.requireText(p, "patientPseudonym");
            FileRecordVault.refuseReservedOwner(p);
        });
        String owner = patientPseudonym.orElse(FileKeyStore.quarantineOwner(message.quarantineId()));
        for (int attempt = 1; ; attempt++) {
            KeyEntry key = keys.forWrite(owner);
            byte[] sealed = VaultCrypto.sealQuarantine(key.key(keyring), message);
            boolean stored = connections.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t("quarantine")
                        + " (quarantine_id, owner, generation, sealed, quarantined_at) SELECT ?, ?, ?, ?, ?" + tables.liveKeyGuard())) {
                    ps.setString(1, message.quarantineId());
                    ps.setString(2, owner);
                    ps.setInt(3, key.generation);
                    ps.setBytes(4, sealed);
                    ps.setTimestamp(5, Timestamp.from(message.quarantinedAt()));
                    ps.setString(6, owner);
                    ps.setInt(7, key.generation);
                    return ps.executeUpdate() > 0;
                }
            }, "quarantine message " + originalMessageId);
            if (stored) {
                return message;
            }
            keys.forget(owner, key);
            if (attempt == StaleKeyException.ATTEMPTS) {
                throw new VaultException("quarantine of message " + originalMessageId + " raced repeated erasures", true);
            }
        }
    }

    @Override
    public long recordCount() {
        return count("records");
    }

    @Override
    public long quarantinedCount() {
        return count("quarantine");
    }

    private long count(String table) {
        ensureOpen();
        return connections.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + t(table));
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }, "count " + table);
    }

    @Override
    public List<QuarantinedMessage> listQuarantined() {
        ensureOpen();
        return connections.withConnection(c -> {
            List<QuarantinedMessage> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(tables.quarantineSelect() + " ORDER BY q.quarantined_at, q.quarantine_id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    try {
                        result.add(openQuarantine(c, rs));
                    } catch (RecordErasedException erasedMeanwhile) {
                        // its patient was erased after the listing began
                    }
                }
            }
            return result;
        }, "list quarantined messages");
    }

    @Override
    public Optional<QuarantinedMessage> getQuarantined(String quarantineId) {
        Objects.requireNonNull(quarantineId, "quarantineId");
        ensureOpen();
        return connections.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(tables.quarantineSelect() + " WHERE q.quarantine_id = ?")) {
                ps.setString(1, quarantineId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(openQuarantine(c, rs)) : Optional.<QuarantinedMessage>empty();
                }
            } catch (RecordErasedException erasedMeanwhile) {
                return Optional.<QuarantinedMessage>empty();
            }
        }, "read quarantined message " + quarantineId);
    }

    private QuarantinedMessage openQuarantine(Connection c, ResultSet rs) throws SQLException {
        String id = rs.getString(1);
        KeyEntry key = keys.forRead(c, rs.getString(2), rs.getInt(3), PostgresKeys.keyRow(rs, 5), "quarantined message " + id);
        return VaultCrypto.openQuarantine(key.key(keyring), id, rs.getBytes(4));
    }

    @Override
    public boolean releaseQuarantined(String quarantineId) {
        Objects.requireNonNull(quarantineId, "quarantineId");
        ensureOpen();
        String[] dropped = new String[1];
        boolean existed = connections.inTransaction(c -> {
            String owner;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t("quarantine") + " WHERE quarantine_id = ? RETURNING owner")) {
                ps.setString(1, quarantineId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    owner = rs.getString(1);
                }
            }
            if (FileKeyStore.isQuarantineOwner(owner)) {
                // The message's own key: without it the row's old versions (until vacuum) and backups are noise.
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t("patient_keys") + " WHERE patient_pseudonym = ?")) {
                    ps.setString(1, owner);
                    ps.executeUpdate();
                }
                dropped[0] = owner;
            } else if (owner.equals(FileKeyStore.QUARANTINE_OWNER)) {
                // The shared key of the older format goes with the last message kept under it.
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + t("patient_keys")
                        + " SET key_id = NULL, wrapped_key = NULL, erased_at = now() WHERE patient_pseudonym = ''"
                        + " AND NOT EXISTS (SELECT 1 FROM " + t("quarantine") + " WHERE owner = '')")) {
                    ps.executeUpdate();
                }
                dropped[0] = owner;
            }
            return true;
        }, "release quarantined message " + quarantineId);
        if (dropped[0] != null && FileKeyStore.isQuarantineOwner(dropped[0])) {
            KeyEntry cached = keys.forget(dropped[0]);
            if (cached != null) {
                cached.forget();
            }
        }
        return existed;
    }

    @Override
    public void close() {
        if (!writer.close(Duration.ofSeconds(60))) {
            writer.interrupt();
        }
        connections.close();
    }

    /**
     * Asks the database a {@code SELECT 1} on a connection of its own (the pool's may all be taken by the writes
     * being checked on), with the JDBC login and query timeouts as deadlines.
     */
    @Override
    public Optional<String> unavailability(long minFreeBytes) {
        if (writer.isClosed()) {
            return Optional.of("PostgreSQL vault closed");
        }
        try (Connection c = connections.connectWithin(3, 5); Statement s = c.createStatement()) {
            s.setQueryTimeout(3);
            s.execute("SELECT 1");
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of("PostgreSQL did not answer (SQLState " + (e.getSQLState() == null ? "none" : e.getSQLState()) + ")");
        }
    }

    private void ensureOpen() {
        if (writer.isClosed()) {
            throw new VaultException("PostgreSQL vault is closed", false);
        }
    }

    /**
     * Re-wraps, under the current master key, every live data key still wrapped by a previous one, so that the previous
     * keys can be retired without waiting for each patient to be used again. Safe to run beside other writers: each
     * row is only moved if it is still wrapped by the key it was read with.
     *
     * @return how many data keys were re-wrapped
     */
    public int rewrapOlderKeys() {
        ensureOpen();
        return keys.rewrapOlderKeys();
    }

    @Override
    public String toString() {
        return "PostgresRecordVault[schema=" + tables.name() + "]";
    }
}
