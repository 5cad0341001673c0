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

    /**
     * Appended to an INSERT ... SELECT of a row sealed under key generation (owner, generation), given as its last two
     * parameters: inserts only while that generation is live. FOR SHARE holds the key row until the insert commits,
     * so an erasure waits for it and then deletes what it wrote along with the rest.
     */
    private String liveKeyGuard() {
        return " WHERE EXISTS (SELECT 1 FROM " + t("patient_keys")
                + " WHERE patient_pseudonym = ? AND generation = ? AND wrapped_key IS NOT NULL FOR SHARE)";
    }

    /** Joins records r to their live key row only: records of erased generations drop out. */
    private String liveKeyJoin() {
        return " JOIN " + t("patient_keys") + " k ON k.patient_pseudonym = r.patient_pseudonym"
                + " AND k.generation = r.generation AND k.wrapped_key IS NOT NULL";
    }

    private String quarantineSelect() {
        return "SELECT q.quarantine_id, q.owner, q.generation, q.sealed, " + KEY_COLUMNS + " FROM " + t("quarantine")
                + " q LEFT JOIN " + t("patient_keys") + " k ON k.patient_pseudonym = q.owner";
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
                // Key generations (erasure forgets without blocking). Rows from before them are generation 0, and a
                // patient erased then gets generation 1 with their next record; the shared quarantine key of that
                // format is owner ''.
                s.execute("ALTER TABLE " + t("patient_keys") + " ADD COLUMN IF NOT EXISTS generation integer NOT NULL DEFAULT 0");
                s.execute("ALTER TABLE " + t("records") + " ADD COLUMN IF NOT EXISTS generation integer NOT NULL DEFAULT 0");
                s.execute("ALTER TABLE " + t("quarantine") + " ADD COLUMN IF NOT EXISTS owner text NOT NULL DEFAULT ''");
                s.execute("ALTER TABLE " + t("quarantine") + " ADD COLUMN IF NOT EXISTS generation integer NOT NULL DEFAULT 0");
                s.execute("CREATE INDEX IF NOT EXISTS quarantine_owner_idx ON " + t("quarantine") + " (owner, generation)");
                // Erasure deletes a patient's lookup rows by record.
                s.execute("CREATE INDEX IF NOT EXISTS record_lookup_record_idx ON " + t("record_lookup") + " (record_id)");
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
        FileRecordVault.refuseReservedOwner(record.patientPseudonym());
        ensureOpen();
        for (int attempt = 1; ; attempt++) {
            KeyEntry key = keyForWrite(record.patientPseudonym());
            byte[] sealed = VaultCrypto.sealRecord(key.key(keyring), record);
            PutOp op = new PutOp(record, key.generation, sealed);
            lifecycle.readLock().lock();
            try {
                ensureOpen();
                queue.add(op);
            } finally {
                lifecycle.readLock().unlock();
            }
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
                    keyCache.remove(record.patientPseudonym(), key);
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
        return withConnection(c -> readRecord(c, recordId), "read record " + recordId);
    }

    private Optional<VaultRecord> readRecord(Connection c, String recordId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT r.patient_pseudonym, r.generation, r.sealed, "
                + KEY_COLUMNS + " FROM " + t("records") + " r LEFT JOIN " + t("patient_keys")
                + " k ON k.patient_pseudonym = r.patient_pseudonym WHERE r.record_id = ?")) {
            ps.setString(1, recordId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String pseudonym = rs.getString(1);
                int generation = rs.getInt(2);
                byte[] sealed = rs.getBytes(3);
                KeyEntry key = keyForRead(c, pseudonym, generation, keyRow(rs, 4), "record " + recordId);
                return Optional.of(VaultCrypto.openRecord(key.key(keyring), recordId, pseudonym, sealed));
            }
        }
    }

    @Override
    public List<String> findRecords(String lookupKey) {
        Objects.requireNonNull(lookupKey, "lookupKey");
        ensureOpen();
        // The join leaves out records of erased generations even if a lookup row outlived its erasure.
        return withConnection(c -> recordIds(c, "SELECT l.record_id FROM " + t("record_lookup") + " l JOIN "
                + t("records") + " r ON r.record_id = l.record_id" + liveKeyJoin()
                + " WHERE l.lookup_key = ? ORDER BY l.seq", lookupKey), "look up records by key");
    }

    @Override
    public List<String> recordsOfPatient(String patientPseudonym) {
        Objects.requireNonNull(patientPseudonym, "patientPseudonym");
        ensureOpen();
        return withConnection(c -> recordIds(c, "SELECT r.record_id FROM " + t("records") + " r" + liveKeyJoin()
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
    public boolean holdsPatient(String patientPseudonym) {
        Objects.requireNonNull(patientPseudonym, "patientPseudonym");
        ensureOpen();
        return withConnection(c -> {
            KeyRow row = loadKeyRow(c, patientPseudonym);
            return row != null && row.wrapped() != null;
        }, "look up a patient's data key");
    }

    @Override
    public boolean erasePatient(String patientPseudonym) {
        VaultRecord.requireText(patientPseudonym, "patientPseudonym");
        FileRecordVault.refuseReservedOwner(patientPseudonym);
        ensureOpen();
        boolean erased = inTransaction(c -> {
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
        KeyEntry cached = keyCache.remove(patientPseudonym);
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
            KeyEntry key = keyForWrite(owner);
            byte[] sealed = VaultCrypto.sealQuarantine(key.key(keyring), message);
            boolean stored = withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t("quarantine")
                        + " (quarantine_id, owner, generation, sealed, quarantined_at) SELECT ?, ?, ?, ?, ?" + liveKeyGuard())) {
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
            keyCache.remove(owner, key);
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
        return withConnection(c -> {
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
        return withConnection(c -> {
            List<QuarantinedMessage> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(quarantineSelect() + " ORDER BY q.quarantined_at, q.quarantine_id");
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
        return withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(quarantineSelect() + " WHERE q.quarantine_id = ?")) {
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
        KeyEntry key = keyForRead(c, rs.getString(2), rs.getInt(3), keyRow(rs, 5), "quarantined message " + id);
        return VaultCrypto.openQuarantine(key.key(keyring), id, rs.getBytes(4));
    }

    @Override
    public boolean releaseQuarantined(String quarantineId) {
        Objects.requireNonNull(quarantineId, "quarantineId");
        ensureOpen();
        String[] dropped = new String[1];
        boolean existed = inTransaction(c -> {
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
            KeyEntry cached = keyCache.remove(dropped[0]);
            if (cached != null) {
                cached.forget();
            }
        }
        return existed;
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

    /**
     * Asks the database a {@code SELECT 1} on a connection of its own (the pool's may all be taken by the writes
     * being checked on), with the JDBC login and query timeouts as deadlines.
     */
    @Override
    public Optional<String> unavailability(long minFreeBytes) {
        if (closed) {
            return Optional.of("PostgreSQL vault closed");
        }
        Properties probe = new Properties();
        probe.putAll(credentials);
        probe.setProperty("connectTimeout", "3");
        probe.setProperty("loginTimeout", "3");
        probe.setProperty("socketTimeout", "5");
        try (Connection c = DriverManager.getConnection(url, probe); Statement s = c.createStatement()) {
            s.setQueryTimeout(3);
            s.execute("SELECT 1");
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of("PostgreSQL did not answer (SQLState " + (e.getSQLState() == null ? "none" : e.getSQLState()) + ")");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new VaultException("PostgreSQL vault is closed", false);
        }
    }

    // ---- data keys -----------------------------------------------------------------------------------------------
    //
    // The cache only saves unwrapping. Reads fetch the key row in the statement that fetches the ciphertext and use a
    // cached key only if its generation is that row's live one; writes use a cached key unchecked, and the insert is
    // guarded by the row (LIVE_KEY_GUARD), so a key another instance erased is refused at once and the write sealed
    // again under the new generation.

    /** The patient_keys row of an owner: {@code wrapped} is null once its generation was erased. */
    private record KeyRow(int generation, String keyId, byte[] wrapped) {
    }

    /** k.generation, k.key_id, k.wrapped_key of a LEFT JOIN on patient_keys aliased k. */
    private static final String KEY_COLUMNS = "k.generation, k.key_id, k.wrapped_key";

    private static KeyRow keyRow(ResultSet rs, int firstColumn) throws SQLException {
        int generation = rs.getInt(firstColumn);
        if (rs.wasNull()) {
            return null;
        }
        return new KeyRow(generation, rs.getString(firstColumn + 1), rs.getBytes(firstColumn + 2));
    }

    private KeyEntry keyForWrite(String owner) {
        KeyEntry cached = keyCache.get(owner);
        if (cached != null && !cached.erased) {
            return cached;
        }
        return withConnection(c -> {
            for (int attempt = 0; attempt < 3; attempt++) {
                KeyRow row = loadKeyRow(c, owner);
                if (row != null && row.wrapped() != null) {
                    return cache(c, owner, row);
                }
                // None yet, or erased: a new generation. Whoever wins a race, everyone then uses the stored key.
                int generation = row == null ? 0 : row.generation() + 1;
                SecretKey fresh = VaultCrypto.newDataKey();
                byte[] wrapped = keyring.wrap(owner, generation, fresh);
                String sql = row == null
                        ? "INSERT INTO " + t("patient_keys") + " (patient_pseudonym, generation, key_id, wrapped_key)"
                                + " VALUES (?, ?, ?, ?) ON CONFLICT (patient_pseudonym) DO NOTHING"
                        : "UPDATE " + t("patient_keys") + " SET generation = ?, key_id = ?, wrapped_key = ?, erased_at = NULL"
                                + " WHERE patient_pseudonym = ? AND generation = ? AND wrapped_key IS NULL";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    if (row == null) {
                        ps.setString(1, owner);
                        ps.setInt(2, generation);
                        ps.setString(3, keyring.primaryKeyId());
                        ps.setBytes(4, wrapped);
                    } else {
                        ps.setInt(1, generation);
                        ps.setString(2, keyring.primaryKeyId());
                        ps.setBytes(3, wrapped);
                        ps.setString(4, owner);
                        ps.setInt(5, row.generation());
                    }
                    ps.executeUpdate();
                }
            }
            throw new VaultException("could not settle a data key under concurrent erasures", true);
        }, "load the data key of a patient");
    }

    private KeyRow loadKeyRow(Connection c, String owner) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT generation, key_id, wrapped_key FROM " + t("patient_keys")
                + " WHERE patient_pseudonym = ?")) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new KeyRow(rs.getInt(1), rs.getString(2), rs.getBytes(3)) : null;
            }
        }
    }

    /** The key to open something sealed under {@code generation}, checked against the owner's row read with it. */
    private KeyEntry keyForRead(Connection c, String owner, int generation, KeyRow row, String what) throws SQLException {
        if (row == null || generation > row.generation()) {
            throw new RecordIntegrityException("no data key for " + what);
        }
        if (generation < row.generation() || row.wrapped() == null) {
            throw new RecordErasedException(what + " belongs to an erased patient and can no longer be decrypted");
        }
        return cache(c, owner, row);
    }

    /** A live row's key: the cached one if it is this very row's, otherwise unwrapped now (re-wrapped if old). */
    private KeyEntry cache(Connection c, String owner, KeyRow row) throws SQLException {
        KeyEntry cached = keyCache.get(owner);
        if (cached != null && !cached.erased && cached.generation == row.generation()
                && java.util.Arrays.equals(cached.wrapped, row.wrapped())) {
            return cached;
        }
        KeyEntry stored = new KeyEntry(owner, row.generation(), row.keyId(), row.wrapped(), null, true);
        if (!stored.keyId.equals(keyring.primaryKeyId())) {
            stored = rewrap(c, stored);
        }
        keyCache.put(owner, stored);
        return stored;
    }

    /** Key rotation: moves a key wrapped by an older master key to the primary one, guarded against races. */
    private KeyEntry rewrap(Connection c, KeyEntry old) throws SQLException {
        SecretKey key = old.key(keyring);
        byte[] wrapped = keyring.wrap(old.owner, old.generation, key);
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + t("patient_keys")
                + " SET key_id = ?, wrapped_key = ? WHERE patient_pseudonym = ? AND generation = ? AND key_id = ?"
                + " AND wrapped_key IS NOT NULL")) {
            ps.setString(1, keyring.primaryKeyId());
            ps.setBytes(2, wrapped);
            ps.setString(3, old.owner);
            ps.setInt(4, old.generation);
            ps.setString(5, old.keyId);
            ps.executeUpdate();
        }
        return new KeyEntry(old.owner, old.generation, keyring.primaryKeyId(), wrapped, key, true);
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
            try (PreparedStatement ps = c.prepareStatement("SELECT patient_pseudonym, generation, key_id, wrapped_key FROM "
                    + t("patient_keys") + " WHERE key_id <> ? AND wrapped_key IS NOT NULL AND erased_at IS NULL")) {
                ps.setString(1, keyring.primaryKeyId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        older.add(new KeyEntry(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getBytes(4), null, true));
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
        static final PutOp STOP = new PutOp(null, 0, null);
        final VaultRecord record;
        final int generation;
        final byte[] sealed;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        PutOp(VaultRecord record, int generation, byte[] sealed) {
            this.record = record;
            this.generation = generation;
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
            // The guard refuses records sealed under a key generation erased after the caller fetched the key.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t("records")
                    + " (record_id, patient_pseudonym, generation, sealed) SELECT ?, ?, ?, ?" + liveKeyGuard()
                    + " ON CONFLICT (record_id) DO NOTHING")) {
                for (PutOp op : batch) {
                    ps.setString(1, op.record.recordId());
                    ps.setString(2, op.record.patientPseudonym());
                    ps.setInt(3, op.generation);
                    ps.setBytes(4, op.sealed);
                    ps.setString(5, op.record.patientPseudonym());
                    ps.setInt(6, op.generation);
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

    /**
     * A row that was not inserted is a re-put (same or conflicting content, or of an erased record), or one sealed
     * under a key generation erased meanwhile, which the caller seals again.
     */
    private void resolveSkipped(Connection c, PutOp op) throws SQLException {
        try {
            Optional<VaultRecord> stored = readRecord(c, op.record.recordId());
            c.commit();
            if (stored.isEmpty()) {
                op.done.completeExceptionally(new StaleKeyException());
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

    /** Runs {@code work} in one transaction on a pooled connection, committed when it returns. */
    private <T> T inTransaction(SqlWork<T> work, String what) {
        return withConnection(c -> {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }, what);
    }

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
