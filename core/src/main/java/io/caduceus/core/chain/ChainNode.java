package io.caduceus.core.chain;

/** A connection to a node of the chain, checked to be on the expected chain when it was opened. */
public interface ChainNode extends AutoCloseable {

    /** The latest block number. */
    long blockNumber();

    @Override
    void close();
}
