package io.caduceus.verifier;

import io.caduceus.core.commitment.Salt;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonException;
import io.caduceus.core.json.JsonFields;
import io.caduceus.core.proof.ProofBundle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a {@code caduceus.proof.v1} bundle as docs/proof-format.md section 4 defines it. Stricter than
 * {@link ProofBundle#fromJson} where the specification requires a member that core does not read ({@code leaf.hash}),
 * and laxer where core refuses what the specification turns into a verdict: a leaf index beyond the tree size is a
 * malformed <em>proof</em> (invalid, section 6), not a malformed bundle.
 */
final class BundleReader {

    /** A bundle that cannot be read: missing or mistyped member, unknown format or scheme. */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message);
        }
    }

    /** The bundle's statements, none of them trusted yet. */
    record Bundle(String recordId, Digest commitment, Optional<Salt> salt, long leafIndex, long treeSize,
                  List<Digest> auditPath, Digest root, Optional<AnchorReceipt> anchor) {
    }

    private BundleReader() {
    }

    static Bundle read(String json) throws Unreadable {
        Object parsed;
        try {
            parsed = CanonicalJson.parse(json);
        } catch (RuntimeException e) {
            throw new Unreadable("not JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new Unreadable("a proof bundle must be a JSON object");
        }
        Object format = map.get("format");
        if (!ProofBundle.FORMAT.equals(format)) {
            throw new Unreadable(format == null ? "member 'format' is missing"
                    : "unknown format " + shorten(String.valueOf(format)) + "; this verifier reads " + ProofBundle.FORMAT);
        }
        try {
            String recordId = JsonFields.string(map, "recordId");
            // r2_ (keyed, format 2) and r_ (format 1, in proofs of records stored before) are both read.
            if (!recordId.matches("r2?_[0-9a-fA-F]{32}")) {
                throw new JsonException("member 'recordId' is not r2_ (or r_) and 32 hex digits");
            }
            Map<?, ?> commitment = JsonFields.object(map, "commitment");
            if (!"hmac-sha256-salted-v1".equals(commitment.get("scheme"))) {
                throw new JsonException("unknown or missing commitment.scheme; this verifier knows hmac-sha256-salted-v1");
            }
            Digest value = digest(commitment, "value", "commitment.value");
            Optional<Salt> salt = Optional.empty();
            if (commitment.get("salt") != null) {
                salt = Optional.of(Salt.of(hex32(commitment, "salt", "commitment.salt")));
            }
            Map<?, ?> leaf = JsonFields.object(map, "leaf");
            long leafIndex = nonNegative(leaf, "index", "leaf.index");
            // Required by the format, never used: the leaf hash is recomputed from the commitment.
            digest(leaf, "hash", "leaf.hash");
            Map<?, ?> tree = JsonFields.object(map, "tree");
            long treeSize = nonNegative(tree, "size", "tree.size");
            if (treeSize < 1) {
                throw new JsonException("member 'tree.size' must be at least 1");
            }
            Digest root = digest(tree, "root", "tree.root");
            if (!(tree.get("auditPath") instanceof List<?> rawPath)) {
                throw new JsonException("member 'tree.auditPath' is missing or not an array");
            }
            if (rawPath.size() > 64) {
                // No tree of at most 2^53 leaves has a longer path; refusing early bounds the work on hostile input.
                throw new JsonException("member 'tree.auditPath' has " + rawPath.size() + " entries; at most 64 are possible");
            }
            List<Digest> path = new ArrayList<>(rawPath.size());
            for (Object o : rawPath) {
                if (!(o instanceof String s) || !s.matches("[0-9a-fA-F]{64}")) {
                    throw new JsonException("member 'tree.auditPath' must hold 32-byte hex strings");
                }
                path.add(Digest.fromHex(s));
            }
            Optional<AnchorReceipt> anchor = Optional.empty();
            if (map.containsKey("anchor") && map.get("anchor") != null) {
                if (!(map.get("anchor") instanceof Map<?, ?> anchorMap)) {
                    throw new JsonException("member 'anchor' is not an object");
                }
                if (!JsonFields.string(anchorMap, "root").matches("[0-9a-fA-F]{64}")) {
                    throw new JsonException("member 'anchor.root' is not 32 bytes of hex");
                }
                anchor = Optional.of(AnchorReceipt.fromJsonMap(anchorMap));
            }
            return new Bundle(recordId.toLowerCase(Locale.ROOT), value, salt, leafIndex, treeSize, path, root, anchor);
        } catch (RuntimeException e) {
            // JsonException names the member; IllegalArgumentException comes from value types (address, hex, time).
            throw new Unreadable("malformed bundle: " + e.getMessage());
        }
    }

    private static Digest digest(Map<?, ?> map, String key, String name) {
        return Digest.of(hex32(map, key, name));
    }

    private static byte[] hex32(Map<?, ?> map, String key, String name) {
        if (!(map.get(key) instanceof String s) || !s.matches("[0-9a-fA-F]{64}")) {
            throw new JsonException("member '" + name + "' is missing or not 32 bytes of hex");
        }
        return io.caduceus.core.hash.Hex.decode(s);
    }

    private static long nonNegative(Map<?, ?> map, String key, String name) {
        long value;
        try {
            value = JsonFields.integer(map, key);
        } catch (JsonException e) {
            throw new JsonException("member '" + name + "' is missing or not an integer within 2^53");
        }
        if (value < 0) {
            throw new JsonException("member '" + name + "' must not be negative");
        }
        return value;
    }

    private static String shorten(String s) {
        return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    }
}
