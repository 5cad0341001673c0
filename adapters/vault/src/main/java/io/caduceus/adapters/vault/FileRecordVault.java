package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.ingest.vault.RecordConflictException;
import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.ingest.vault.RecordIntegrityException;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.ingest.vault.VaultException;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.offheap.ScratchArrays;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import javax.crypto.SecretKey;

/**
 * The embedded vault: a directory of append-only segment files plus a key store, owned by one process.
 *
 * <p>Writes use group commit. Callers encrypt on their own threads (that is where the CPU goes), then hand the sealed
 * entry to a single writer thread, which takes everything queued, writes it in one go, forces the file once and only
 * then acknowledges every caller of the batch. One fsync is thus shared by as many puts as arrived while the previous
 * fsync was running, which is what makes thousands of durable puts per second possible on ordinary disks.
 *
 * <p>Layout: {@code segments/NNNNNNNNNN.seg} (records and quarantine entries, never rewritten, rolled at a size
 * limit), {@code keys.log} (wrapped data keys, see {@link FileKeyStore}), {@code vault.lock}. The index
 * (record id to file position) lives in memory and is rebuilt by scanning the segments on open; a torn entry at the
 * end of the newest segment, left by a crash mid-batch, is cut off because it was never acknowledged.
 *
 * <p>Erased patients' ciphertexts stay in the segments (they are append-only); without the data key they are noise.
 * Entries written by this version carry the key generation they were sealed under, and a record's lookup keys are
 * sealed under the same key, so an erased patient's index entries are unreadable on disk too and are not rebuilt on
 * open. Entries of the older format (types 1, 2 and 4) are read as generation 0; their lookup keys are in clear and
 * stay so on disk after an erasure, though they are no longer indexed.
 * The index costs memory per record (roughly 100 bytes plus the id), which bounds a single vault to some tens of
 * millions of records on a modest heap.
 */
public final class FileRecordVault implements RecordVault {

    private static final System.Logger LOG = System.getLogger(FileRecordVault.class.getName());

    static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;
    private static final int MAX_BATCH = 4096;

    /** A quarantined message: where it is and whose key it is sealed under. */
    private record QuarantineSlot(Location at, String owner, int generation) {
    }

    /** Where an entry lives; ordering by it is write order. */
    record Location(int segment, long offset, int length) implements Comparable<Location> {
        @Override
        public int compareTo(Location o) {
            int c = Integer.compare(segment, o.segment);
            return c != 0 ? c : Long.compare(offset, o.offset);
        }
    }

    private final Path dir;
    private final Path segmentDir;
    private final long maxSegmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final FileKeyStore keys;
    private final Map<Integer, EntryLog> segments = new ConcurrentHashMap<>();
    /** Record locations and lookup lists, rebuilt from the segments on open, kept out of the heap in index/. */
    private final RecordIndex index;
    private final Map<String, QuarantineSlot> quarantineIndex = new ConcurrentHashMap<>();
    /** Records erased since this vault was opened, left out of lookups (on the next open they are not indexed). */
    private final Set<String> erasedRecords = ConcurrentHashMap.newKeySet();
    /** Lookup key, and patient pseudonym, to record ids in write order; rebuilt from the entry headers on open. */
    private final RecordLists byLookupKey;
    private final RecordLists byPatient;
    private final GroupCommitWriter<Op> writer;
    /** Set after an I/O failure in the writer: after a failed fsync the on-disk state is unknown, so stop. */
    private volatile VaultException failure;
    private int activeSegment;

    @Override
    public Optional<String> unavailability(long minFreeBytes) {
        if (writer.isClosed()) {
            return Optional.of("file vault closed");
        }
        if (failure != null) {
            return Optional.of("file vault stopped after an I/O failure (restart once the disk is fixed)");
        }
        if (!Files.isDirectory(segmentDir) || !Files.isWritable(segmentDir)) {
            return Optional.of("file vault directory not writable");
        }
        try {
            long free = Files.getFileStore(segmentDir).getUsableSpace();
            if (free < minFreeBytes) {
                return Optional.of("file vault disk has " + free + " bytes free, below " + minFreeBytes);
            }
        } catch (IOException e) {
            return Optional.of("file vault disk not readable: " + e.getClass().getSimpleName());
        }
        return Optional.empty();
    }

    private FileRecordVault(Path dir, Keyring keyring, long maxSegmentBytes) throws IOException {
        this.dir = dir;
        this.segmentDir = dir.resolve("segments");
        this.maxSegmentBytes = maxSegmentBytes;
        createPrivateDirectory(dir);
        createPrivateDirectory(segmentDir);
        this.lockChannel = FileChannel.open(dir.resolve("vault.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock acquired;
        try {
            acquired = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            acquired = null;
        }
        if (acquired == null) {
            lockChannel.close();
            throw new VaultException("vault " + dir + " is already open (by this or another process)", false);
        }
        this.lock = acquired;
        ScratchArrays indexArrays = ScratchArrays.mapped(dir.resolve("index"));
        this.index = new RecordIndex(indexArrays);
        this.byLookupKey = new RecordLists(index::idOf, indexArrays);
        this.byPatient = new RecordLists(index::idOf, indexArrays);
        FileKeyStore openedKeys = null;
        try {
            openedKeys = new FileKeyStore(dir, keyring);
            this.keys = openedKeys;
            loadSegments();
        } catch (IOException | RuntimeException e) {
            closeQuietly(openedKeys);
            segments.values().forEach(FileRecordVault::closeQuietly);
            closeIndex();
            lock.release();
            lockChannel.close();
            throw e;
        }
        this.writer = new GroupCommitWriter<>("vault-writer-" + dir.getFileName(), MAX_BATCH, new Batches(),
                () -> new VaultException("vault " + dir + " is closed", false));
    }

    /** Opens (creating if needed) a vault in {@code dir}. */
    public static FileRecordVault open(Path dir, MasterKey masterKey) {
        return open(dir, List.of(masterKey));
    }

    /**
     * Opens a vault with a master key ring: the first key wraps new keys; the others only unwrap older ones. Keys
     * found wrapped by an older master key are re-wrapped under the first one while opening (key rotation).
     */
    public static FileRecordVault open(Path dir, List<MasterKey> masterKeys) {
        return open(dir, masterKeys, DEFAULT_SEGMENT_BYTES);
    }

    static FileRecordVault open(Path dir, List<MasterKey> masterKeys, long maxSegmentBytes) {
        Objects.requireNonNull(dir, "dir");
        try {
            return new FileRecordVault(dir, new Keyring(masterKeys), maxSegmentBytes);
        } catch (IOException e) {
            throw new VaultException("cannot open vault " + dir + ": " + e, true, e);
        }
    }

    // ---- opening -------------------------------------------------------------------------------------------------

    private void loadSegments() throws IOException {
        List<Integer> ids;
        try (Stream<Path> files = Files.list(segmentDir)) {
            ids = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("\\d{10}\\.seg"))
                    .map(n -> Integer.parseInt(n.substring(0, 10)))
                    .sorted()
                    .toList();
        }
        for (int i = 0; i < ids.size(); i++) {
            int id = ids.get(i);
            boolean newest = i == ids.size() - 1;
            // Older segments were forced before the next one was created, so only the newest can have a torn tail.
            segments.put(id, EntryLog.open(segmentPath(id), (offset, length, body, intact) -> replay(id, offset, length, body, intact), newest));
        }
        activeSegment = ids.isEmpty() ? 1 : ids.get(ids.size() - 1);
        if (ids.isEmpty()) {
            segments.put(activeSegment, EntryLog.open(segmentPath(activeSegment), (o, l, b, i) -> { }, true));
            forceDirectory(segmentDir);
        }
    }

    private void replay(int segment, long offset, int length, byte[] body, boolean intact) throws IOException {
        FileVaultEntries.Header h;
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body))) {
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
                int ordinal = index.putIfAbsent(h.id(), at);
                if (ordinal >= 0) {
                    indexLookupsIfLive(ordinal, h);
                }
            } else if (h.isQuarantine() && keys.isLive(h.owner(), h.generation())) {
                quarantineIndex.putIfAbsent(h.id(), new QuarantineSlot(at, h.owner(), h.generation()));
            }
            return;
        }
        if (h.isRecord()) {
            // A later copy exists only as the repair of a damaged one, already listed by its first copy.
            int ordinal = index.put(h.id(), at);
            if (ordinal >= 0) {
                indexLookupsIfLive(ordinal, h);
            }
        } else if (h.isQuarantine()) {
            // Kept under an erased patient's key, or a released message's own key: gone for good.
            if (keys.isLive(h.owner(), h.generation())) {
                quarantineIndex.put(h.id(), new QuarantineSlot(at, h.owner(), h.generation()));
            }
        } else if (h.type() == FileVaultEntries.RELEASE) {
            quarantineIndex.remove(h.id());
        } else {
            throw new RecordIntegrityException("unknown entry type " + h.type() + " in segment " + segment);
        }
    }

    /** Indexes a record's lookups unless its key generation was erased: an erased patient's records are not found. */
    private void indexLookupsIfLive(int ordinal, FileVaultEntries.Header h) {
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

    private Path segmentPath(int id) {
        return segmentDir.resolve(String.format("%010d.seg", id));
    }

    // ---- public API ----------------------------------------------------------------------------------------------

    @Override
    public void put(VaultRecord record) {
        Objects.requireNonNull(record, "record");
        refuseReservedOwner(record.patientPseudonym());
        ensureUsable();
        for (int attempt = 1; ; attempt++) {
            Location existing = index.get(record.recordId());
            if (existing != null && storedIsIntact(existing, record)) {
                return;
            }
            KeyEntry key = keys.forWrite(record.patientPseudonym());
            SecretKey dataKey = keys.key(key);
            byte[] sealed = VaultCrypto.sealRecord(dataKey, record);
            byte[] sealedKeys = VaultCrypto.sealLookupKeys(dataKey, record.recordId(), record.patientPseudonym(), record.lookupKeys());
            byte[] body = FileVaultEntries.recordBody(record, key.generation, sealedKeys, sealed);
            try {
                await(submit(new PutOp(record, key, body)), "put of record " + record.recordId());
                return;
            } catch (StaleKeyException e) {
                // The patient was erased while this record was queued: it is new data, sealed again under the new key.
                if (attempt == StaleKeyException.ATTEMPTS) {
                    throw new VaultException("put of record " + record.recordId() + " raced repeated erasures", true, e);
                }
            }
        }
    }

    static void refuseReservedOwner(String pseudonym) {
        if (FileKeyStore.isQuarantineOwner(pseudonym)) {
            throw new IllegalArgumentException("the patient pseudonym starts with a prefix reserved by the vault");
        }
    }

    @Override
    public Optional<VaultRecord> get(String recordId) {
        Objects.requireNonNull(recordId, "recordId");
        ensureUsable();
        Location at = index.get(recordId);
        return at == null ? Optional.empty() : Optional.of(readRecord(recordId, at));
    }

    @Override
    public List<String> findRecords(String lookupKey) {
        Objects.requireNonNull(lookupKey, "lookupKey");
        ensureUsable();
        return withoutErased(byLookupKey.get(lookupKey));
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

    @Override
    public List<String> recordsOfPatient(String patientPseudonym) {
        Objects.requireNonNull(patientPseudonym, "patientPseudonym");
        ensureUsable();
        return withoutErased(byPatient.get(patientListKey(patientPseudonym, keys.currentGeneration(patientPseudonym))));
    }

    @Override
    public boolean contains(String recordId) {
        Objects.requireNonNull(recordId, "recordId");
        ensureUsable();
        return index.contains(recordId);
    }

    @Override
    public boolean holdsPatient(String patientPseudonym) {
        Objects.requireNonNull(patientPseudonym, "patientPseudonym");
        ensureUsable();
        return keys.isLive(patientPseudonym, keys.currentGeneration(patientPseudonym));
    }

    @Override
    public boolean erasePatient(String patientPseudonym) {
        VaultRecord.requireText(patientPseudonym, "patientPseudonym");
        refuseReservedOwner(patientPseudonym);
        ensureUsable();
        return (Boolean) await(submit(new EraseOp(patientPseudonym)), "erasure of a patient");
    }

    @Override
    public QuarantinedMessage quarantine(String originalMessageId, String reason, byte[] originalBytes, Instant receivedAt,
                                         Optional<String> patientPseudonym) {
        ensureUsable();
        QuarantinedMessage message = new QuarantinedMessage(UUID.randomUUID().toString(), originalMessageId,
                Objects.requireNonNull(reason, "reason"), originalBytes, receivedAt, Instant.now());
        patientPseudonym.ifPresent(p -> {
            VaultRecord.requireText(p, "patientPseudonym");
            refuseReservedOwner(p);
        });
        String owner = patientPseudonym.orElse(FileKeyStore.quarantineOwner(message.quarantineId()));
        for (int attempt = 1; ; attempt++) {
            KeyEntry key = keys.forWrite(owner);
            byte[] sealed = VaultCrypto.sealQuarantine(keys.key(key), message);
            byte[] body = FileVaultEntries.quarantineBody(message.quarantineId(), owner, key.generation, sealed);
            try {
                await(submit(new QuarantineOp(message.quarantineId(), key, body)), "quarantine of message " + originalMessageId);
                return message;
            } catch (StaleKeyException e) {
                if (attempt == StaleKeyException.ATTEMPTS) {
                    throw new VaultException("quarantine of message " + originalMessageId + " raced repeated erasures", true, e);
                }
            }
        }
    }

    @Override
    public long recordCount() {
        ensureUsable();
        return index.size();
    }

    @Override
    public long quarantinedCount() {
        ensureUsable();
        return quarantineIndex.size();
    }

    @Override
    public List<QuarantinedMessage> listQuarantined() {
        ensureUsable();
        List<Map.Entry<String, QuarantineSlot>> entries = new ArrayList<>(quarantineIndex.entrySet());
        entries.sort(Comparator.comparing(e -> e.getValue().at()));
        List<QuarantinedMessage> result = new ArrayList<>(entries.size());
        for (Map.Entry<String, QuarantineSlot> e : entries) {
            try {
                result.add(readQuarantined(e.getKey(), e.getValue().at()));
            } catch (RecordErasedException erasedMeanwhile) {
                // its patient was erased after the listing began
            }
        }
        return result;
    }

    @Override
    public Optional<QuarantinedMessage> getQuarantined(String quarantineId) {
        Objects.requireNonNull(quarantineId, "quarantineId");
        ensureUsable();
        QuarantineSlot slot = quarantineIndex.get(quarantineId);
        try {
            return slot == null ? Optional.empty() : Optional.of(readQuarantined(quarantineId, slot.at()));
        } catch (RecordErasedException erasedMeanwhile) {
            return Optional.empty();
        }
    }

    @Override
    public boolean releaseQuarantined(String quarantineId) {
        Objects.requireNonNull(quarantineId, "quarantineId");
        ensureUsable();
        if (!quarantineIndex.containsKey(quarantineId)) {
            return false;
        }
        ReleaseOp op = new ReleaseOp(quarantineId, FileVaultEntries.releaseBody(quarantineId));
        return (Boolean) await(submit(op), "release of quarantined message " + quarantineId);
    }

    @Override
    public void close() {
        // The writer thread releases the files once every queued write is done (Batches.stopped).
        while (!writer.close(Duration.ofMinutes(1))) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "vault " + dir + " still closing: a write has taken over a minute");
        }
    }

    // ---- reading -------------------------------------------------------------------------------------------------

    private VaultRecord readRecord(String recordId, Location at) {
        byte[] body = readEntry(at);
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body))) {
            FileVaultEntries.Header h = FileVaultEntries.readHeader(in);
            if (!h.isRecord() || !h.id().equals(recordId)) {
                throw new RecordIntegrityException("index entry of record " + recordId + " points at another entry");
            }
            byte[] sealed = in.readAllBytes();
            KeyEntry key = keys.forRead(h.owner(), h.generation(), recordId);
            return VaultCrypto.openRecord(keys.key(key), recordId, h.owner(), sealed);
        } catch (IOException e) {
            throw new RecordIntegrityException("entry of record " + recordId + " is malformed", e);
        }
    }

    private QuarantinedMessage readQuarantined(String quarantineId, Location at) {
        byte[] body = readEntry(at);
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body))) {
            FileVaultEntries.Header h = FileVaultEntries.readHeader(in);
            if (!h.isQuarantine() || !h.id().equals(quarantineId)) {
                throw new RecordIntegrityException("index entry of quarantined message " + quarantineId + " points at another entry");
            }
            byte[] sealed = in.readAllBytes();
            KeyEntry key = keys.forRead(h.owner(), h.generation(), quarantineId);
            return VaultCrypto.openQuarantine(keys.key(key), quarantineId, sealed);
        } catch (IOException e) {
            throw new RecordIntegrityException("quarantine entry " + quarantineId + " is malformed", e);
        }
    }

    private byte[] readEntry(Location at) {
        EntryLog segment = segments.get(at.segment());
        if (segment == null) {
            throw new RecordIntegrityException("segment " + at.segment() + " is missing");
        }
        try {
            return segment.read(at.offset(), at.length());
        } catch (IOException e) {
            if (writer.isClosed()) {
                throw new VaultException("vault " + dir + " is closed", false, e);
            }
            throw new VaultException("cannot read segment " + at.segment() + ": " + e, true, e);
        }
    }

    /**
     * @return true if an equal record is stored; false if the stored copy is damaged, so the caller may write a fresh
     *         one (otherwise a record hit by bit rot, or left half-written by a crash, could never be stored again)
     * @throws RecordConflictException if different content is stored under the id
     */
    private boolean storedIsIntact(Location existing, VaultRecord record) {
        VaultRecord stored;
        try {
            stored = readRecord(record.recordId(), existing);
        } catch (RecordIntegrityException e) {
            return false;
        }
        if (!stored.equals(record)) {
            throw new RecordConflictException(record.recordId());
        }
        return true;
    }

    private void indexLookups(int ordinal, String pseudonym, int generation, List<String> lookupKeys) {
        byPatient.add(patientListKey(pseudonym, generation), ordinal);
        for (String key : lookupKeys) {
            byLookupKey.add(key, ordinal);
        }
    }

    // ---- the writer ----------------------------------------------------------------------------------------------

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

    private Op submit(Op op) {
        return writer.submit(op);
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

    private void ensureUsable() {
        if (writer.isClosed()) {
            throw new VaultException("vault " + dir + " is closed", false);
        }
        VaultException f = failure;
        if (f != null) {
            throw new VaultException("vault " + dir + " stopped after an I/O failure; reopen it: " + f.getMessage(), true, f);
        }
    }

    /** The vault's side of the group commit, on the writer thread. */
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
            try {
                keys.close();
                for (EntryLog segment : segments.values()) {
                    segment.close();
                }
                closeIndex();
                lock.release();
                lockChannel.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "vault " + dir + " did not close cleanly", e);
            }
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
                forgetIndexed(op.pseudonym, generation);
            }
            op.done.complete(generation >= 0);
        } catch (IOException e) {
            fail(List.of(op), e);
        }
    }

    /** Writer thread: what the in-memory indexes know of an erased generation stops being found. */
    private void forgetIndexed(String pseudonym, int generation) {
        erasedRecords.addAll(byPatient.get(patientListKey(pseudonym, generation)));
        quarantineIndex.values().removeIf(slot -> slot.owner().equals(pseudonym) && slot.generation() == generation);
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
                Location stored = index.get(id);
                if (earlier != null) {
                    // A concurrent duplicate in this very batch: same durability point as the first one.
                    if (earlier.record.equals(put.record)) {
                        acknowledgeAfterWrite.add(op);
                    } else {
                        op.done.completeExceptionally(new RecordConflictException(id));
                    }
                } else if (stored != null) {
                    try {
                        if (storedIsIntact(stored, put.record)) {
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
                if (quarantineIndex.containsKey(r.id)) {
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
            List<Location> locations = appendAndForce(toWrite);
            List<ReleaseOp> releases = new ArrayList<>();
            for (int i = 0; i < toWrite.size(); i++) {
                Op op = toWrite.get(i);
                Location at = locations.get(i);
                if (op instanceof PutOp put) {
                    int ordinal = index.put(put.record.recordId(), at);
                    if (ordinal >= 0) {
                        indexLookups(ordinal, put.record.patientPseudonym(), put.key.generation, put.record.lookupKeys());
                    }
                    op.done.complete(null);
                } else if (op instanceof QuarantineOp q) {
                    quarantineIndex.put(q.id, new QuarantineSlot(at, q.key.owner, q.key.generation));
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
     * Writer thread, after the release entries are durable: a message kept under a key of its own loses the key, and
     * once no message of the older format is left, neither does the old shared quarantine key.
     */
    private void release(List<ReleaseOp> releases) throws IOException {
        boolean legacyReleased = false;
        List<Boolean> existed = new ArrayList<>(releases.size());
        for (ReleaseOp r : releases) {
            QuarantineSlot slot = quarantineIndex.remove(r.id);
            existed.add(slot != null);
            if (slot != null && FileKeyStore.isQuarantineOwner(slot.owner())) {
                keys.dropQuarantineKey(slot.owner());
            }
            legacyReleased |= slot != null && slot.owner().equals(FileKeyStore.QUARANTINE_OWNER);
        }
        if (legacyReleased && quarantineIndex.values().stream().noneMatch(s -> s.owner().equals(FileKeyStore.QUARANTINE_OWNER))) {
            keys.erase(FileKeyStore.QUARANTINE_OWNER);
        }
        for (int i = 0; i < releases.size(); i++) {
            releases.get(i).done.complete(existed.get(i));
        }
    }

    private List<Location> appendAndForce(List<Op> ops) throws IOException {
        List<Location> locations = new ArrayList<>(ops.size());
        List<byte[]> chunk = new ArrayList<>();
        EntryLog segment = segments.get(activeSegment);
        long chunkBytes = 0;
        for (Op op : ops) {
            byte[] body = bodyOf(op);
            long frame = EntryLog.HEADER + body.length;
            if (segment.size() + chunkBytes > 0 && segment.size() + chunkBytes + frame > maxSegmentBytes) {
                writeChunk(segment, chunk, locations);
                chunk.clear();
                chunkBytes = 0;
                segment.force(); // an older segment is complete and durable before a newer one exists
                segment = roll();
            }
            chunk.add(body);
            chunkBytes += frame;
        }
        writeChunk(segment, chunk, locations);
        segment.force();
        return locations;
    }

    private void writeChunk(EntryLog segment, List<byte[]> chunk, List<Location> locations) throws IOException {
        if (chunk.isEmpty()) {
            return;
        }
        long[] offsets = segment.append(chunk);
        for (int i = 0; i < offsets.length; i++) {
            locations.add(new Location(activeSegment, offsets[i], EntryLog.HEADER + chunk.get(i).length));
        }
    }

    private EntryLog roll() throws IOException {
        int next = activeSegment + 1;
        EntryLog segment = EntryLog.open(segmentPath(next), (o, l, b, i) -> { }, true);
        forceDirectory(segmentDir);
        segments.put(next, segment);
        activeSegment = next;
        return segment;
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

    private void closeIndex() {
        closeQuietly(byLookupKey);
        closeQuietly(byPatient);
        closeQuietly(index);
    }

    // ---- file-system helpers -------------------------------------------------------------------------------------

    /** Makes a file creation or rename durable: on POSIX the directory entry needs its own fsync. */
    static void forceDirectory(Path directory) throws IOException {
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        }
    }

    private static void createPrivateDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(directory);
        }
        Path parent = directory.toAbsolutePath().getParent();
        if (parent != null) {
            forceDirectory(parent);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // already failing; the original error matters more
        }
    }

    @Override
    public String toString() {
        return "FileRecordVault[" + dir + ", records=" + index.size() + "]";
    }

    // For tests: where a record lives on disk.
    Location locationOf(String recordId) {
        return index.get(recordId);
    }

    Path segmentFile(int id) {
        return segmentPath(id);
    }

    byte[] wrappedKeyOf(String owner) {
        return keys.wrappedKeyOf(owner);
    }
}
