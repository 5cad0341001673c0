package io.caduceus.core.chain;

import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;

/** What anchoring costs, read from the node: an account's balance and what a mined transaction paid. */
public interface ChainAccounts extends AutoCloseable {

    /** The balance of {@code address} at the latest block, in wei. */
    BigInteger balanceWei(String address);

    /** Gas used by a mined transaction and what it paid (gas used times its effective price); empty if unknown. */
    Optional<TransactionCost> cost(String transactionHash);

    record TransactionCost(long gasUsed, BigInteger costWei) {
        public TransactionCost {
            Objects.requireNonNull(costWei, "costWei");
        }
    }

    @Override
    void close();
}
