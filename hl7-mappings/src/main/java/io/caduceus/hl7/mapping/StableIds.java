package io.caduceus.hl7.mapping;

import io.caduceus.core.keys.KeyedHash;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.UUID;

/**
 * Resource ids as UUIDs made from an HMAC of the resource's identity under the deployment's resource-id key: the same
 * source identity always yields the same id, and without the key an id reveals nothing of it. Name-based UUIDs over a
 * public namespace (version 5, what ids were before) let anyone holding a list of MRNs compute every Patient id.
 *
 * <p>The UUIDs are of version 8 (RFC 9562, custom) with the RFC 4122 variant, so they are valid wherever a UUID is
 * expected, and tell at a glance that they are not the old name-based ones.
 */
final class StableIds {

    private final KeyedHash key;

    StableIds(KeyedHash key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    String uuid(String name) {
        byte[] mac = key.of(name);
        mac[6] = (byte) ((mac[6] & 0x0f) | 0x80);
        mac[8] = (byte) ((mac[8] & 0x3f) | 0x80);
        ByteBuffer b = ByteBuffer.wrap(mac, 0, 16);
        return new UUID(b.getLong(), b.getLong()).toString();
    }
}
