package io.caduceus.core.commitment;

import io.caduceus.core.hash.Hex;
import java.security.SecureRandom;

/**
 * The per-record secret that makes a commitment hiding. It lives only off-chain, next to the record: without it nobody
 * can test guesses of a record's content against the ledger, and destroying it (with the record) leaves nothing on the
 * ledger that could ever be linked back to the content.
 */
public final class Salt {

    public static final int LENGTH = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] bytes;

    private Salt(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Salt random() {
        byte[] bytes = new byte[LENGTH];
        RANDOM.nextBytes(bytes);
        return new Salt(bytes);
    }

    public static Salt of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a salt is " + LENGTH + " bytes, got " + bytes.length);
        }
        return new Salt(bytes.clone());
    }

    public static Salt fromHex(String hex) {
        return of(Hex.decode(hex));
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    public String hex() {
        return Hex.encode(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Salt s && java.security.MessageDigest.isEqual(bytes, s.bytes);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes);
    }

    /** Never prints the value: a salt in a log would undo the hiding. */
    @Override
    public String toString() {
        return "Salt[redacted]";
    }
}
