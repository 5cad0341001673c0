package io.caduceus.adapters.ethereum;

import io.caduceus.core.chain.ChainReceipt;
import java.time.Instant;
import java.util.Objects;

/**
 * What an auditor needs of a mined transaction: the anchor's time comes from here (the block), not from the
 * contract, which stores no time to keep each anchor cheap.
 *
 * @param transactionHash {@code 0x} and 64 hex digits
 * @param blockNumber     the block that includes the transaction
 * @param blockTimestamp  that block's timestamp
 * @param gasUsed         gas used by this transaction
 * @param succeeded       receipt status 1; a client returns only successful receipts and throws otherwise
 */
public record EthereumReceipt(String transactionHash, long blockNumber, Instant blockTimestamp, long gasUsed,
                              boolean succeeded) implements ChainReceipt {

    public EthereumReceipt {
        Objects.requireNonNull(transactionHash, "transactionHash");
        Objects.requireNonNull(blockTimestamp, "blockTimestamp");
    }
}
