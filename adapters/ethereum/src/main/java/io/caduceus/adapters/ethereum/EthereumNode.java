package io.caduceus.adapters.ethereum;

/** A connection to one Ethereum node, checked to be on the expected chain. */
public interface EthereumNode extends AutoCloseable {

    /** The chain id reported by the node ({@code eth_chainId}). */
    long chainId();

    /** The latest block number ({@code eth_blockNumber}). */
    long blockNumber();

    @Override
    void close();
}
