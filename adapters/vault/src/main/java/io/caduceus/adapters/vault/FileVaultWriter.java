package io.caduceus.adapters.vault;

import io.caduceus.adapters.vault.FileRecordVault.Location;
import io.caduceus.adapters.vault.FileVaultIndex.QuarantineSlot;
import io.caduceus.ingest.vault.RecordConflictException;
import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.ingest.vault.VaultException;
import io.caduceus.ingest.vault.VaultRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.BiPredicate;

/**
 * The file vault's writes: callers seal their entries on their own threads and queue them here; the one writer thread
 * takes everything queued, persists any fresh data keys, appends the entries with one fsync per file touched, updates
 * the {@link FileVaultIndex} and only then acknowledges every caller of the batch (group commit).
 *
 * <p>After an I/O failure the on-disk state is unknown, so the writer stops: every later call fails until the vault is
 * reopened, which rebuilds the index from what did reach the disk.
 */
final class FileVaultWriter {

    // Under the vault's name, as before these were split out of it, so that logging settings still apply.
    private static final System.Logger LOG = System.getLogger(FileRecordVault.class.getName());

    private static final int MAX_BATCH = 4096;

    private final Path dir;
    private final FileKeyStore keys;
    private final FileVaultSegments segments;
    private final FileVaultIndex index;
    /** Whether an equal record is stored intact at a location (see FileRecordVault#storedIsIntact). */
    private final BiPredicate<Location, VaultRecord> storedIsIntact;
    private final Runnable release;
    private final GroupCommitWriter<Op> writer;
    /** Set after an I/O failure in the writer: after a failed fsync the on-disk state is unknown, so stop. */
    private volatile VaultException failure;

    /**
     * Starts the writer thread.
     *
     * @param storedIsIntact as FileRecordVault#storedIsIntact: true if an equal record is stored, false if the stored
     *                       copy is damaged, a {@link RecordConflictException} if different content is
     * @param release        the writer's last act once closed: releases the vault's files
     */
    FileVaultWriter(Path dir, FileKeyStore keys, FileVaultSegments segments, FileVaultIndex index,
                    BiPredicate<Location, VaultRecord> storedIsIntact, Runnable release) {
        this.dir = dir;
        this.keys = keys;
        this.segments = segments;
        this.index = index;
        this.storedIsIntact = storedIsIntact;
        this.release = release;
        this.writer = new GroupCommitWriter<>("vault-writer-" + dir.getFileName(), MAX_BATCH, new Batches(),
                () -> new VaultException("vault " + dir + " is closed", false));
    }

    // ---- callers' side -------------------------------------------------------------------------------------------

    /** Writes a sealed record; a {@link StaleKeyException} if its patient was erased while it was queued. */
    void put(VaultRecord record, KeyEntry key, byte[] body) {
        await(writer.submit(new PutOp(record, key, body)), "put of record " + record.recordId());
    }

    /** Writes a sealed quarantined message; a {@link StaleKeyException} as for {@link #put}. */
    void quarantine(String quarantineId, KeyEntry key, byte[] body, String what) {
        await(writer.submit(new QuarantineOp(quarantineId, key, body)), what);
    }

    /** @return false if the message was not (or no longer) quarantined */
    boolean release(String quarantineId, byte[] body) {
        return (Boolean) await(writer.submit(new ReleaseOp(quarantineId, body)),
                "release of quarantined message " + quarantineId);
    }

    /** @return false if the vault held no key of the patient */
    boolean erase(String pseudonym) {
        return (Boolean) await(writer.submit(new EraseOp(pseudonym)), "erasure of a patient");
    }

    boolean isClosed() {
        return writer.isClosed();
    }

    /** The I/O failure that stopped the writer, or null. */
    VaultException failure() {
        return failure;
    }

    void ensureUsable() {
        if (writer.isClosed()) {
            throw new VaultException("vault " + dir + " is closed", false);
        }
        VaultException f = failure;
        if (f != null) {
            throw new VaultException("vault " + dir + " stopped after an I/O failure; reopen it: " + f.getMessage(), true, f);
        }
    }

    /** Takes no more writes; true once every queued one is done and the files are released. */
    boolean close(Duration timeout) {
        return writer.close(timeout);
    }

    private Object await(Op op, String what) {
        try {
            return op.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // The op may still complete; put is idempotent, so retrying is safe.
            throw new VaultException("interrupted while waiting for the " + what, true, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RecordConflictException c) {
                throw new RecordConflictException(c.recordId()); // a fresh stack trace that shows the caller
            }
            if (cause instanceof RecordErasedException) {
                throw new RecordErasedException(cause.getMessage());
            }
            if (cause instanceof StaleKeyException stale) {
                throw stale;
            }
            if (cause instanceof VaultException v) {
                throw new VaultException(v.getMessage(), v.isRetriable(), v);
            }
            throw new VaultException(what + " failed: " + cause, false, cause);
        }
    }

    // ---- the queued writes ---------------------------------------------------------------------------------------

    private abstract static class Op extends GroupCommitWriter.Task {
    }

    private static final class PutOp extends Op {
        final VaultRecord record;
        final KeyEntry key;
        final byte[] body;

        PutOp(VaultRecord record, KeyEntry key, byte[] body) {
            this.record = record;
            this.key = key;
            this.body = body;
        }
    }

    private static final class QuarantineOp extends Op {
        final String id;
        final KeyEntry key;
        final byte[] body;

        QuarantineOp(String id, KeyEntry key, byte[] body) {
            this.id = id;
            this.key = key;
            this.body = body;
        }
    }

    private static final class ReleaseOp extends Op {
        final String id;
        final byte[] body;

        ReleaseOp(String id, byte[] body) {
            this.id = id;
            this.body = body;
        }
    }

    private static final class EraseOp extends Op {
        final String pseudonym;

        EraseOp(String pseudonym) {
            this.pseudonym = pseudonym;
        }
    }

    // ---- the writer thread ---------------------------------------------------------------------------------------

    /** The vault's side of the group commit. */
    private final class Batches implements GroupCommitWriter.Batches<Op> {

        @Override
        public void write(List<Op> batch) {
            try {
                List<Op> group = new ArrayList<>();
                for (Op op : batch) {
                    if (op instanceof EraseOp erase) {
                        // An erasure splits the batch: what was queued before it is written before the key goes.
                        flush(group);
                        group.clear();
                        erase(erase);
                    } else {
                        group.add(op);
                    }
                }
                flush(group);
            } catch (RuntimeException e) {
                // A bug, not I/O: fail this batch's callers but keep the vault consistent by stopping it.
                failure = new VaultException("vault writer failed: " + e, false, e);
                throw e;
            }
        }

        @Override
        public void stopped() {
            release.run();
        }
    }

    private void erase(EraseOp op) {
        if (failure != null) {
            op.done.completeExceptionally(failure);
            return;
        }
        try {
            int generation = keys.erase(op.pseudonym);
            if (generation >= 0) {
                index.forget(op.pseudonym, generation);
            }
            op.done.complete(generation >= 0);
        } catch (IOException e) {
            fail(List.of(op), e);
        }
    }

    /** Writes a group of appends with one fsync per file touched, then acknowledges them. */
    private void flush(List<Op> group) {
        if (group.isEmpty()) {
            return;
        }
        if (failure != null) {
            group.forEach(op -> op.done.completeExceptionally(failure));
            return;
        }
        List<Op> toWrite = new ArrayList<>(group.size());
        List<Op> acknowledgeAfterWrite = new ArrayList<>();
        Map<String, PutOp> pending = new HashMap<>();
        Set<KeyEntry> freshKeys = new LinkedHashSet<>();
        for (Op op : group) {
            if (op instanceof PutOp put) {
                String id = put.record.recordId();
                if (keys.erasedSince(put.key)) {
                    op.done.completeExceptionally(new StaleKeyException());
                    continue;
                }
                PutOp earlier = pending.get(id);
                Location stored = index.location(id);
                if (earlier != null) {
                    // A concurrent duplicate in this very batch: same durability point as the first one.
                    if (earlier.record.equals(put.record)) {
                        acknowledgeAfterWrite.add(op);
                    } else {
                        op.done.completeExceptionally(new RecordConflictException(id));
                    }
                } else if (stored != null) {
                    try {
                        if (storedIsIntact.test(stored, put.record)) {
                            op.done.complete(null);
                        } else {
                            pending.put(id, put);
                            toWrite.add(op);
                            if (!put.key.persisted) {
                                freshKeys.add(put.key);
                            }
                        }
                    } catch (VaultException e) {
                        op.done.completeExceptionally(e);
                    }
                } else {
                    pending.put(id, put);
                    toWrite.add(op);
                    if (!put.key.persisted) {
                        freshKeys.add(put.key);
                    }
                }
            } else if (op instanceof QuarantineOp q) {
                if (keys.erasedSince(q.key)) {
                    op.done.completeExceptionally(new StaleKeyException());
                    continue;
                }
                toWrite.add(op);
                if (!q.key.persisted) {
                    freshKeys.add(q.key);
                }
            } else if (op instanceof ReleaseOp r) {
                if (index.isQuarantined(r.id)) {
                    toWrite.add(op);
                } else {
                    op.done.complete(Boolean.FALSE);
                }
            }
        }
        if (toWrite.isEmpty()) {
            acknowledgeAfterWrite.forEach(op -> op.done.complete(null));
            return;
        }
        try {
            if (!freshKeys.isEmpty()) {
                // Keys first: a record on disk whose key is not would be unreadable after a crash.
                keys.persist(new ArrayList<>(freshKeys));
            }
            List<Location> locations = segments.appendAndForce(toWrite.stream().map(FileVaultWriter::bodyOf).toList());
            List<ReleaseOp> releases = new ArrayList<>();
            for (int i = 0; i < toWrite.size(); i++) {
                Op op = toWrite.get(i);
                Location at = locations.get(i);
                if (op instanceof PutOp put) {
                    index.recordWritten(put.record.recordId(), at, put.record.patientPseudonym(), put.key.generation,
                            put.record.lookupKeys());
                    op.done.complete(null);
                } else if (op instanceof QuarantineOp q) {
                    index.quarantineWritten(q.id, new QuarantineSlot(at, q.key.owner, q.key.generation));
                    op.done.complete(null);
                } else if (op instanceof ReleaseOp r) {
                    releases.add(r);
                }
            }
            release(releases);
            acknowledgeAfterWrite.forEach(op -> op.done.complete(null));
        } catch (IOException e) {
            List<Op> all = new ArrayList<>(toWrite);
            all.addAll(acknowledgeAfterWrite);
            fail(all, e);
        }
    }

    /**
     * After the release entries are durable: a message kept under a key of its own loses the key, and once no message
     * of the older format is left, neither does the old shared quarantine key.
     */
    private void release(List<ReleaseOp> releases) throws IOException {
        boolean legacyReleased = false;
        List<Boolean> existed = new ArrayList<>(releases.size());
        for (ReleaseOp r : releases) {
            QuarantineSlot slot = index.released(r.id);
            existed.add(slot != null);
            if (slot != null && FileKeyStore.isQuarantineOwner(slot.owner())) {
                keys.dropQuarantineKey(slot.owner());
            }
            legacyReleased |= slot != null && slot.owner().equals(FileKeyStore.QUARANTINE_OWNER);
        }
        if (legacyReleased && !index.anyQuarantinedUnder(FileKeyStore.QUARANTINE_OWNER)) {
            keys.erase(FileKeyStore.QUARANTINE_OWNER);
        }
        for (int i = 0; i < releases.size(); i++) {
            releases.get(i).done.complete(existed.get(i));
        }
    }

    private static byte[] bodyOf(Op op) {
        if (op instanceof PutOp p) {
            return p.body;
        }
        if (op instanceof QuarantineOp q) {
            return q.body;
        }
        return ((ReleaseOp) op).body;
    }

    private void fail(List<Op> ops, IOException e) {
        failure = new VaultException("vault " + dir + " write failed: " + e, true, e);
        LOG.log(System.Logger.Level.ERROR, "vault " + dir + " stopped after an I/O failure", e);
        ops.forEach(op -> op.done.completeExceptionally(failure));
    }
}
