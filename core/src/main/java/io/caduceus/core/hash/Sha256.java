package io.caduceus.core.hash;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 through the JDK provider; a fresh {@link MessageDigest} per thread because instances are not thread-safe. */
public final class Sha256 {

    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(Sha256::newDigest);

    private Sha256() {
    }

    public static Digest digest(byte[] data) {
        MessageDigest md = DIGESTS.get();
        md.reset();
        return Digest.wrap(md.digest(data));
    }

    /** Hash of the concatenation of the given parts, without building the concatenation. */
    public static Digest digest(byte[]... parts) {
        MessageDigest md = DIGESTS.get();
        md.reset();
        for (byte[] part : parts) {
            md.update(part);
        }
        return Digest.wrap(md.digest());
    }

    /** Hash of {@code prefix || data}: the shape of every domain-separated hash in the Merkle log. */
    public static Digest digest(byte prefix, byte[] data) {
        MessageDigest md = DIGESTS.get();
        md.reset();
        md.update(prefix);
        md.update(data);
        return Digest.wrap(md.digest());
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
