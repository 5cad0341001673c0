package io.caduceus.adapters.vault;

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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;

/**
 * Wrapped per-patient data keys in {@code keys.log}, kept apart from the record segments because segments are
 * append-only and never rewritten, whereas erasure must make a wrapped key disappear. New keys are appended (cheap,
 * batched with the records that need them); erasure appends a tombstone and then rewrites the whole file without the
 * erased key and atomically replaces the old one.
 *
 * <p>Limits of the erasure, stated plainly: the old file's blocks are freed, not overwritten, so the wrapped key may
 * survive on the medium (journal, SSD remapped blocks, backups, snapshots) until reused. It is still wrapped by the
 * master key; rotating the master key after erasures (open with the new key first and the old one second, which
 * re-wraps all live keys, then destroy the old master key) renders any such remnant useless.
 */
final class FileKeyStore implements Closeable {

    /** Owner name of the quarantine's own data key; cannot collide with a pseudonym, which must not be blank. */
    static final String QUARANTINE_OWNER = "";

    private static final byte ADD = 1;
    private static final byte ERASE = 2;

    private final Path dir;
    private final Keyring keyring;
    private final Map<String, KeyEntry> entries = new ConcurrentHashMap<>();
    private final Set<String> erased = ConcurrentHashMap.newKeySet();
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
        }
    }

    private void apply(byte[] body, boolean intact) {
        if (!intact) {
            // A damaged key entry in the middle: failing loudly beats silently losing a patient's key or tombstone.
            throw new RecordIntegrityException("keys.log has a damaged entry followed by intact ones; restore it from backup");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body))) {
            byte type = in.readByte();
            String owner = in.readUTF();
            if (type == ADD) {
                String keyId = in.readUTF();
                byte[] wrapped = in.readNBytes(in.readUnsignedShort());
                if (!erased.contains(owner)) {
                    entries.put(owner, new KeyEntry(owner, keyId, wrapped, null, true));
                }
            } else if (type == ERASE) {
                erased.add(owner);
                entries.remove(owner);
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
                entries.put(e.owner, new KeyEntry(e.owner, keyring.primaryKeyId(), keyring.wrap(e.owner, key), key, true));
            }
        }
        compact();
    }

    /** The entry to encrypt with, created (not yet persisted) for a new patient. */
    KeyEntry forWrite(String owner) {
        if (erased.contains(owner)) {
            throw new RecordErasedException("patient " + owner + " has been erased; new records are refused");
        }
        return entries.computeIfAbsent(owner, o -> {
            SecretKey key = VaultCrypto.newDataKey();
            return new KeyEntry(o, keyring.primaryKeyId(), keyring.wrap(o, key), key, false);
        });
    }

    /** The entry to decrypt with; fails typed when the patient was erased. */
    KeyEntry forRead(String owner, String recordId) {
        KeyEntry e = entries.get(owner);
        if (erased.contains(owner) || (e != null && e.erased)) {
            throw new RecordErasedException("record " + recordId + " belongs to an erased patient and can no longer be decrypted");
        }
        if (e == null) {
            throw new RecordIntegrityException("no data key for the patient of record " + recordId);
        }
        return e;
    }

    /**
     * Writer thread: whether a record encrypted under this entry must be refused because its patient was erased
     * meanwhile. A caller racing the erasure may even have created a fresh entry after it; that one is dropped here
     * so it is never persisted.
     */
    boolean erasedSince(KeyEntry e) {
        if (e.erased || erased.contains(e.owner)) {
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

    boolean isErased(String owner) {
        return erased.contains(owner);
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

    /** Writer thread: durable tombstone first (the decision), then the rewrite that drops the wrapped bytes. */
    void erase(String owner) throws IOException {
        if (erased.contains(owner)) {
            return;
        }
        log.append(List.of(eraseBody(owner)));
        log.force();
        erased.add(owner);
        KeyEntry e = entries.remove(owner);
        if (e != null) {
            e.forget();
        }
        compact();
    }

    private void compact() throws IOException {
        Path tmp = dir.resolve("keys.log.tmp");
        Files.deleteIfExists(tmp);
        EntryLog fresh = EntryLog.open(tmp, (o, l, b, i) -> { }, false);
        try {
            List<byte[]> bodies = new ArrayList<>();
            for (String owner : erased) {
                bodies.add(eraseBody(owner)); // tombstones stay so that erasure remains final after reopening
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
        FileRecordVault.forceDirectory(dir);
        log.close();
        log = EntryLog.open(dir.resolve("keys.log"), (o, l, b, i) -> { }, false);
    }

    private static byte[] addBody(KeyEntry e) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(ADD);
            out.writeUTF(e.owner);
            out.writeUTF(e.keyId);
            out.writeShort(e.wrapped.length);
            out.write(e.wrapped);
        }
        return bytes.toByteArray();
    }

    private static byte[] eraseBody(String owner) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(ERASE);
            out.writeUTF(owner);
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
