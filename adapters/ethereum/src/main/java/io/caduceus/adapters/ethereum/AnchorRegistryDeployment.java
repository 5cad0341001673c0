package io.caduceus.adapters.ethereum;

import java.util.Objects;

/**
 * A freshly deployed {@code AnchorRegistry}.
 *
 * @param contractAddress the registry's address ({@code 0x} and 40 hex digits): goes into the configuration of the
 *                        bridge and into every proof bundle
 * @param anchorer        the only address allowed to anchor in it
 * @param receipt         the deployment transaction
 */
public record AnchorRegistryDeployment(String contractAddress, String anchorer, EthereumReceipt receipt) {

    public AnchorRegistryDeployment {
        Objects.requireNonNull(contractAddress, "contractAddress");
        Objects.requireNonNull(anchorer, "anchorer");
        Objects.requireNonNull(receipt, "receipt");
    }
}
