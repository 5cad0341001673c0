package io.caduceus.adapters.ethereum;

import io.caduceus.core.chain.AnchorRegistry;
import org.web3j.crypto.Credentials;

/**
 * The public {@code AnchorRegistry} over web3j, the chain port's {@link AnchorRegistry} (what the bridge anchors
 * through) plus deployment: publish a Merkle root for a tree size, read roots back.
 * Every RPC call has the endpoint's deadline; failures are {@link EthereumException}s, retriable for I/O and
 * timeouts, permanent for refusals ({@link AnchorRegistryRevertException} names the contract's custom error).
 *
 * <p>After a retriable failure of {@link #anchor}, the transaction may still be mined: compare
 * {@link #latestTreeSize()} before anchoring again (a duplicate anchor reverts with {@code TreeSizeMustGrow}, so a
 * blind retry is harmless but costs gas).
 */
public interface AnchorRegistryClient extends AnchorRegistry {

    /**
     * Connects, checks the node's chain id against the configuration, and signs with {@code signer} (EIP-155,
     * bound to that chain id). The signer's key is never logged nor put in exception messages.
     */
    static AnchorRegistryClient connect(AnchorRegistryConfig config, Credentials signer) {
        return Web3jAnchorRegistryClient.connect(config, signer);
    }

    /** The signer's address (the anchorer, for a client that anchors). */
    String signerAddress();

    /**
     * Deploys a new registry whose only anchorer is {@code anchorer}, and waits for it to be mined. Does not change
     * this client's contract: connect a client with {@link AnchorRegistryConfig#withContractAddress} to use it.
     */
    AnchorRegistryDeployment deploy(String anchorer);

    /**
     * Anchors {@code root} (32 bytes) for {@code treeSize} in the configured registry and waits for it to be mined.
     * Checked with {@code eth_call} first, so a refused anchor throws before it costs gas.
     *
     * @param fabricChannel the Fabric channel name, 1..32 UTF-8 bytes (stored as bytes32, right-padded with zeros)
     * @return the mined, successful transaction (block number and time are the anchor's public timestamp)
     * @throws AnchorRegistryRevertException if the registry refuses (NotAnchorer, TreeSizeMustGrow, ZeroRoot)
     */
    @Override
    EthereumReceipt anchor(long treeSize, byte[] root, String fabricChannel, long fabricBlockHeight);

    /** The root anchored for exactly {@code treeSize}; 32 zero bytes when none was. */
    @Override
    byte[] rootAt(long treeSize);

    /** The largest anchored tree size, 0 before the first anchor. */
    @Override
    long latestTreeSize();

    /** The address allowed to anchor in the configured registry. */
    @Override
    String anchorer();

    @Override
    void close();
}
