package io.caduceus.adapters.vault;

import java.sql.Statement;
import java.util.Objects;
import java.util.regex.Pattern;

/** The PostgreSQL vault's tables in its schema: their names, the SQL fragments shared by its statements, and DDL. */
final class PostgresVaultSchema {

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** k.generation, k.key_id, k.wrapped_key of a LEFT JOIN on patient_keys aliased k. */
    static final String KEY_COLUMNS = "k.generation, k.key_id, k.wrapped_key";

    private final String schema;

    PostgresVaultSchema(String schema) {
        this.schema = Objects.requireNonNull(schema, "schema");
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema must be a plain lower-case SQL identifier");
        }
    }

    String name() {
        return schema;
    }

    /** A table's qualified name. */
    String table(String table) {
        return schema + "." + table;
    }

    /**
     * Appended to an INSERT ... SELECT of a row sealed under key generation (owner, generation), given as its last two
     * parameters: inserts only while that generation is live. FOR SHARE holds the key row until the insert commits,
     * so an erasure waits for it and then deletes what it wrote along with the rest.
     */
    String liveKeyGuard() {
        return " WHERE EXISTS (SELECT 1 FROM " + table("patient_keys")
                + " WHERE patient_pseudonym = ? AND generation = ? AND wrapped_key IS NOT NULL FOR SHARE)";
    }

    /** Joins records r to their live key row only: records of erased generations drop out. */
    String liveKeyJoin() {
        return " JOIN " + table("patient_keys") + " k ON k.patient_pseudonym = r.patient_pseudonym"
                + " AND k.generation = r.generation AND k.wrapped_key IS NOT NULL";
    }

    String quarantineSelect() {
        return "SELECT q.quarantine_id, q.owner, q.generation, q.sealed, " + KEY_COLUMNS + " FROM " + table("quarantine")
                + " q LEFT JOIN " + table("patient_keys") + " k ON k.patient_pseudonym = q.owner";
    }

    /** Creates what is missing, and upgrades tables of earlier formats in place; safe on concurrent first starts. */
    void create(PostgresConnections connections) {
        connections.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                // Serialises concurrent first starts: CREATE ... IF NOT EXISTS alone can still collide in the catalog.
                s.execute("SELECT pg_advisory_xact_lock(hashtext('caduceus-vault-ddl'))");
                s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                s.execute("CREATE TABLE IF NOT EXISTS " + table("patient_keys") + " ("
                        + "patient_pseudonym text PRIMARY KEY, key_id text, wrapped_key bytea, erased_at timestamptz)");
                s.execute("CREATE TABLE IF NOT EXISTS " + table("records") + " ("
                        + "record_id text PRIMARY KEY, patient_pseudonym text NOT NULL, sealed bytea NOT NULL, "
                        + "stored_at timestamptz NOT NULL DEFAULT now())");
                s.execute("CREATE INDEX IF NOT EXISTS records_patient_idx ON " + table("records") + " (patient_pseudonym)");
                // Write order for lookups: stored_at is the transaction time, shared by a whole batch.
                s.execute("CREATE SEQUENCE IF NOT EXISTS " + table("record_seq"));
                s.execute("CREATE TABLE IF NOT EXISTS " + table("record_lookup") + " ("
                        + "lookup_key text NOT NULL, record_id text NOT NULL, seq bigint NOT NULL DEFAULT nextval('"
                        + table("record_seq") + "'), PRIMARY KEY (lookup_key, record_id))");
                s.execute("ALTER TABLE " + table("records") + " ADD COLUMN IF NOT EXISTS seq bigint NOT NULL DEFAULT nextval('"
                        + table("record_seq") + "')");
                s.execute("CREATE INDEX IF NOT EXISTS record_lookup_seq_idx ON " + table("record_lookup") + " (lookup_key, seq)");
                s.execute("CREATE TABLE IF NOT EXISTS " + table("quarantine") + " ("
                        + "quarantine_id text PRIMARY KEY, sealed bytea NOT NULL, quarantined_at timestamptz NOT NULL)");
                // Key generations (erasure forgets without blocking). Rows from before them are generation 0, and a
                // patient erased then gets generation 1 with their next record; the shared quarantine key of that
                // format is owner ''.
                s.execute("ALTER TABLE " + table("patient_keys") + " ADD COLUMN IF NOT EXISTS generation integer NOT NULL DEFAULT 0");
                s.execute("ALTER TABLE " + table("records") + " ADD COLUMN IF NOT EXISTS generation integer NOT NULL DEFAULT 0");
                s.execute("ALTER TABLE " + table("quarantine") + " ADD COLUMN IF NOT EXISTS owner text NOT NULL DEFAULT ''");
                s.execute("ALTER TABLE " + table("quarantine") + " ADD COLUMN IF NOT EXISTS generation integer NOT NULL DEFAULT 0");
                s.execute("CREATE INDEX IF NOT EXISTS quarantine_owner_idx ON " + table("quarantine") + " (owner, generation)");
                // Erasure deletes a patient's lookup rows by record.
                s.execute("CREATE INDEX IF NOT EXISTS record_lookup_record_idx ON " + table("record_lookup") + " (record_id)");
            }
            return null;
        }, "create vault tables");
    }
}
