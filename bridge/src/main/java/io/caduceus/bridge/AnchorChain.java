package io.caduceus.bridge;

import io.caduceus.core.chain.AnchorRegistry;
import io.caduceus.core.chain.TransactionLookup;
import java.util.Locale;
import java.util.Objects;

/**
 * The registry an {@link Anchorer} anchors in: its chain and address (both go into every receipt), the registry as
 * the chain port offers it (signing as its anchorer), and a lookup to read transactions back.
 */
public record AnchorChain(long chainId, String contractAddress, AnchorRegistry registry,
                          TransactionLookup transactions) {

    public AnchorChain {
        Objects.requireNonNull(contractAddress, "contractAddress");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(transactions, "transactions");
        if (chainId <= 0) {
            throw new IllegalArgumentException("chain id must be positive");
        }
        contractAddress = contractAddress.toLowerCase(Locale.ROOT);
        if (!contractAddress.matches("0x[0-9a-f]{40}")) {
            throw new IllegalArgumentException("contract address must be 0x and 40 hex digits");
        }
    }
}
