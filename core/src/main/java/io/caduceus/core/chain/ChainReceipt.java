package io.caduceus.core.chain;

import java.time.Instant;

/**
 * What anchoring needs of a mined transaction: the anchor's time comes from here (the block), not from the registry,
 * which stores no time to keep each anchor cheap.
 */
public interface ChainReceipt {

    /** {@code 0x} and 64 hex digits. */
    String transactionHash();

    /** The block that includes the transaction. */
    long blockNumber();

    /** That block's timestamp. */
    Instant blockTimestamp();

    /** Gas used by this transaction. */
    long gasUsed();

    /** Receipt status 1. */
    boolean succeeded();
}
