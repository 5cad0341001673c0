package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.ingest.vault.RecordIntegrityException;
import io.caduceus.ingest.vault.VaultException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;

/**
 * The PostgreSQL vault's data keys, one live generation per patient in {@code patient_keys}, wrapped by the master key.
 *
 * <p>The cache only saves unwrapping. Reads fetch the key row in the statement that fetches the ciphertext and use a
 * cached key only if its generation is that row's live one; writes use a cached key unchecked, and the insert is
 * guarded by the row ({@link PostgresVaultSchema#liveKeyGuard()}), so a key another instance erased is refused at once
 * and the write sealed again under the new generation.
 */
final class PostgresKeys {

    private final PostgresConnections connections;
    private final PostgresVaultSchema tables;
    private final Keyring keyring;
    private final Map<String, KeyEntry> keyCache = new ConcurrentHashMap<>();

    PostgresKeys(PostgresConnections connections, PostgresVaultSchema tables, Keyring keyring) {
        this.connections = connections;
        this.tables = tables;
        this.keyring = keyring;
    }

    /** Drops the cached key of the owner, if it is this one (a write found it erased meanwhile). */
    void forget(String owner, KeyEntry key) {
        keyCache.remove(owner, key);
    }

    /** Drops the owner's cached key, whichever it is; returns it. */
    KeyEntry forget(String owner) {
        return keyCache.remove(owner);
    }


    /** The patient_keys row of an owner: {@code wrapped} is null once its generation was erased. */
    record KeyRow(int generation, String keyId, byte[] wrapped) {
    }

    static KeyRow keyRow(ResultSet rs, int firstColumn) throws SQLException {
        int generation = rs.getInt(firstColumn);
        if (rs.wasNull()) {
            return null;
        }
        return new KeyRow(generation, rs.getString(firstColumn + 1), rs.getBytes(firstColumn + 2));
    }

    KeyEntry forWrite(String owner) {
        KeyEntry cached = keyCache.get(owner);
        if (cached != null && !cached.erased) {
            return cached;
        }
        return connections.withConnection(c -> {
            for (int attempt = 0; attempt < 3; attempt++) {
                KeyRow row = loadRow(c, owner);
                if (row != null && row.wrapped() != null) {
                    return cache(c, owner, row);
                }
                // None yet, or erased: a new generation. Whoever wins a race, everyone then uses the stored key.
                int generation = row == null ? 0 : row.generation() + 1;
                SecretKey fresh = VaultCrypto.newDataKey();
                byte[] wrapped = keyring.wrap(owner, generation, fresh);
                String sql = row == null
                        ? "INSERT INTO " + tables.table("patient_keys") + " (patient_pseudonym, generation, key_id, wrapped_key)"
                                + " VALUES (?, ?, ?, ?) ON CONFLICT (patient_pseudonym) DO NOTHING"
                        : "UPDATE " + tables.table("patient_keys") + " SET generation = ?, key_id = ?, wrapped_key = ?, erased_at = NULL"
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

    KeyRow loadRow(Connection c, String owner) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT generation, key_id, wrapped_key FROM " + tables.table("patient_keys")
                + " WHERE patient_pseudonym = ?")) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new KeyRow(rs.getInt(1), rs.getString(2), rs.getBytes(3)) : null;
            }
        }
    }

    /** The key to open something sealed under {@code generation}, checked against the owner's row read with it. */
    KeyEntry forRead(Connection c, String owner, int generation, KeyRow row, String what) throws SQLException {
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
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + tables.table("patient_keys")
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

    /** @return how many data keys were re-wrapped (see {@link PostgresRecordVault#rewrapOlderKeys()}) */
    int rewrapOlderKeys() {
        return connections.withConnection(c -> {
            List<KeyEntry> older = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT patient_pseudonym, generation, key_id, wrapped_key FROM "
                    + tables.table("patient_keys") + " WHERE key_id <> ? AND wrapped_key IS NOT NULL AND erased_at IS NULL")) {
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
}
