package io.caduceus.chaincode;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Proof, written back by the bridge, that the Merkle log root over the first {@code treeSize} commitments was committed
 * on a public chain. Field names match {@code io.caduceus.core.domain.AnchorReceipt#toJson}; the Fabric-side range
 * (channel, block height) and the block time are optional because only the bridge knows them and older bridges did not
 * send them.
 */
record AnchorReceipt(long chainId, String contract, String transactionHash, long blockNumber, String blockTime,
        String root, long treeSize, String fabricChannel, Long fabricBlockHeight) {

    private static final Set<String> FIELDS = Set.of("chainId", "contract", "transactionHash", "blockNumber",
            "blockTime", "root", "treeSize", "fabricChannel", "fabricBlockHeight");
    private static final String WHAT = "anchor receipt";

    static AnchorReceipt fromJson(String json) {
        Map<String, Object> map = CanonicalJson.parseObject(json, WHAT);
        Fields.rejectUnknown(map, FIELDS, WHAT);
        String blockTime = Fields.optionalString(map, "blockTime", WHAT);
        String channel = Fields.optionalString(map, "fabricChannel", WHAT);
        return new AnchorReceipt(
                Fields.requireLong(map, "chainId", 1, WHAT),
                // Addresses and hashes are case-insensitive hex; one spelling keeps idempotency checks exact.
                Fields.matching(lower(Fields.requireString(map, "contract", WHAT)), Fields.ADDRESS, "contract"),
                Fields.matching(lower(Fields.requireString(map, "transactionHash", WHAT)), Fields.TX_HASH,
                        "transactionHash"),
                Fields.requireLong(map, "blockNumber", 0, WHAT),
                blockTime == null ? null : Fields.instant(blockTime, "blockTime").toString(),
                Fields.matching(Fields.requireString(map, "root", WHAT), Fields.HEX_64, "root"),
                Fields.requireLong(map, "treeSize", 1, WHAT),
                channel == null ? null : Fields.matching(channel, Fields.CHANNEL, "fabricChannel"),
                map.get("fabricBlockHeight") == null ? null : Fields.requireLong(map, "fabricBlockHeight", 0, WHAT));
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new TreeMap<>();
        map.put("chainId", chainId);
        map.put("contract", contract);
        map.put("transactionHash", transactionHash);
        map.put("blockNumber", blockNumber);
        map.put("root", root);
        map.put("treeSize", treeSize);
        if (blockTime != null) {
            map.put("blockTime", blockTime);
        }
        if (fabricChannel != null) {
            map.put("fabricChannel", fabricChannel);
        }
        if (fabricBlockHeight != null) {
            map.put("fabricBlockHeight", fabricBlockHeight);
        }
        return map;
    }

    String toJson() {
        return CanonicalJson.write(toMap());
    }
}
