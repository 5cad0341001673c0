package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.RecordIntegrityException;
import io.caduceus.ingest.vault.VaultException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The master keys a vault was opened with: the first one wraps new data keys, the others only unwrap keys written
 * before a rotation. Wrapping uses AES-256-GCM (not AES-KW) so that the patient pseudonym can be bound as associated
 * data: a wrapped key copied onto another patient's entry fails to unwrap instead of silently decrypting nothing.
 */
final class Keyring {

    private static final byte[] WRAP_DOMAIN = "caduceus-vault/dek-wrap/v1".getBytes(StandardCharsets.US_ASCII);
    /** Keys of generation 1 and later also bind the generation, so a wrapped key cannot be replayed as another one. */
    private static final byte[] WRAP_DOMAIN_GENERATIONS = "caduceus-vault/dek-wrap/v2".getBytes(StandardCharsets.US_ASCII);

    private final MasterKey primary;
    private final Map<String, MasterKey> byId = new LinkedHashMap<>();

    Keyring(List<MasterKey> keys) {
        if (keys == null || keys.isEmpty()) {
            throw new IllegalArgumentException("at least one master key is needed");
        }
        this.primary = keys.get(0);
        for (MasterKey key : keys) {
            if (byId.putIfAbsent(key.keyId(), key) != null) {
                throw new IllegalArgumentException("two master keys share the id " + key.keyId());
            }
        }
    }

    String primaryKeyId() {
        return primary.keyId();
    }

    boolean knows(String keyId) {
        return byId.containsKey(keyId);
    }

    /** @return nonce || ciphertext || tag of the data key under the primary master key */
    byte[] wrap(String owner, int generation, SecretKey dataKey) {
        byte[] nonce = VaultCrypto.randomBytes(VaultCrypto.NONCE_LENGTH);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, primary.secretKey(), new GCMParameterSpec(VaultCrypto.TAG_BITS, nonce));
            cipher.updateAAD(aad(owner, generation, primary.keyId()));
            byte[] sealed = cipher.doFinal(dataKey.getEncoded());
            return ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot wrap a data key: " + e.getClass().getSimpleName(), false, e);
        }
    }

    SecretKey unwrap(String owner, int generation, String keyId, byte[] wrapped) {
        MasterKey master = byId.get(keyId);
        if (master == null) {
            throw new VaultException("a data key is wrapped by master key " + keyId
                    + " which this vault was not given; pass it as an additional (old) master key", false);
        }
        if (wrapped.length <= VaultCrypto.NONCE_LENGTH) {
            throw new RecordIntegrityException("wrapped data key of " + owner + " is truncated");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, master.secretKey(), new GCMParameterSpec(VaultCrypto.TAG_BITS, wrapped, 0, VaultCrypto.NONCE_LENGTH));
            cipher.updateAAD(aad(owner, generation, keyId));
            byte[] raw = cipher.doFinal(wrapped, VaultCrypto.NONCE_LENGTH, wrapped.length - VaultCrypto.NONCE_LENGTH);
            try {
                return new SecretKeySpec(raw, "AES");
            } finally {
                java.util.Arrays.fill(raw, (byte) 0);
            }
        } catch (AEADBadTagException e) {
            throw new RecordIntegrityException("wrapped data key of " + owner + " failed authentication (wrong master key or tampered key store)");
        } catch (GeneralSecurityException e) {
            throw new VaultException("cannot unwrap a data key: " + e.getClass().getSimpleName(), false, e);
        }
    }

    private static byte[] aad(String owner, int generation, String keyId) {
        byte[] o = owner.getBytes(StandardCharsets.UTF_8);
        byte[] k = keyId.getBytes(StandardCharsets.UTF_8);
        if (generation == 0) {
            // Generation 0 is every key written before generations existed: its associated data is unchanged.
            return ByteBuffer.allocate(WRAP_DOMAIN.length + 8 + o.length + k.length)
                    .put(WRAP_DOMAIN).putInt(o.length).put(o).putInt(k.length).put(k).array();
        }
        return ByteBuffer.allocate(WRAP_DOMAIN_GENERATIONS.length + 12 + o.length + k.length)
                .put(WRAP_DOMAIN_GENERATIONS).putInt(o.length).put(o).putInt(generation).putInt(k.length).put(k).array();
    }
}
