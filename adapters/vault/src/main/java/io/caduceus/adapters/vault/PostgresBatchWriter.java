package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.RecordConflictException;
import io.caduceus.ingest.vault.VaultException;
import io.caduceus.ingest.vault.VaultRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The PostgreSQL vault's side of the group commit, on the writer thread: whatever puts are queued become one batched
 * INSERT and one COMMIT, so many puts share one WAL flush. {@code ON CONFLICT DO NOTHING} makes re-puts cheap; the few
 * rows it skips are then read back and compared. The writer keeps a connection of its own, outside the pool.
 */
final class PostgresBatchWriter implements GroupCommitWriter.Batches<PostgresBatchWriter.PutOp> {

    /** Reads a stored record back in the writer's transaction. */
    @FunctionalInterface
    interface RecordReader {
        Optional<VaultRecord> read(Connection c, String recordId) throws SQLException;
    }

    private final PostgresConnections connections;
    private final PostgresVaultSchema tables;
    private final RecordReader reader;
    private Connection writerConnection;

    PostgresBatchWriter(PostgresConnections connections, PostgresVaultSchema tables, RecordReader reader) {
        this.connections = connections;
        this.tables = tables;
        this.reader = reader;
    }

    static final class PutOp extends GroupCommitWriter.Task {
        final VaultRecord record;
        final int generation;
        final byte[] sealed;

        PutOp(VaultRecord record, int generation, byte[] sealed) {
            this.record = record;
            this.generation = generation;
            this.sealed = sealed;
        }
    }

    @Override
    public void write(List<PutOp> batch) {
        writeBatch(batch);
    }

    @Override
    public void stopped() {
        PostgresConnections.closeQuietly(writerConnection);
    }

    private void writeBatch(List<PutOp> batch) {
        List<PutOp> skipped = new ArrayList<>();
        try {
            Connection c = writerConnection();
            // The guard refuses records sealed under a key generation erased after the caller fetched the key.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + tables.table("records")
                    + " (record_id, patient_pseudonym, generation, sealed) SELECT ?, ?, ?, ?" + tables.liveKeyGuard()
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
                PostgresConnections.rollbackQuietly(c);
                throw e;
            }
            for (PutOp op : skipped) {
                resolveSkipped(c, op);
            }
        } catch (SQLException | RuntimeException e) {
            VaultException failure = e instanceof VaultException v ? v
                    : PostgresConnections.translate(e, "batch insert of " + batch.size() + " records");
            batch.forEach(op -> op.done.completeExceptionally(failure));
            dropBrokenWriterConnection();
        }
    }

    /** In the records' own transaction, so a record is never stored without the keys it is found by. */
    private void insertLookupKeys(Connection c, List<PutOp> batch, int[] inserted) throws SQLException {
        boolean any = false;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + tables.table("record_lookup")
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
            Optional<VaultRecord> stored = reader.read(c, op.record.recordId());
            c.commit();
            if (stored.isEmpty()) {
                op.done.completeExceptionally(new StaleKeyException());
            } else if (stored.get().equals(op.record)) {
                op.done.complete(null);
            } else {
                op.done.completeExceptionally(new RecordConflictException(op.record.recordId()));
            }
        } catch (VaultException e) {
            PostgresConnections.rollbackQuietly(c);
            op.done.completeExceptionally(e);
        }
    }

    private Connection writerConnection() throws SQLException {
        if (writerConnection == null) {
            writerConnection = connections.connect();
            writerConnection.setAutoCommit(false);
        }
        return writerConnection;
    }

    private void dropBrokenWriterConnection() {
        try {
            if (writerConnection != null && !writerConnection.isValid(2)) {
                PostgresConnections.closeQuietly(writerConnection);
                writerConnection = null;
            }
        } catch (SQLException e) {
            PostgresConnections.closeQuietly(writerConnection);
            writerConnection = null;
        }
    }
}
