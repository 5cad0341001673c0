package io.caduceus.bridge;

import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.JsonFields;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** An anchor mined in {@code blockNumber} (as of the last look) and not yet confirmed. */
record PendingAnchor(String transactionHash, long treeSize, Digest root, long fabricBlockHeight, Instant sentAt,
                     long blockNumber) {

    Map<String, Object> toJsonMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("transactionHash", transactionHash);
        map.put("treeSize", treeSize);
        map.put("root", root.hex());
        map.put("fabricBlockHeight", fabricBlockHeight);
        map.put("sentAt", sentAt.toString());
        map.put("blockNumber", blockNumber);
        return map;
    }

    static PendingAnchor fromJsonMap(Map<?, ?> map) {
        return new PendingAnchor(JsonFields.string(map, "transactionHash"), JsonFields.integer(map, "treeSize"),
                Digest.fromHex(JsonFields.string(map, "root")), JsonFields.integer(map, "fabricBlockHeight"),
                Instant.parse(JsonFields.string(map, "sentAt")), JsonFields.integer(map, "blockNumber"));
    }

    PendingAnchor minedIn(long block) {
        return new PendingAnchor(transactionHash, treeSize, root, fabricBlockHeight, sentAt, block);
    }
}
