package io.caduceus.core.chain;

import io.caduceus.core.hash.Digest;
import java.util.Optional;

/**
 * Reads transactions back from the chain, which {@link AnchorRegistry} does not do: confirming an anchor means looking
 * its transaction up again after more blocks, and a reorg may have removed it. Every call has a deadline; failures are
 * {@link ChainException}s, retriable for I/O and timeouts.
 */
public interface TransactionLookup extends AutoCloseable {

    /**
     * The receipt of {@code transactionHash} if the transaction is in a block of the current canonical chain, empty
     * if it is not (never mined, dropped, or its block was reorganised away).
     */
    Optional<ChainReceipt> canonicalReceipt(String transactionHash);

    /**
     * The {@code Anchored} event of {@code contract} for this tree size in the canonical chain, if the node finds
     * one: recovers an anchor sent but never recorded (a crash or a receipt timeout after sending).
     */
    Optional<FoundAnchor> findAnchor(String contract, long treeSize);

    /**
     * Whether the chain holds contract code at {@code address} now: a chain restarted from genesis (or a registry
     * never deployed there) has none, and every anchor in it is gone.
     */
    boolean hasCode(String address);

    /** An anchor found on chain by its event. */
    record FoundAnchor(String transactionHash, Digest root, long fabricBlockHeight) {
    }

    @Override
    void close();
}
