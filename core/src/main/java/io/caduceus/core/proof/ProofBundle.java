package io.caduceus.core.proof;

import io.caduceus.core.commitment.Salt;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.hash.Hex;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonException;
import io.caduceus.core.json.JsonFields;
import io.caduceus.core.merkle.InclusionProof;
import io.caduceus.core.merkle.MerkleHashing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything an auditor needs to prove one record against a public anchor, in the JSON format of
 * {@code docs/proof-format.md} ({@code "format": "caduceus.proof.v1"}).
 *
 * @param salt   the record's commitment salt; present only in bundles handed to someone entitled to open the
 *               commitment (with the record itself), absent in bundles that only prove a commitment was logged
 * @param anchor where the root was committed on a public chain; absent while the record awaits its first anchor
 */
public record ProofBundle(RecordId recordId, Digest commitment, Optional<Salt> salt, InclusionProof inclusion,
        Digest root, Optional<AnchorReceipt> anchor) {

    public static final String FORMAT = "caduceus.proof.v1";

    public ProofBundle {
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(commitment, "commitment");
        Objects.requireNonNull(salt, "salt");
        Objects.requireNonNull(inclusion, "inclusion");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(anchor, "anchor");
    }

    /** The leaf hash the log holds for this record: {@code SHA-256(0x00 || commitment)}. */
    public Digest leafHash() {
        return MerkleHashing.leafHash(commitment.toBytes());
    }

    public String toJson() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("format", FORMAT);
        map.put("recordId", recordId.value());
        Map<String, Object> commitmentMap = new LinkedHashMap<>();
        commitmentMap.put("scheme", "hmac-sha256-salted-v1");
        commitmentMap.put("value", commitment.hex());
        salt.ifPresent(s -> commitmentMap.put("salt", s.hex()));
        map.put("commitment", commitmentMap);
        Map<String, Object> leaf = new LinkedHashMap<>();
        leaf.put("index", inclusion.leafIndex());
        leaf.put("hash", leafHash().hex());
        map.put("leaf", leaf);
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("size", inclusion.treeSize());
        tree.put("root", root.hex());
        List<Object> path = new ArrayList<>();
        for (Digest d : inclusion.auditPath()) {
            path.add(d.hex());
        }
        tree.put("auditPath", path);
        map.put("tree", tree);
        anchor.ifPresent(a -> map.put("anchor", a.toJsonMap()));
        return CanonicalJson.write(map);
    }

    /** Reads a bundle; rejects unknown formats and malformed fields with a {@link JsonException} naming the field. */
    public static ProofBundle fromJson(String json) {
        if (!(CanonicalJson.parse(json) instanceof Map<?, ?> map)) {
            throw new JsonException("a proof bundle must be a JSON object");
        }
        if (!FORMAT.equals(map.get("format"))) {
            throw new JsonException("unsupported proof format; expected " + FORMAT);
        }
        try {
            Map<?, ?> commitmentMap = JsonFields.object(map, "commitment");
            if (!"hmac-sha256-salted-v1".equals(commitmentMap.get("scheme"))) {
                throw new JsonException("unsupported commitment scheme");
            }
            Map<?, ?> leaf = JsonFields.object(map, "leaf");
            Map<?, ?> tree = JsonFields.object(map, "tree");
            if (!(tree.get("auditPath") instanceof List<?> rawPath)) {
                throw new JsonException("field 'tree.auditPath' is missing or not an array");
            }
            List<Digest> path = new ArrayList<>(rawPath.size());
            for (Object o : rawPath) {
                if (!(o instanceof String s)) {
                    throw new JsonException("field 'tree.auditPath' must hold hex strings");
                }
                path.add(Digest.fromHex(s));
            }
            Object saltHex = commitmentMap.get("salt");
            Object anchorMap = map.get("anchor");
            return new ProofBundle(
                    new RecordId(JsonFields.string(map, "recordId")),
                    Digest.fromHex(JsonFields.string(commitmentMap, "value")),
                    saltHex == null ? Optional.empty() : Optional.of(Salt.of(Hex.decode(saltHex.toString()))),
                    new InclusionProof(nonNegative(leaf, "index"), nonNegative(tree, "size"), path),
                    Digest.fromHex(JsonFields.string(tree, "root")),
                    anchorMap instanceof Map<?, ?> a ? Optional.of(AnchorReceipt.fromJsonMap(a)) : Optional.empty());
        } catch (JsonException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new JsonException("proof bundle field out of range or malformed: " + e.getMessage());
        }
    }

    private static long nonNegative(Map<?, ?> map, String key) {
        long value = JsonFields.integer(map, key);
        if (value < 0) {
            throw new JsonException("field '" + key + "' must not be negative");
        }
        return value;
    }
}
