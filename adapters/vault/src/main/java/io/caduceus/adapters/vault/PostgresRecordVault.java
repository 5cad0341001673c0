package io.caduceus.adapters.vault;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;

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
 * <p>Erasure limits: the key row's wrapped key is set to NULL, but PostgreSQL keeps the old row version until vacuum,
 * and WAL archives, replicas and backups keep it longer. As with the file vault, rotating the master key after
 * erasures is what makes such remnants useless. Another instance may also keep an erased patient's data key in its
 * cache until it restarts; only instances that call {@code erasePatient} themselves drop it at once, though records
 * are refused for erased patients everywhere because the insert checks the key row.
 */
public final class PostgresRecordVault implements RecordVault {

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final int MAX_BATCH = 1000;
    private static final int POOL_SIZE = 4;

    private final String url;
    private final Properties credentials;
    private final String schema;
    private final Keyring keyring;
    private final BlockingQueue<Connection> idle = new ArrayBlockingQueue<>(POOL_SIZE);
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, KeyEntry> keyCache = new ConcurrentHashMap<>();
    private final BlockingQueue<PutOp> queue = new LinkedBlockingQueue<>();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Thread writer;
    private final CompletableFuture<Void> writerDone = new CompletableFuture<>();
    private volatile boolean closed;
    private Connection writerConnection;

    private PostgresRecordVault(String url, String user, String password, List<MasterKey> masterKeys, String schema) {
        this.url = Objects.requireNonNull(url, "url");
        this.credentials = new Properties();
        credentials.setProperty("user", Objects.requireNonNull(user, "user"));
        credentials.setProperty("password", Objects.requireNonNull(password, "password"));
        credentials.setProperty("ApplicationName", "caduceus-vault");
        // Server error details can quote row values; keep them out of exception messages.
        credentials.setProperty("logServerErrorDetail", "false");
        this.schema = Objects.requireNonNull(schema, "schema");
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema must be a plain lower-case SQL identifier");
        }
        this.keyring = new Keyring(masterKeys);
        createTables();
        this.writer = new Thread(this::writerLoop, "vault-pg-writer");
        writer.setDaemon(true);
        writer.start();
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
        return schema + "." + table;
    }

    private void createTables() {
        withConnection(c -> {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // Serialises concurrent first starts: CREATE ... IF NOT EXISTS alone can still collide in the catalog.
                s.execute("SELECT pg_advisory_xact_lock(hashtext('caduceus-vault-ddl'))");
                s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                s.execute("CREATE TABLE IF NOT EXISTS " + t("patient_keys") + " ("
                        + "patient_pseudonym text PRIMARY KEY, key_id text, wrapped_key bytea, erased_at timestamptz)");
                s.execute("CREATE TABLE IF NOT EXISTS " + t("records") + " ("
                        + "record_id text PRIMARY KEY, patient_pseudonym text NOT NULL, sealed bytea NOT NULL, "
                        + "stored_at timestamptz NOT NULL DEFAULT now())");
                s.execute("CREATE INDEX IF NOT EXISTS records_patient_idx ON " + t("records") + " (patient_pseudonym)");
                // Write order for lookups: stored_at is the transaction time, shared by a whole batch.
                s.execute("CREATE SEQUENCE IF NOT EXISTS " + t("record_seq"));
                s.execute("CREATE TABLE IF NOT EXISTS " + t("record_lookup") + " ("
                        + "lookup_key text NOT NULL, record_id text NOT NULL, seq bigint NOT NULL DEFAULT nextval('"
                        + t("record_seq") + "'), PRIMARY KEY (lookup_key, record_id))");
                s.execute("ALTER TABLE " + t("records") + " ADD COLUMN IF NOT EXISTS seq bigint NOT NULL DEFAULT nextval('"
                        + t("record_seq") + "')");
                s.execute("CREATE INDEX IF NOT EXISTS record_lookup_seq_idx ON " + t("record_lookup") + " (lookup_key, seq)");
                s.execute("CREATE TABLE IF NOT EXISTS " + t("quarantine") + " ("
                        + "quarantine_id text PRIMARY KEY, sealed bytea NOT NULL, quarantined_at timestamptz NOT NULL)");
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            return null;
        }, "create vault tables");
    }

    // ---- public API ----------------------------------------------------------------------------------------------

    @Override
    public void put(VaultRecord record) {
        Objects.requireNonNull(record, "record");
        ensureOpen();
        KeyEntry key = keyFor(record.patientPseudonym(), true, record.recordId());
        byte[] sealed = VaultCrypto.sealRecord(key.key(keyring), record);
        PutOp op = new PutOp(record, sealed);
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            queue.add(op);
        } finally {
            lifecycle.readLock().unlock();
        }
        try {
            op.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VaultException("interrupted while waiting for the put of record " + record.recordId(), true, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
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

    @Override
    public Optional<VaultRecord> get(String recordId) {
        Objects.requireNonNull(recordId, "recordId");
        ensureOpen();
        return withConnection(c -> readRecord(c, recordId), "read record " + recordId);
    }

    private Optional<VaultRecord> readRecord(Connection c, String recordId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT patient_pseudonym, sealed FROM " + t("records") + " WHERE record_id = ?")) {
            ps.setString(1, recordId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String pseudonym = rs.getString(1);
                byte[] sealed = rs.getBytes(2);
                KeyEntry key = keyFor(c, pseudonym, false, recordId);
                return Optional.of(VaultCrypto.openRecord(key.key(keyring), recordId, pseudonym, sealed));
            }
        }
    }

    @Override
    public List<String> findRecords(String lookupKey) {
        Objects.requireNonNull(lookupKey, "lookupKey");
        ensureOpen();
        return withConnection(c -> recordIds(c, "SELECT record_id FROM " + t("record_lookup")
                + " WHERE lookup_key = ? ORDER BY seq", lookupKey), "look up records by key");
    }

    @Override
    public List<String> recordsOfPatient(String patientPseudonym) {
        Objects.requireNonNull(patientPseudonym, "patientPseudonym");
        ensureOpen();
        return withConnection(c -> recordIds(c, "SELECT record_id FROM " + t("records")
                + " WHERE patient_pseudonym = ? ORDER BY seq", patientPseudonym), "list a patient's records");
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
        return withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + t("records") + " WHERE record_id = ?")) {
                ps.setString(1, recordId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        }, "look up record " + recordId);
    }

    @Override
    public void erasePatient(String patientPseudonym) {
        VaultRecord.requireText(patientPseudonym, "patientPseudonym");
        ensureOpen();
        withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t("patient_keys")
                    + " (patient_pseudonym, key_id, wrapped_key, erased_at) VALUES (?, NULL, NULL, now())"
                    + " ON CONFLICT (patient_pseudonym) DO UPDATE SET key_id = NULL, wrapped_key = NULL,"
                    + " erased_at = COALESCE(" + t("patient_keys") + ".erased_at, now())")) {
                ps.setString(1, patientPseudonym);
                ps.executeUpdate();
            }
            return null;
        }, "erase patient " + patientPseudonym);
        KeyEntry cached = keyCache.remove(patientPseudonym);
        if (cached != null) {
            cached.forget();
        }
    }

    @Override
    public QuarantinedMessage quarantine(String originalMessageId, String reason, byte[] originalBytes, Instant receivedAt) {
        ensureOpen();
        QuarantinedMessage message = new QuarantinedMessage(UUID.randomUUID().toString(), originalMessageId,
                Objects.requireNonNull(reason, "reason"), originalBytes, receivedAt, Instant.now());
        KeyEntry key = keyFor(FileKeyStore.QUARANTINE_OWNER, true, message.quarantineId());
        byte[] sealed = VaultCrypto.sealQuarantine(key.key(keyring), message);
        withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t("quarantine")
                    + " (quarantine_id, sealed, quarantined_at) VALUES (?, ?, ?)")) {
                ps.setString(1, message.quarantineId());
                ps.setBytes(2, sealed);
                ps.setTimestamp(3, Timestamp.from(message.quarantinedAt()));
                ps.executeUpdate();
            }
            return null;
        }, "quarantine message " + originalMessageId);
        return message;
    }

    @Override
    public List<QuarantinedMessage> listQuarantined() {
        ensureOpen();
        return withConnection(c -> {
            List<QuarantinedMessage> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT quarantine_id, sealed FROM " + t("quarantine")
                    + " ORDER BY quarantined_at, quarantine_id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(openQuarantine(c, rs.getString(1), rs.getBytes(2)));
                }
            }
            return result;
        }, "list quarantined messages");
    }

    @Override
    public Optional<QuarantinedMessage> getQuarantined(String quarantineId) {
        Objects.requireNonNull(quarantineId, "quarantineId");
        ensureOpen();
        return withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT sealed FROM " + t("quarantine") + " WHERE quarantine_id = ?")) {
                ps.setString(1, quarantineId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(openQuarantine(c, quarantineId, rs.getBytes(1))) : Optional.<QuarantinedMessage>empty();
                }
            }
        }, "read quarantined message " + quarantineId);
    }

    private QuarantinedMessage openQuarantine(Connection c, String id, byte[] sealed) throws SQLException {
        KeyEntry key = keyFor(c, FileKeyStore.QUARANTINE_OWNER, false, id);
        return VaultCrypto.openQuarantine(key.key(keyring), id, sealed);
    }

    @Override
    public boolean releaseQuarantined(String quarantineId) {
        Objects.requireNonNull(quarantineId, "quarantineId");
        ensureOpen();
        return withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t("quarantine") + " WHERE quarantine_id = ?")) {
                ps.setString(1, quarantineId);
                return ps.executeUpdate() > 0;
            }
        }, "release quarantined message " + quarantineId);
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(PutOp.STOP); // after every queued put, so those still complete
        } finally {
            lifecycle.writeLock().unlock();
        }
        try {
            writerDone.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            writer.interrupt();
        }
        Connection c;
        while ((c = idle.poll()) != null) {
            closeQuietly(c);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new VaultException("PostgreSQL vault is closed", false);
        }
    }

    // ---- data keys -----------------------------------------------------------------------------------------------

    private KeyEntry keyFor(String owner, boolean forWrite, String forId) {
        KeyEntry cached = keyCache.get(owner);
        if (cached != null && !cached.erased) {
            return cached;
        }
        return withConnection(c -> keyFor(c, owner, forWrite, forId), "load the data key for " + forId);
    }

    private KeyEntry keyFor(Connection c, String owner, boolean forWrite, String forId) throws SQLException {
        KeyEntry cached = keyCache.get(owner);
        if (cached != null && !cached.erased) {
            return cached;
        }
        KeyEntry stored = loadKey(c, owner, forId);
        if (stored == null && forWrite) {
            SecretKey fresh = VaultCrypto.newDataKey();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t("patient_keys")
                    + " (patient_pseudonym, key_id, wrapped_key) VALUES (?, ?, ?) ON CONFLICT (patient_pseudonym) DO NOTHING")) {
                ps.setString(1, owner);
                ps.setString(2, keyring.primaryKeyId());
                ps.setBytes(3, keyring.wrap(owner, fresh));
                ps.executeUpdate();
            }
            // Whoever won the insert race, everyone now uses the stored key.
            stored = loadKey(c, owner, forId);
        }
        if (stored == null) {
            throw new RecordIntegrityException("no data key for the patient of " + forId);
        }
        if (!stored.keyId.equals(keyring.primaryKeyId())) {
            stored = rewrap(c, stored);
        }
        keyCache.put(owner, stored);
        return stored;
    }

    private KeyEntry loadKey(Connection c, String owner, String forId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT key_id, wrapped_key, erased_at FROM " + t("patient_keys")
                + " WHERE patient_pseudonym = ?")) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                if (rs.getTimestamp(3) != null || rs.getBytes(2) == null) {
                    throw new RecordErasedException("the patient of " + forId + " has been erased");
                }
                return new KeyEntry(owner, rs.getString(1), rs.getBytes(2), null, true);
            }
        }
    }

    /** Key rotation: moves a key wrapped by an older master key to the primary one, guarded against races. */
    private KeyEntry rewrap(Connection c, KeyEntry old) throws SQLException {
        SecretKey key = old.key(keyring);
        byte[] wrapped = keyring.wrap(old.owner, key);
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + t("patient_keys")
                + " SET key_id = ?, wrapped_key = ? WHERE patient_pseudonym = ? AND key_id = ? AND erased_at IS NULL")) {
            ps.setString(1, keyring.primaryKeyId());
            ps.setBytes(2, wrapped);
            ps.setString(3, old.owner);
            ps.setString(4, old.keyId);
            ps.executeUpdate();
        }
        return new KeyEntry(old.owner, keyring.primaryKeyId(), wrapped, key, true);
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
        return withConnection(c -> {
            List<KeyEntry> older = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT patient_pseudonym, key_id, wrapped_key FROM " + t("patient_keys")
                    + " WHERE key_id <> ? AND wrapped_key IS NOT NULL AND erased_at IS NULL")) {
                ps.setString(1, keyring.primaryKeyId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        older.add(new KeyEntry(rs.getString(1), rs.getString(2), rs.getBytes(3), null, true));
                    }
                }
            }
            for (KeyEntry entry : older) {
                rewrap(c, entry);
                keyCache.remove(entry.owner);
            }
            return older.size();
        }, "re-wrap data keys under the current master key");
    }

    // ---- group commit --------------------------------------------------------------------------------------------

    private static final class PutOp {
        static final PutOp STOP = new PutOp(null, null);
        final VaultRecord record;
        final byte[] sealed;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        PutOp(VaultRecord record, byte[] sealed) {
            this.record = record;
            this.sealed = sealed;
        }
    }

    private void writerLoop() {
        List<PutOp> batch = new ArrayList<>();
        try {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch, MAX_BATCH - 1);
                boolean stop = batch.remove(PutOp.STOP);
                if (!batch.isEmpty()) {
                    writeBatch(batch);
                }
                batch.clear();
                if (stop) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            VaultException gone = new VaultException("PostgreSQL vault writer interrupted", true);
            batch.forEach(op -> op.done.completeExceptionally(gone));
            List<PutOp> left = new ArrayList<>();
            queue.drainTo(left);
            left.forEach(op -> op.done.completeExceptionally(gone));
        } finally {
            closeQuietly(writerConnection);
            writerDone.complete(null);
        }
    }

    private void writeBatch(List<PutOp> batch) {
        List<PutOp> skipped = new ArrayList<>();
        try {
            Connection c = writerConnection();
            // The EXISTS guard refuses records for a patient erased after the caller fetched the key.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t("records")
                    + " (record_id, patient_pseudonym, sealed) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM " + t("patient_keys")
                    + " WHERE patient_pseudonym = ? AND wrapped_key IS NOT NULL) ON CONFLICT (record_id) DO NOTHING")) {
                for (PutOp op : batch) {
                    ps.setString(1, op.record.recordId());
                    ps.setString(2, op.record.patientPseudonym());
                    ps.setBytes(3, op.sealed);
                    ps.setString(4, op.record.patientPseudonym());
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                insertLookupKeys(c, batch, counts);
                c.commit();
                for (int i = 0; i < batch.size(); i++) {
                    if (counts[i] == 0) {
                        skipped.add(batch.get(i));
                    } else {
                        batch.get(i).done.complete(null);
                    }
                }
            } catch (SQLException e) {
                rollbackQuietly(c);
                throw e;
            }
            for (PutOp op : skipped) {
                resolveSkipped(c, op);
            }
        } catch (SQLException | RuntimeException e) {
            VaultException failure = e instanceof VaultException v ? v : translate(e, "batch insert of " + batch.size() + " records");
            batch.forEach(op -> op.done.completeExceptionally(failure));
            dropBrokenWriterConnection();
        }
    }

    /** In the records' own transaction, so a record is never stored without the keys it is found by. */
    private void insertLookupKeys(Connection c, List<PutOp> batch, int[] inserted) throws SQLException {
        boolean any = false;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t("record_lookup")
                + " (lookup_key, record_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            for (int i = 0; i < batch.size(); i++) {
                if (inserted[i] == 0) {
                    continue;
                }
                for (String key : batch.get(i).record.lookupKeys()) {
                    ps.setString(1, key);
                    ps.setString(2, batch.get(i).record.recordId());
                    ps.addBatch();
                    any = true;
                }
            }
            if (any) {
                ps.executeBatch();
            }
        }
    }

    /** A row that was not inserted is either a re-put (same or conflicting content) or one for an erased patient. */
    private void resolveSkipped(Connection c, PutOp op) throws SQLException {
        try {
            Optional<VaultRecord> stored = readRecord(c, op.record.recordId());
            c.commit();
            if (stored.isEmpty()) {
                op.done.completeExceptionally(new RecordErasedException(
                        "patient of record " + op.record.recordId() + " has been erased; new records are refused"));
            } else if (stored.get().equals(op.record)) {
                op.done.complete(null);
            } else {
                op.done.completeExceptionally(new RecordConflictException(op.record.recordId()));
            }
        } catch (VaultException e) {
            rollbackQuietly(c);
            op.done.completeExceptionally(e);
        }
    }

    private Connection writerConnection() throws SQLException {
        if (writerConnection == null) {
            writerConnection = connect();
            writerConnection.setAutoCommit(false);
        }
        return writerConnection;
    }

    private void dropBrokenWriterConnection() {
        try {
            if (writerConnection != null && !writerConnection.isValid(2)) {
                closeQuietly(writerConnection);
                writerConnection = null;
            }
        } catch (SQLException e) {
            closeQuietly(writerConnection);
            writerConnection = null;
        }
    }

    // ---- connections ---------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T withConnection(SqlWork<T> work, String what) {
        Connection c = null;
        boolean healthy = true;
        try {
            c = borrow();
            return work.run(c);
        } catch (SQLException e) {
            healthy = false;
            throw translate(e, what);
        } finally {
            if (c != null) {
                release(c, healthy);
            }
        }
    }

    private Connection borrow() throws SQLException {
        Connection c = idle.poll();
        if (c != null) {
            return c;
        }
        if (open.incrementAndGet() <= POOL_SIZE) {
            try {
                return connect();
            } catch (SQLException | RuntimeException e) {
                open.decrementAndGet();
                throw e;
            }
        }
        open.decrementAndGet();
        try {
            c = idle.poll(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VaultException("interrupted while waiting for a database connection", true, e);
        }
        if (c == null) {
            throw new VaultException("no database connection free within 30 s", true);
        }
        return c;
    }

    private void release(Connection c, boolean healthy) {
        try {
            if (closed || (!healthy && !c.isValid(2)) || !idle.offer(c)) {
                closeQuietly(c);
                open.decrementAndGet();
            }
        } catch (SQLException e) {
            closeQuietly(c);
            open.decrementAndGet();
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, credentials);
    }

    /** SQL errors carry statement text and sometimes parameter values; keep only the state and the class. */
    private static VaultException translate(Exception e, String what) {
        if (e instanceof SQLException sql) {
            String state = sql.getSQLState() == null ? "" : sql.getSQLState();
            boolean retriable = sql instanceof SQLTransientException || sql instanceof SQLRecoverableException
                    || state.startsWith("08") || state.startsWith("40") || state.startsWith("53") || state.startsWith("57");
            return new VaultException("database failure during " + what + " (SQLState " + state + ")", retriable, sql);
        }
        return new VaultException(what + " failed: " + e.getClass().getSimpleName(), false, e);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is probably broken; it is replaced after this batch
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing more to do with a connection being discarded
        }
    }

    @Override
    public String toString() {
        return "PostgresRecordVault[schema=" + schema + "]";
    }
}
