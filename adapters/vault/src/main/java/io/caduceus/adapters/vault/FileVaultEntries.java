package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.VaultRecord;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The file vault's entry format: a type byte and a clear header (ids, pseudonym, key generation) before the sealed
 * bytes. Entries of every earlier format are still read; only the newest formats are written.
 */
final class FileVaultEntries {

    private FileVaultEntries() {
    }

    static final byte RECORD = 1;
    static final byte QUARANTINE = 2;
    static final byte RELEASE = 3;
    /** A record whose header also lists its lookup keys; plain {@link #RECORD} entries predate them. */
    static final byte RECORD_WITH_KEYS = 4;
    /** A record with its key generation and its lookup keys sealed under that key. */
    static final byte RECORD_GENERATIONS = 5;
    /** A quarantined message with the owner and generation of the key it is sealed under. */
    static final byte QUARANTINE_GENERATIONS = 6;

    /** The clear part of an entry; {@code sealedKeys} is null for entries older than key generations. */
    record Header(byte type, String id, String owner, int generation, List<String> clearKeys, byte[] sealedKeys) {
        boolean isRecord() {
            return type == RECORD || type == RECORD_WITH_KEYS || type == RECORD_GENERATIONS;
        }

        boolean isQuarantine() {
            return type == QUARANTINE || type == QUARANTINE_GENERATIONS;
        }
    }

    static Header readHeader(DataInputStream in) throws IOException {
        byte type = in.readByte();
        String id = in.readUTF();
        switch (type) {
            case RECORD:
                return new Header(type, id, in.readUTF(), 0, List.of(), null);
            case RECORD_WITH_KEYS: {
                String pseudonym = in.readUTF();
                return new Header(type, id, pseudonym, 0, readLookupKeys(in), null);
            }
            case RECORD_GENERATIONS: {
                String pseudonym = in.readUTF();
                int generation = in.readInt();
                int n = in.readInt();
                if (n < 0 || n > in.available()) {
                    throw new IOException("bad lookup key block length");
                }
                return new Header(type, id, pseudonym, generation, List.of(), in.readNBytes(n));
            }
            case QUARANTINE:
                return new Header(type, id, FileKeyStore.QUARANTINE_OWNER, 0, List.of(), null);
            case QUARANTINE_GENERATIONS: {
                String owner = in.readUTF();
                return new Header(type, id, owner, in.readInt(), List.of(), null);
            }
            default:
                return new Header(type, id, null, 0, List.of(), null);
        }
    }

    static List<String> readLookupKeys(DataInputStream in) throws IOException {
        int count = in.readUnsignedShort();
        List<String> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(in.readUTF());
        }
        return keys;
    }

    static byte[] recordBody(VaultRecord record, int generation, byte[] sealedKeys, byte[] sealed) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(sealed.length + sealedKeys.length + 112);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(RECORD_GENERATIONS);
            out.writeUTF(record.recordId());
            out.writeUTF(record.patientPseudonym());
            out.writeInt(generation);
            out.writeInt(sealedKeys.length);
            out.write(sealedKeys);
            out.write(sealed);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream failed", e);
        }
        return bytes.toByteArray();
    }

    static byte[] quarantineBody(String quarantineId, String owner, int generation, byte[] sealed) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(sealed.length + 112);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(QUARANTINE_GENERATIONS);
            out.writeUTF(quarantineId);
            out.writeUTF(owner);
            out.writeInt(generation);
            out.write(sealed);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream failed", e);
        }
        return bytes.toByteArray();
    }

    static byte[] releaseBody(String quarantineId) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(RELEASE);
            out.writeUTF(quarantineId);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream failed", e);
        }
        return bytes.toByteArray();
    }
}
