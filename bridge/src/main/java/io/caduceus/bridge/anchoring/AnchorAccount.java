package io.caduceus.bridge.anchoring;

import io.caduceus.core.chain.AnchoringChain;
import io.caduceus.core.chain.ChainAccounts;
import io.caduceus.core.domain.AnchorReceipt;
import java.math.BigInteger;
import java.util.Optional;

/**
 * What anchoring costs and what the anchoring key has left: its balance, and the gas and wei the last confirmed anchor
 * took (gas used times the price it paid). Balance over cost is how many anchors the key can still pay for, which the
 * alert on the key's balance watches. Asked of the node by the metrics refresher, never on the anchoring tick.
 */
final class AnchorAccount implements AutoCloseable {

    private record Cost(String transactionHash, long gasUsed, BigInteger costWei) {
    }

    private final AnchoringChain chain;
    private ChainAccounts accounts;
    private volatile Cost lastCost;

    AnchorAccount(AnchoringChain chain) {
        this.chain = chain;
    }

    synchronized BigInteger balanceWei(String address) {
        return node().balanceWei(address);
    }

    /** Gas used by the anchor transaction of {@code receipt}; asked once per transaction. */
    Long gasUsed(Optional<AnchorReceipt> receipt) {
        Cost cost = cost(receipt);
        return cost == null ? null : cost.gasUsed();
    }

    BigInteger costWei(Optional<AnchorReceipt> receipt) {
        Cost cost = cost(receipt);
        return cost == null ? null : cost.costWei();
    }

    private synchronized Cost cost(Optional<AnchorReceipt> receipt) {
        if (receipt.isEmpty()) {
            return null;
        }
        String hash = receipt.get().transactionHash();
        Cost known = lastCost;
        if (known != null && known.transactionHash().equals(hash)) {
            return known;
        }
        Optional<ChainAccounts.TransactionCost> found = node().cost(hash);
        if (found.isEmpty()) {
            return known;
        }
        lastCost = new Cost(hash, found.get().gasUsed(), found.get().costWei());
        return lastCost;
    }

    private ChainAccounts node() {
        if (accounts == null) {
            accounts = chain.accounts();
        }
        return accounts;
    }

    @Override
    public synchronized void close() {
        if (accounts != null) {
            accounts.close();
            accounts = null;
        }
    }
}
