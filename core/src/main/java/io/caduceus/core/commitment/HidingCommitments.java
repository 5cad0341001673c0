package io.caduceus.core.commitment;

import io.caduceus.core.hash.Digest;
import io.caduceus.core.hash.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The value a record is known by on the ledgers:
 * {@code commitment = HMAC-SHA256(key = salt, message = "caduceus.commitment.v1" || 0x00 || SHA-256(canonical record))}.
 *
 * <p>Hashing the content first lets a verifier work from the content digest alone; keying with a 256-bit random salt
 * means a low-entropy record (a single lab value, a yes/no) cannot be recovered by hashing every candidate, which a
 * plain digest on a public chain would allow. See docs/proof-format.md.
 */
public final class HidingCommitments {

    static final byte[] LABEL = "caduceus.commitment.v1\0".getBytes(StandardCharsets.US_ASCII);

    private HidingCommitments() {
    }

    /** Commitment to the canonical bytes of a record (see {@code CanonicalJson}). */
    public static Digest commit(Salt salt, byte[] canonicalRecord) {
        return commitToDigest(salt, Sha256.digest(canonicalRecord));
    }

    /** Commitment from the content digest, for verifiers that have the digest and the salt but not the record. */
    public static Digest commitToDigest(Salt salt, Digest contentDigest) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt.toBytes(), "HmacSHA256"));
            mac.update(LABEL);
            return Digest.of(mac.doFinal(contentDigest.toBytes()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform must provide HmacSHA256", e);
        }
    }

    /** Constant-time check that {@code canonicalRecord} with {@code salt} opens {@code commitment}. */
    public static boolean opens(Digest commitment, Salt salt, byte[] canonicalRecord) {
        return MessageDigest.isEqual(commitment.toBytes(), commit(salt, canonicalRecord).toBytes());
    }
}
