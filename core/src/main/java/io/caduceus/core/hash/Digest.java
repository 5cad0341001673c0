package io.caduceus.core.hash;

import java.security.MessageDigest;
import java.util.Arrays;

/** A SHA-256 value: exactly 32 bytes, immutable, compared in constant time. */
public final class Digest implements Comparable<Digest> {

    public static final int LENGTH = 32;

    private final byte[] bytes;

    private Digest(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Digest of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a digest is " + LENGTH + " bytes, got " + bytes.length);
        }
        return new Digest(bytes.clone());
    }

    /** Wraps without copying; only for arrays nobody else holds. */
    static Digest wrap(byte[] bytes) {
        return new Digest(bytes);
    }

    public static Digest fromHex(String hex) {
        return of(Hex.decode(hex));
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Copies the 32 bytes into {@code target} at {@code offset}, for hashing without allocation. */
    public void copyTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, LENGTH);
    }

    public String hex() {
        return Hex.encode(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Digest d && MessageDigest.isEqual(bytes, d.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(Digest other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
