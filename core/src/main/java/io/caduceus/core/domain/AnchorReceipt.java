package io.caduceus.core.domain;

import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonException;
import io.caduceus.core.json.JsonFields;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Proof that a Merkle log root was committed to a public chain: which chain and contract, which transaction and block,
 * the root and the tree size it covers, and the range of the private ledger (channel, block height) that tree holds.
 * Written back to Fabric by the bridge and embedded in every proof bundle.
 */
public record AnchorReceipt(long chainId, String contractAddress, String transactionHash, long blockNumber,
        Instant blockTime, Digest root, long treeSize, String fabricChannel, long fabricBlockHeight) {

    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-f]{40}");
    private static final Pattern TX_HASH = Pattern.compile("0x[0-9a-f]{64}");

    public AnchorReceipt {
        if (chainId <= 0 || blockNumber < 0 || treeSize <= 0 || fabricBlockHeight < 0) {
            throw new IllegalArgumentException("chain id and tree size must be positive, block numbers not negative");
        }
        contractAddress = Objects.requireNonNull(contractAddress, "contractAddress").toLowerCase(java.util.Locale.ROOT);
        transactionHash = Objects.requireNonNull(transactionHash, "transactionHash").toLowerCase(java.util.Locale.ROOT);
        if (!ADDRESS.matcher(contractAddress).matches()) {
            throw new IllegalArgumentException("contract address must be 0x and 40 hex digits");
        }
        if (!TX_HASH.matcher(transactionHash).matches()) {
            throw new IllegalArgumentException("transaction hash must be 0x and 64 hex digits");
        }
        Objects.requireNonNull(blockTime, "blockTime");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(fabricChannel, "fabricChannel");
    }

    public Map<String, Object> toJsonMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("chainId", chainId);
        map.put("contract", contractAddress);
        map.put("transactionHash", transactionHash);
        map.put("blockNumber", blockNumber);
        map.put("blockTime", blockTime.toString());
        map.put("root", root.hex());
        map.put("treeSize", treeSize);
        map.put("fabricChannel", fabricChannel);
        map.put("fabricBlockHeight", fabricBlockHeight);
        return map;
    }

    public String toJson() {
        return CanonicalJson.write(toJsonMap());
    }

    public static AnchorReceipt fromJsonMap(Map<?, ?> map) {
        try {
            return new AnchorReceipt(
                    JsonFields.integer(map, "chainId"),
                    JsonFields.string(map, "contract"),
                    JsonFields.string(map, "transactionHash"),
                    JsonFields.integer(map, "blockNumber"),
                    Instant.parse(JsonFields.string(map, "blockTime")),
                    Digest.fromHex(JsonFields.string(map, "root")),
                    JsonFields.integer(map, "treeSize"),
                    JsonFields.string(map, "fabricChannel"),
                    JsonFields.integer(map, "fabricBlockHeight"));
        } catch (java.time.format.DateTimeParseException e) {
            throw new JsonException("anchor receipt blockTime is not an ISO-8601 instant");
        }
    }
}
