package io.caduceus.core.keys;

import io.caduceus.core.hash.Hex;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 under one purpose key of {@link DeploymentKeys}: what an identifier derived from low-entropy input (an
 * MRN, a sender's message number, a client id) is computed with, so that it cannot be reversed by enumerating inputs
 * without the deployment secret.
 *
 * <p>Each part is preceded by its length (4 bytes, big-endian, of its UTF-8 bytes), so no two lists of parts give the
 * same input whatever characters the parts contain. Thread-safe; instances are immutable.
 */
public final class KeyedHash {

    private final SecretKeySpec key;

    KeyedHash(byte[] key) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** The 32-byte MAC of {@code parts}. */
    public byte[] of(String... parts) {
        Mac mac = newMac();
        for (String part : parts) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            mac.update(new byte[] {(byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16), (byte) (bytes.length >>> 8),
                    (byte) bytes.length});
            mac.update(bytes);
        }
        return mac.doFinal();
    }

    /** {@link #of} as 64 lowercase hex digits. */
    public String hex(String... parts) {
        return Hex.encode(of(parts));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("an HMAC-SHA256 key of 32 bytes was refused", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform must provide HmacSHA256", e);
        }
    }

    @Override
    public String toString() {
        return "KeyedHash[key redacted]";
    }
}
