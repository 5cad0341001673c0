package io.caduceus.core.chain;

/**
 * The public {@code AnchorRegistry} as the anchorer uses it: publish a Merkle root for a tree size, read roots back.
 * Every call has a deadline; failures are {@link ChainException}s, retriable for I/O and timeouts, permanent for
 * refusals ({@link ChainException#refusal()} says which).
 *
 * <p>After a retriable failure of {@link #anchor}, the transaction may still be mined: compare
 * {@link #latestTreeSize()} before anchoring again (a duplicate anchor is refused with
 * {@link Refusal#TREE_SIZE_MUST_GROW}, so a blind retry is harmless but costs gas).
 */
public interface AnchorRegistry extends AutoCloseable {

    /** Why the registry refuses an anchor (its custom errors). */
    enum Refusal {
        /** The sender is not the registry's anchorer. */
        NOT_ANCHORER,
        /** The tree size is not larger than the latest anchored one. */
        TREE_SIZE_MUST_GROW,
        /** A zero root was proposed. */
        ZERO_ROOT
    }

    /**
     * Anchors {@code root} (32 bytes) for {@code treeSize} and waits for it to be mined; refused before it costs gas
     * where the registry would refuse it.
     *
     * @param fabricChannel the Fabric channel name, 1..32 UTF-8 bytes
     * @return the mined, successful transaction (block number and time are the anchor's public timestamp)
     */
    ChainReceipt anchor(long treeSize, byte[] root, String fabricChannel, long fabricBlockHeight);

    /** The root anchored for exactly {@code treeSize}; 32 zero bytes when none was. */
    byte[] rootAt(long treeSize);

    /** The largest anchored tree size, 0 before the first anchor. */
    long latestTreeSize();

    /** The address allowed to anchor in this registry. */
    String anchorer();

    @Override
    void close();
}
