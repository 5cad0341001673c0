package io.caduceus.adapters.ethereum;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link AnchorRegistryClient} talks to its registry. Holds no key: the signer is passed separately so that
 * a configuration can be logged and shown freely.
 *
 * @param endpoint        node, expected chain id (EIP-155 signing uses it) and the deadline of every RPC call
 * @param contractAddress the registry; {@code null} for a client that only deploys
 * @param anchorGasLimit  gas limit of an anchor transaction: explicit, so a node's estimate can never make an
 *                        anchor expensive; an anchor uses about 50,000
 * @param deployGasLimit  gas limit of the deployment transaction
 * @param receiptTimeout  how long to wait for a sent transaction to be mined before giving up (retriably)
 * @param pollInterval    how often to ask for the receipt meanwhile
 */
public record AnchorRegistryConfig(EthereumEndpoint endpoint, String contractAddress, long anchorGasLimit,
                                   long deployGasLimit, Duration receiptTimeout, Duration pollInterval) {

    public static final long DEFAULT_ANCHOR_GAS_LIMIT = 100_000;
    public static final long DEFAULT_DEPLOY_GAS_LIMIT = 1_000_000;

    public AnchorRegistryConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(receiptTimeout, "receiptTimeout");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (contractAddress != null) {
            AnchorRegistryContract.requireAddress(contractAddress);
        }
        if (anchorGasLimit < 21_000 || deployGasLimit < 21_000) {
            throw new IllegalArgumentException("gas limits must be at least 21000, got anchor " + anchorGasLimit
                    + ", deploy " + deployGasLimit);
        }
        if (receiptTimeout.isNegative() || receiptTimeout.isZero() || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("receipt timeout and poll interval must be positive");
        }
    }

    /** Defaults: the gas limits above, 2 minutes for a receipt, polled every second. */
    public static AnchorRegistryConfig of(EthereumEndpoint endpoint, String contractAddress) {
        return new AnchorRegistryConfig(endpoint, contractAddress, DEFAULT_ANCHOR_GAS_LIMIT, DEFAULT_DEPLOY_GAS_LIMIT,
                Duration.ofMinutes(2), Duration.ofSeconds(1));
    }

    public AnchorRegistryConfig withContractAddress(String address) {
        return new AnchorRegistryConfig(endpoint, address, anchorGasLimit, deployGasLimit, receiptTimeout, pollInterval);
    }

    public AnchorRegistryConfig withReceiptPolling(Duration timeout, Duration interval) {
        return new AnchorRegistryConfig(endpoint, contractAddress, anchorGasLimit, deployGasLimit, timeout, interval);
    }
}
