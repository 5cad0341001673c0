package io.caduceus.hl7.mapping;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/** Name-based UUIDs (RFC 4122 version 5): the same source identity always yields the same resource id. */
final class StableIds {
    /** Fixed namespace for Caduceus HL7 v2 mapped resources; changing it changes every id ever produced. */
    private static final UUID NAMESPACE = UUID.fromString("6f3c8b9e-2d4a-5c1e-9b7f-0a1d2c3e4f50");

    private StableIds() {
    }

    static String uuid(String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer ns = ByteBuffer.allocate(16);
        ns.putLong(NAMESPACE.getMostSignificantBits()).putLong(NAMESPACE.getLeastSignificantBits());
        sha1.update(ns.array());
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        ByteBuffer b = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(b.getLong(), b.getLong()).toString();
    }
}
