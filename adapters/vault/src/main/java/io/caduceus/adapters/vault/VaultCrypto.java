package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.ingest.vault.RecordIntegrityException;
import io.caduceus.ingest.vault.VaultException;
import io.caduceus.ingest.vault.VaultRecord;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM sealing of records and quarantined messages. Only ids and the pseudonym stay in clear (they are needed
 * to index and to find the key); they are bound as associated data so a ciphertext moved under another id or patient
 * fails authentication rather than decrypting as the wrong record.
 */
final class VaultCrypto {

    static final int NONCE_LENGTH = 12;
    static final int TAG_BITS = 128;
    private static final byte PAYLOAD_VERSION = 1;
    private static final byte[] RECORD_DOMAIN = "caduceus-vault/record/v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] QUARANTINE_DOMAIN = "caduceus-vault/quarantine/v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LOOKUP_KEYS_DOMAIN = "caduceus-vault/lookup-keys/v1".getBytes(StandardCharsets.US_ASCII);

    private static final SecureRandom RANDOM = new SecureRandom();
    // Cipher.getInstance is costly relative to sealing a few KiB; one instance per thread, re-initialised per use.
    private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding unavailable", e);
        }
    });

    private VaultCrypto() {
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static SecretKey newDataKey() {
        try {
            KeyGenerator gen = KeyGenerator.getInstance("AES");
            gen.init(256, RANDOM);
            return gen.generateKey();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("AES unavailable", e);
        }
    }

    // ---- records -------------------------------------------------------------------------------------------------

    /** @return nonce || ciphertext || tag */
    static byte[] sealRecord(SecretKey dataKey, VaultRecord record) {
        byte[] plain = encodeRecordPayload(record);
        try {
            return seal(dataKey, aad(RECORD_DOMAIN, record.recordId(), record.patientPseudonym()), plain);
        } finally {
            java.util.Arrays.fill(plain, (byte) 0);
        }
    }

    static VaultRecord openRecord(SecretKey dataKey, String recordId, String pseudonym, byte[] sealed) {
        byte[] plain = open(dataKey, aad(RECORD_DOMAIN, recordId, pseudonym), sealed, "record " + recordId);
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(plain))) {
            byte version = in.readByte();
            if (version != PAYLOAD_VERSION) {
                throw new RecordIntegrityException("record " + recordId + " has unknown payload version " + version);
            }
            byte[] salt = in.readNBytes(VaultRecord.SALT_LENGTH);
            String contentType = in.readUTF();
            Instant receivedAt = Instant.ofEpochSecond(in.readLong(), in.readInt());
            byte[] bundle = readBlob(in);
            byte[] original = readBlob(in);
            return new VaultRecord(recordId, pseudonym, salt, contentType, bundle, original, receivedAt);
        } catch (IOException | RuntimeException e) {
            if (e instanceof VaultException ve) {
                throw ve;
            }
            // Authenticated yet unparseable means a writer bug, not tampering; still never echo the bytes.
            throw new RecordIntegrityException("record " + recordId + " decrypted but its payload is malformed: " + e.getClass().getSimpleName());
        } finally {
            java.util.Arrays.fill(plain, (byte) 0);
        }
    }

    private static byte[] encodeRecordPayload(VaultRecord r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + r.canonicalBundleUnsafe().length + r.originalMessageUnsafe().length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(PAYLOAD_VERSION);
            out.write(r.saltUnsafe());
            out.writeUTF(r.contentType());
            out.writeLong(r.receivedAt().getEpochSecond());
            out.writeInt(r.receivedAt().getNano());
            writeBlob(out, r.canonicalBundleUnsafe());
            writeBlob(out, r.originalMessageUnsafe());
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream failed", e);
        }
        return bytes.toByteArray();
    }

    // ---- lookup keys ---------------------------------------------------------------------------------------------

    /**
     * A record's lookup keys sealed under its patient's data key, so that the file vault's on-disk index of an erased
     * patient is as unreadable as their records. Empty for no keys.
     */
    static byte[] sealLookupKeys(SecretKey dataKey, String recordId, String pseudonym, List<String> keys) {
        if (keys.isEmpty()) {
            return new byte[0];
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(2 + 40 * keys.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeShort(keys.size());
            for (String key : keys) {
                out.writeUTF(key);
            }
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream failed", e);
        }
        return seal(dataKey, aad(LOOKUP_KEYS_DOMAIN, recordId, pseudonym), bytes.toByteArray());
    }

    static List<String> openLookupKeys(SecretKey dataKey, String recordId, String pseudonym, byte[] sealed) {
        if (sealed.length == 0) {
            return List.of();
        }
        byte[] plain = open(dataKey, aad(LOOKUP_KEYS_DOMAIN, recordId, pseudonym), sealed, "lookup keys of record " + recordId);
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(plain))) {
            int count = in.readUnsignedShort();
            List<String> keys = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                keys.add(in.readUTF());
            }
            return keys;
        } catch (IOException e) {
            throw new RecordIntegrityException("lookup keys of record " + recordId + " decrypted but are malformed");
        }
    }

    // ---- quarantine ----------------------------------------------------------------------------------------------

    static byte[] sealQuarantine(SecretKey key, QuarantinedMessage m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + m.originalBytesUnsafe().length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(PAYLOAD_VERSION);
            writeString(out, m.originalMessageId());
            writeString(out, m.reason());
            out.writeLong(m.receivedAt().getEpochSecond());
            out.writeInt(m.receivedAt().getNano());
            out.writeLong(m.quarantinedAt().getEpochSecond());
            out.writeInt(m.quarantinedAt().getNano());
            writeBlob(out, m.originalBytesUnsafe());
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream failed", e);
        }
        byte[] plain = bytes.toByteArray();
        try {
            return seal(key, aad(QUARANTINE_DOMAIN, m.quarantineId(), ""), plain);
        } finally {
            java.util.Arrays.fill(plain, (byte) 0);
        }
    }

    static QuarantinedMessage openQuarantine(SecretKey key, String quarantineId, byte[] sealed) {
        byte[] plain = open(key, aad(QUARANTINE_DOMAIN, quarantineId, ""), sealed, "quarantined message " + quarantineId);
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(plain))) {
            byte version = in.readByte();
            if (version != PAYLOAD_VERSION) {
                throw new RecordIntegrityException("quarantined message " + quarantineId + " has unknown payload version " + version);
            }
            String originalId = readString(in);
            String reason = readString(in);
            Instant receivedAt = Instant.ofEpochSecond(in.readLong(), in.readInt());
            Instant quarantinedAt = Instant.ofEpochSecond(in.readLong(), in.readInt());
            byte[] original = readBlob(in);
            return new QuarantinedMessage(quarantineId, originalId, reason, original, receivedAt, quarantinedAt);
        } catch (IOException | RuntimeException e) {
            if (e instanceof VaultException ve) {
                throw ve;
            }
            throw new RecordIntegrityException("quarantined message " + quarantineId + " decrypted but is malformed: " + e.getClass().getSimpleName());
        }
    }

    // ---- primitives ----------------------------------------------------------------------------------------------

    private static byte[] seal(SecretKey key, byte[] aad, byte[] plain) {
        // A fresh random 96-bit nonce per encryption: with per-patient keys the number of messages per key stays far
        // below the 2^32 bound where random GCM nonces start to risk collisions.
        byte[] nonce = randomBytes(NONCE_LENGTH);
        try {
            Cipher cipher = GCM.get();
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            byte[] out = new byte[NONCE_LENGTH + cipher.getOutputSize(plain.length)];
            System.arraycopy(nonce, 0, out, 0, NONCE_LENGTH);
            int n = cipher.doFinal(plain, 0, plain.length, out, NONCE_LENGTH);
            if (n != out.length - NONCE_LENGTH) {
                throw new IllegalStateException("unexpected GCM output length");
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new VaultException("encryption failed: " + e.getClass().getSimpleName(), false, e);
        }
    }

    private static byte[] open(SecretKey key, byte[] aad, byte[] sealed, String what) {
        if (sealed.length < NONCE_LENGTH + TAG_BITS / 8) {
            throw new RecordIntegrityException(what + " ciphertext is truncated");
        }
        try {
            Cipher cipher = GCM.get();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_LENGTH));
            cipher.updateAAD(aad);
            return cipher.doFinal(sealed, NONCE_LENGTH, sealed.length - NONCE_LENGTH);
        } catch (AEADBadTagException e) {
            throw new RecordIntegrityException(what + " failed authentication: tampered, corrupted, or stored under another id");
        } catch (GeneralSecurityException e) {
            throw new VaultException("decryption of " + what + " failed: " + e.getClass().getSimpleName(), false, e);
        }
    }

    private static byte[] aad(byte[] domain, String id, String owner) {
        byte[] i = id.getBytes(StandardCharsets.UTF_8);
        byte[] o = owner.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(domain.length + 8 + i.length + o.length)
                .put(domain).putInt(i.length).put(i).putInt(o.length).put(o).array();
    }

    private static void writeBlob(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBlob(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad blob length");
        }
        return in.readNBytes(n);
    }

    // writeUTF caps at 64 KiB; reasons may quote long validator output.
    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBlob(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(readBlob(in), StandardCharsets.UTF_8);
    }
}
