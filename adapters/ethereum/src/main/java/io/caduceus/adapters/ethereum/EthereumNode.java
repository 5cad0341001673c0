package io.caduceus.adapters.ethereum;

import io.caduceus.core.chain.ChainNode;

/** A connection to one Ethereum node, checked to be on the expected chain. */
public interface EthereumNode extends ChainNode {

    /** The chain id reported by the node ({@code eth_chainId}). */
    long chainId();

    /** The latest block number ({@code eth_blockNumber}). */
    @Override
    long blockNumber();

    @Override
    void close();
}
