package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.VaultException;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.secrets.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key-encryption key that wraps every patient data key. Only wrapped data keys are ever written to disk, so the
 * stored vault is useless without this key; keeping it outside the vault directory (file on another mount, env var
 * injected by a secret manager) is the point.
 *
 * <p>The {@linkplain #keyId() key id} is stored next to each wrapped key so that a vault can be opened with the new
 * key plus the old ones during a rotation, and re-wrap everything under the new one.
 */
public final class MasterKey {

    private static final int KEY_LENGTH = 32;

    private final String keyId;
    private final SecretKey key;

    private MasterKey(String keyId, byte[] keyBytes) {
        this.keyId = VaultRecord.requireText(keyId, "keyId");
        if (keyBytes.length != KEY_LENGTH) {
            throw new IllegalArgumentException("a master key must be " + KEY_LENGTH + " bytes (AES-256), was " + keyBytes.length);
        }
        this.key = new SecretKeySpec(keyBytes, "AES");
    }

    /** A master key from raw bytes; the id defaults to a fingerprint so the same key always gets the same id. */
    public static MasterKey of(byte[] keyBytes) {
        Objects.requireNonNull(keyBytes, "keyBytes");
        return new MasterKey(fingerprint(keyBytes), keyBytes.clone());
    }

    public static MasterKey of(String keyId, byte[] keyBytes) {
        Objects.requireNonNull(keyBytes, "keyBytes");
        return new MasterKey(keyId, keyBytes.clone());
    }

    /**
     * Reads a key file holding either exactly 32 raw bytes or their base64 text. Where the file system is POSIX, the
     * file must not be readable or writable by group or others: a world-readable master key defeats the encryption.
     */
    public static MasterKey fromFile(Path file) {
        return fromFile(file, null);
    }

    public static MasterKey fromFile(Path file, String keyId) {
        Objects.requireNonNull(file, "file");
        byte[] content;
        try {
            checkOwnerOnly(file);
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new VaultException("cannot read master key file " + file + ": " + e.getClass().getSimpleName(), false, e);
        }
        try {
            byte[] keyBytes = content.length == KEY_LENGTH ? content.clone() : decodeBase64(new String(content, StandardCharsets.US_ASCII), "file " + file);
            try {
                return new MasterKey(keyId != null ? keyId : fingerprint(keyBytes), keyBytes);
            } finally {
                Arrays.fill(keyBytes, (byte) 0);
            }
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    /** Reads a base64-encoded key from an environment variable. */
    public static MasterKey fromEnv(String variable) {
        return fromEnv(variable, null);
    }

    public static MasterKey fromEnv(String variable, String keyId) {
        String value = System.getenv(Objects.requireNonNull(variable, "variable"));
        if (value == null || value.isBlank()) {
            throw new VaultException("environment variable " + variable + " holding the vault master key is not set", false);
        }
        byte[] keyBytes = decodeBase64(value, "environment variable " + variable);
        try {
            return new MasterKey(keyId != null ? keyId : fingerprint(keyBytes), keyBytes);
        } finally {
            Arrays.fill(keyBytes, (byte) 0);
        }
    }

    private static byte[] decodeBase64(String text, String source) {
        byte[] decoded;
        try {
            decoded = Base64.getMimeDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            // The message would echo the offending characters, which are key material: do not chain it.
            throw new VaultException("master key in " + source + " is neither 32 raw bytes nor valid base64", false);
        }
        if (decoded.length != KEY_LENGTH) {
            int length = decoded.length;
            Arrays.fill(decoded, (byte) 0);
            throw new VaultException("master key in " + source + " decodes to " + length + " bytes, expected " + KEY_LENGTH, false);
        }
        return decoded;
    }

    private static void checkOwnerOnly(Path file) {
        try {
            SecretFiles.requireOwnerOnly(file, "vault master key file");
        } catch (SecretFiles.InsecureSecretFileException e) {
            throw new VaultException(e.getMessage(), false);
        }
    }

    /** A one-way, domain-separated fingerprint: identifies the key in files without helping anyone guess it. */
    private static String fingerprint(byte[] keyBytes) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("caduceus-vault/master-key-id/v1".getBytes(StandardCharsets.US_ASCII));
            byte[] digest = sha.digest(keyBytes);
            return "mk-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    public String keyId() {
        return keyId;
    }

    SecretKey secretKey() {
        return key;
    }

    @Override
    public String toString() {
        return "MasterKey[" + keyId + "]";
    }
}
