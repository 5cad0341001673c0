package io.caduceus.bridge;

import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonFields;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A confirmed anchor the chain no longer holds (the chain was reset, or a reorganisation deeper than the
 * confirmations took it back): proofs issued with it no longer verify, and the bridge has anchored again.
 *
 * @param receipt    the receipt as it was confirmed: size, root, old transaction and block
 * @param detectedAt when the bridge found it gone
 * @param reason     which check failed (no registry code, no receipt, another root); sizes and hashes only
 */
public record LostAnchor(AnchorReceipt receipt, Instant detectedAt, String reason) {

    public LostAnchor {
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(detectedAt, "detectedAt");
        Objects.requireNonNull(reason, "reason");
    }

    public Map<String, Object> toJsonMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("treeSize", receipt.treeSize());
        map.put("root", receipt.root().hex());
        map.put("transactionHash", receipt.transactionHash());
        map.put("blockNumber", receipt.blockNumber());
        map.put("detectedAt", detectedAt.toString());
        map.put("reason", reason);
        map.put("receipt", receipt.toJsonMap());
        return map;
    }

    public String toJson() {
        return CanonicalJson.write(toJsonMap());
    }

    public static LostAnchor fromJsonMap(Map<?, ?> map) {
        if (!(map.get("receipt") instanceof Map<?, ?> receipt)) {
            throw new IllegalArgumentException("a lost anchor needs its receipt");
        }
        return new LostAnchor(AnchorReceipt.fromJsonMap(receipt), Instant.parse(JsonFields.string(map, "detectedAt")),
                JsonFields.string(map, "reason"));
    }
}
