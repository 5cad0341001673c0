package io.caduceus.verifier;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The anchor as the chain itself reports it, never as the bundle states it: chain id from {@code eth_chainId}, block
 * and time from the transaction receipt and its block, confirmations from the node's latest block.
 *
 * @param confirmations {@code latest block - anchor block + 1}
 */
public record AnchorFacts(long chainId, String contract, String transactionHash, long blockNumber, Instant blockTime,
                          long confirmations) {

    public AnchorFacts {
        Objects.requireNonNull(contract, "contract");
        Objects.requireNonNull(transactionHash, "transactionHash");
        Objects.requireNonNull(blockTime, "blockTime");
    }

    Map<String, Object> toJsonMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("chainId", chainId);
        map.put("contract", contract);
        map.put("tx", transactionHash);
        map.put("block", blockNumber);
        map.put("blockTime", blockTime.toString());
        map.put("confirmations", confirmations);
        return map;
    }
}
