package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.adapters.vault.FileVaultIndex.QuarantineSlot;
import io.caduceus.core.io.DurableFiles;
import io.caduceus.ingest.vault.RecordConflictException;
import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.ingest.vault.RecordIntegrityException;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.ingest.vault.VaultException;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.offheap.ScratchArrays;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
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
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final FileKeyStore keys;
    private final FileVaultSegments segments;
    /** Record and quarantine locations and lookup lists, rebuilt from the segments on open. */
    private final FileVaultIndex index;
    private final FileVaultWriter writer;

    @Override
    public Optional<String> unavailability(long minFreeBytes) {
        if (writer.isClosed()) {
            return Optional.of("file vault closed");
        }
        if (writer.failure() != null) {
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
        createPrivateDirectory(dir);
        createPrivateDirectory(segmentDir);
        this.segments = new FileVaultSegments(segmentDir, maxSegmentBytes);
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
        this.index = new FileVaultIndex(ScratchArrays.mapped(dir.resolve("index")));
        FileKeyStore openedKeys = null;
        try {
            openedKeys = new FileKeyStore(dir, keyring);
            this.keys = openedKeys;
            FileKeyStore opened = openedKeys;
            segments.open((segment, offset, length, body, intact) ->
                    index.replay(opened, segment, offset, length, body, intact));
        } catch (IOException | RuntimeException e) {
            FileVaultIndex.closeQuietly(openedKeys);
            FileVaultIndex.closeQuietly(segments);
            index.close();
            lock.release();
            lockChannel.close();
            throw e;
        }
        this.writer = new FileVaultWriter(dir, keys, segments, index, this::storedIsIntact, this::releaseFiles);
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

    // ---- public API ----------------------------------------------------------------------------------------------

    @Override
    public void put(VaultRecord record) {
        Objects.requireNonNull(record, "record");
        refuseReservedOwner(record.patientPseudonym());
        writer.ensureUsable();
        for (int attempt = 1; ; attempt++) {
            Location existing = index.location(record.recordId());
            if (existing != null && storedIsIntact(existing, record)) {
                return;
            }
            KeyEntry key = keys.forWrite(record.patientPseudonym());
            SecretKey dataKey = keys.key(key);
            byte[] sealed = VaultCrypto.sealRecord(dataKey, record);
            byte[] sealedKeys = VaultCrypto.sealLookupKeys(dataKey, record.recordId(), record.patientPseudonym(), record.lookupKeys());
            byte[] body = FileVaultEntries.recordBody(record, key.generation, sealedKeys, sealed);
            try {
                writer.put(record, key, body);
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
        writer.ensureUsable();
        Location at = index.location(recordId);
        return at == null ? Optional.empty() : Optional.of(readRecord(recordId, at));
    }

    @Override
    public List<String> findRecords(String lookupKey) {
        Objects.requireNonNull(lookupKey, "lookupKey");
        writer.ensureUsable();
        return index.findRecords(lookupKey);
    }

    @Override
    public List<String> recordsOfPatient(String patientPseudonym) {
        Objects.requireNonNull(patientPseudonym, "patientPseudonym");
        writer.ensureUsable();
        return index.recordsOfPatient(patientPseudonym, keys.currentGeneration(patientPseudonym));
    }

    @Override
    public boolean contains(String recordId) {
        Objects.requireNonNull(recordId, "recordId");
        writer.ensureUsable();
        return index.contains(recordId);
    }

    @Override
    public boolean holdsPatient(String patientPseudonym) {
        Objects.requireNonNull(patientPseudonym, "patientPseudonym");
        writer.ensureUsable();
        return keys.isLive(patientPseudonym, keys.currentGeneration(patientPseudonym));
    }

    @Override
    public boolean erasePatient(String patientPseudonym) {
        VaultRecord.requireText(patientPseudonym, "patientPseudonym");
        refuseReservedOwner(patientPseudonym);
        writer.ensureUsable();
        return writer.erase(patientPseudonym);
    }

    @Override
    public QuarantinedMessage quarantine(String originalMessageId, String reason, byte[] originalBytes, Instant receivedAt,
                                         Optional<String> patientPseudonym) {
        writer.ensureUsable();
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
                writer.quarantine(message.quarantineId(), key, body, "quarantine of message " + originalMessageId);
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
        writer.ensureUsable();
        return index.recordCount();
    }

    @Override
    public long quarantinedCount() {
        writer.ensureUsable();
        return index.quarantinedCount();
    }

    @Override
    public List<QuarantinedMessage> listQuarantined() {
        writer.ensureUsable();
        List<Map.Entry<String, QuarantineSlot>> entries = index.quarantinedInWriteOrder();
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
        writer.ensureUsable();
        QuarantineSlot slot = index.quarantined(quarantineId);
        try {
            return slot == null ? Optional.empty() : Optional.of(readQuarantined(quarantineId, slot.at()));
        } catch (RecordErasedException erasedMeanwhile) {
            return Optional.empty();
        }
    }

    @Override
    public boolean releaseQuarantined(String quarantineId) {
        Objects.requireNonNull(quarantineId, "quarantineId");
        writer.ensureUsable();
        if (!index.isQuarantined(quarantineId)) {
            return false;
        }
        return writer.release(quarantineId, FileVaultEntries.releaseBody(quarantineId));
    }

    @Override
    public void close() {
        // The writer thread releases the files once every queued write is done (releaseFiles).
        while (!writer.close(Duration.ofMinutes(1))) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "vault " + dir + " still closing: a write has taken over a minute");
        }
    }

    /** The writer thread's last act. */
    private void releaseFiles() {
        try {
            keys.close();
            segments.close();
            index.close();
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "vault " + dir + " did not close cleanly", e);
        }
    }

    // ---- reading -------------------------------------------------------------------------------------------------

    private VaultRecord readRecord(String recordId, Location at) {
        byte[] body = readEntry(at);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
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
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
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
        try {
            return segments.read(at);
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

    // ---- file-system helpers -------------------------------------------------------------------------------------

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
            DurableFiles.forceFolder(parent);
        }
    }

    @Override
    public String toString() {
        return "FileRecordVault[" + dir + ", records=" + index.recordCount() + "]";
    }

    // For tests: where a record lives on disk.
    Location locationOf(String recordId) {
        return index.location(recordId);
    }

    Path segmentFile(int id) {
        return segments.path(id);
    }

    byte[] wrappedKeyOf(String owner) {
        return keys.wrappedKeyOf(owner);
    }
}
