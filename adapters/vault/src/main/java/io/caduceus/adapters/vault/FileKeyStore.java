package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.ingest.vault.RecordIntegrityException;
import io.caduceus.ingest.vault.VaultException;
import io.caduceus.core.io.DurableFiles;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;

/**
 * Wrapped per-patient data keys in {@code keys.log}, kept apart from the record segments because segments are
 * append-only and never rewritten, whereas erasure must make a wrapped key disappear. New keys are appended (cheap,
 * batched with the records that need them); erasure appends a tombstone and then rewrites the whole file without the
 * erased key and atomically replaces the old one.
 *
 * <p>Generations: erasing a patient destroys their current key generation and records that it is gone (the
 * tombstone names the generation); the next record about the same pseudonym gets a fresh key of the next generation,
 * so erasure forgets without blocking the patient's future care. Tombstones stay for good: they keep the erased
 * generations' records refused and number the next generation. Entry types 1 (key) and 2 (tombstone) are the format
 * from before generations and are read as generation 0; this version writes types 3 and 4 only, which older versions
 * refuse with "unknown entry type" rather than misread.
 *
 * <p>Quarantined messages whose patient is unknown each get a key of their own (owner {@link #quarantineOwner}); it is
 * dropped when the message is released, without a lasting tombstone, and its wrapped bytes leave the file at the next
 * rewrite (the next patient erasure, every {@value #LAZY_COMPACTION} releases, or the next opening).
 *
 * <p>Limits of the erasure, stated plainly: the old file's blocks are freed, not overwritten, so the wrapped key may
 * survive on the medium (journal, SSD remapped blocks, backups, snapshots) until reused. It is still wrapped by the
 * master key; rotating the master key after erasures (open with the new key first and the old one second, which
 * re-wraps all live keys, then destroy the old master key) renders any such remnant useless.
 */
final class FileKeyStore implements Closeable {

    /** Owner name of the legacy shared quarantine key; cannot collide with a pseudonym, which must not be blank. */
    static final String QUARANTINE_OWNER = "";
    /** Prefix of per-message quarantine key owners; {@link FileRecordVault} refuses pseudonyms starting with it. */
    static final String QUARANTINE_OWNER_PREFIX = "\u001Fquarantine:";
    /** Releases of per-message keys tolerated in the file before it is rewritten without them. */
    static final int LAZY_COMPACTION = 64;

    private static final byte ADD = 1;
    private static final byte ERASE = 2;
    private static final byte ADD_GENERATION = 3;
    private static final byte ERASE_GENERATION = 4;

    private final Path dir;
    private final Keyring keyring;
    /** The live generation of each owner's key. */
    private final Map<String, KeyEntry> entries = new ConcurrentHashMap<>();
    /** The newest erased generation of each owner: that one and all older ones are gone. */
    private final Map<String, Integer> erasedThrough = new ConcurrentHashMap<>();
    /** Keys dropped from memory whose wrapped bytes may still be in the file. */
    private int dropped;
    private EntryLog log;

    FileKeyStore(Path dir, Keyring keyring) throws IOException {
        this.dir = dir;
        this.keyring = keyring;
        Files.deleteIfExists(dir.resolve("keys.log.tmp")); // a compaction interrupted before its atomic rename
        this.log = EntryLog.open(dir.resolve("keys.log"), (offset, len, body, intact) -> apply(body, intact), true);
        boolean stale = false;
        for (KeyEntry e : entries.values()) {
            if (!keyring.knows(e.keyId)) {
                throw new VaultException("the data key of a patient is wrapped by master key " + e.keyId
                        + ", which this vault was not given; pass it as an additional (old) master key", false);
            }
            stale |= !e.keyId.equals(keyring.primaryKeyId());
        }
        if (stale) {
            rotate();
        } else if (dropped > 0) {
            compact();
        }
    }

    static String quarantineOwner(String quarantineId) {
        return QUARANTINE_OWNER_PREFIX + quarantineId;
    }

    static boolean isQuarantineOwner(String owner) {
        return owner.startsWith(QUARANTINE_OWNER_PREFIX);
    }

    private void apply(byte[] body, boolean intact) {
        if (!intact) {
            // A damaged key entry in the middle: failing loudly beats silently losing a patient's key or tombstone.
            throw new RecordIntegrityException("keys.log has a damaged entry followed by intact ones; restore it from backup");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body))) {
            byte type = in.readByte();
            String owner = in.readUTF();
            if (type == ADD || type == ADD_GENERATION) {
                int generation = type == ADD ? 0 : in.readInt();
                String keyId = in.readUTF();
                byte[] wrapped = in.readNBytes(in.readUnsignedShort());
                if (!isErased(owner, generation)) {
                    KeyEntry previous = entries.put(owner, new KeyEntry(owner, generation, keyId, wrapped, null, true));
                    if (previous != null && previous.generation != generation) {
                        throw new RecordIntegrityException("keys.log holds two live key generations of one owner");
                    }
                } else {
                    dropped++;
                }
            } else if (type == ERASE || type == ERASE_GENERATION) {
                int generation = type == ERASE ? 0 : in.readInt();
                erasedThrough.merge(owner, generation, Math::max);
                KeyEntry e = entries.get(owner);
                if (e != null && e.generation <= generation) {
                    entries.remove(owner);
                    dropped++;
                }
            } else {
                throw new RecordIntegrityException("unknown entry type " + type + " in keys.log");
            }
        } catch (IOException e) {
            throw new RecordIntegrityException("keys.log has a malformed entry", e);
        }
    }

    /** Re-wraps every live key under the primary master key (single-threaded: called while opening). */
    private void rotate() throws IOException {
        for (KeyEntry e : List.copyOf(entries.values())) {
            if (!e.keyId.equals(keyring.primaryKeyId())) {
                SecretKey key = e.key(keyring);
                entries.put(e.owner, new KeyEntry(e.owner, e.generation, keyring.primaryKeyId(),
                        keyring.wrap(e.owner, e.generation, key), key, true));
            }
        }
        compact();
    }

    /** The entry to encrypt with: the owner's live generation, or a new one (not yet persisted) after the erased ones. */
    KeyEntry forWrite(String owner) {
        return entries.computeIfAbsent(owner, o -> {
            int generation = erasedThrough.getOrDefault(o, -1) + 1;
            SecretKey key = VaultCrypto.newDataKey();
            return new KeyEntry(o, generation, keyring.primaryKeyId(), keyring.wrap(o, generation, key), key, false);
        });
    }

    /** The entry to decrypt with; fails typed when that generation of the owner's key was erased. */
    KeyEntry forRead(String owner, int generation, String recordId) {
        if (isErased(owner, generation)) {
            throw new RecordErasedException("record " + recordId + " belongs to an erased patient and can no longer be decrypted");
        }
        KeyEntry e = entries.get(owner);
        if (e != null && e.erased) {
            throw new RecordErasedException("record " + recordId + " belongs to an erased patient and can no longer be decrypted");
        }
        if (e == null || e.generation != generation) {
            throw new RecordIntegrityException("no data key for the patient of record " + recordId);
        }
        return e;
    }

    /** Whether something sealed under this generation can still be opened (used while indexing). */
    boolean isLive(String owner, int generation) {
        KeyEntry e = entries.get(owner);
        return e != null && e.generation == generation && !e.erased;
    }

    /**
     * Writer thread: whether a record sealed under this entry must be sealed again, because its generation was
     * erased meanwhile. A caller racing the erasure may even have created an entry of the erased generation after
     * it; that one is dropped here so it is never persisted.
     */
    boolean erasedSince(KeyEntry e) {
        if (e.erased || isErased(e.owner, e.generation)) {
            if (entries.remove(e.owner, e)) {
                e.forget();
            }
            return true;
        }
        return false;
    }

    SecretKey key(KeyEntry e) {
        return e.key(keyring);
    }

    private boolean isErased(String owner, int generation) {
        Integer through = erasedThrough.get(owner);
        return through != null && generation <= through;
    }

    /** The generation new records of this owner get now, for the listing of its records. */
    int currentGeneration(String owner) {
        KeyEntry e = entries.get(owner);
        return e != null ? e.generation : erasedThrough.getOrDefault(owner, -1) + 1;
    }

    /** Writer thread: appends and forces keys that records in the current batch depend on. */
    void persist(List<KeyEntry> fresh) throws IOException {
        List<byte[]> bodies = new ArrayList<>(fresh.size());
        for (KeyEntry e : fresh) {
            bodies.add(addBody(e));
        }
        log.append(bodies);
        log.force();
        for (KeyEntry e : fresh) {
            e.persisted = true;
        }
    }

    /**
     * Writer thread: erases the owner's live generation, durable tombstone first (the decision), then the rewrite
     * that drops the wrapped bytes.
     *
     * @return the erased generation, or -1 when the owner had no live key (nothing is written then: no tombstone for
     *         a pseudonym nothing was stored under)
     */
    int erase(String owner) throws IOException {
        KeyEntry e = entries.get(owner);
        if (e == null) {
            return -1;
        }
        log.append(List.of(eraseBody(owner, e.generation)));
        log.force();
        erasedThrough.merge(owner, e.generation, Math::max);
        if (entries.remove(owner, e)) {
            e.forget();
        }
        compact();
        return e.generation;
    }

    /**
     * Writer thread: drops a released quarantined message's own key. Its tombstone is appended and forced at once
     * (the key is unusable from then on); the wrapped bytes leave the file at the next rewrite.
     */
    void dropQuarantineKey(String owner) throws IOException {
        KeyEntry e = entries.get(owner);
        if (e == null || !isQuarantineOwner(owner)) {
            return;
        }
        log.append(List.of(eraseBody(owner, e.generation)));
        log.force();
        erasedThrough.merge(owner, e.generation, Math::max);
        if (entries.remove(owner, e)) {
            e.forget();
        }
        if (++dropped >= LAZY_COMPACTION) {
            compact();
        }
    }

    private void compact() throws IOException {
        Path tmp = dir.resolve("keys.log.tmp");
        Files.deleteIfExists(tmp);
        EntryLog fresh = EntryLog.open(tmp, (o, l, b, i) -> { }, false);
        try {
            List<byte[]> bodies = new ArrayList<>();
            for (Map.Entry<String, Integer> erased : erasedThrough.entrySet()) {
                // Patients' tombstones stay: they number the next generation and keep erased records refused. A
                // released quarantined message's key needs none: nothing refers to it any more.
                if (!isQuarantineOwner(erased.getKey())) {
                    bodies.add(eraseBody(erased.getKey(), erased.getValue()));
                }
            }
            for (KeyEntry e : entries.values()) {
                // Keys created but not yet persisted are left to the writer, which appends them to the new file.
                if (e.persisted) {
                    bodies.add(addBody(e));
                }
            }
            fresh.append(bodies);
            fresh.force();
        } catch (IOException | RuntimeException e) {
            fresh.close();
            throw e;
        }
        fresh.close();
        Files.move(tmp, log.path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableFiles.forceFolder(dir);
        log.close();
        log = EntryLog.open(dir.resolve("keys.log"), (o, l, b, i) -> { }, false);
        erasedThrough.keySet().removeIf(FileKeyStore::isQuarantineOwner);
        dropped = 0;
    }

    private static byte[] addBody(KeyEntry e) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(ADD_GENERATION);
            out.writeUTF(e.owner);
            out.writeInt(e.generation);
            out.writeUTF(e.keyId);
            out.writeShort(e.wrapped.length);
            out.write(e.wrapped);
        }
        return bytes.toByteArray();
    }

    private static byte[] eraseBody(String owner, int generation) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(ERASE_GENERATION);
            out.writeUTF(owner);
            out.writeInt(generation);
        }
        return bytes.toByteArray();
    }

    byte[] wrappedKeyOf(String owner) {
        KeyEntry e = entries.get(owner);
        return e == null ? null : e.wrapped.clone();
    }

    @Override
    public void close() throws IOException {
        log.close();
    }
}
