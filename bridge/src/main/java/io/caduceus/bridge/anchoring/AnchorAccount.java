package io.caduceus.bridge.anchoring;

import io.caduceus.adapters.ethereum.Web3jRpc;
import io.caduceus.core.domain.AnchorReceipt;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Optional;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthGetBalance;
import org.web3j.protocol.core.methods.response.EthGetTransactionReceipt;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * What anchoring costs and what the anchoring key has left: its balance, and the gas and wei the last confirmed anchor
 * took (gas used times the price it paid). Balance over cost is how many anchors the key can still pay for, which the
 * alert on the key's balance watches. Asked of the node by the metrics refresher, never on the anchoring tick.
 */
final class AnchorAccount implements AutoCloseable {

    private record Cost(String transactionHash, long gasUsed, BigInteger costWei) {
    }

    private final String rpcUrl;
    private final Duration timeout;
    private Web3jRpc rpc;
    private volatile Cost lastCost;

    AnchorAccount(String rpcUrl, Duration timeout) {
        this.rpcUrl = rpcUrl;
        this.timeout = timeout;
    }

    synchronized BigInteger balanceWei(String address) {
        EthGetBalance balance = node().send("eth_getBalance",
                () -> node().web3j().ethGetBalance(address, DefaultBlockParameterName.LATEST).send());
        return balance.getBalance();
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
        EthGetTransactionReceipt answer = node().send("eth_getTransactionReceipt", hash,
                () -> node().web3j().ethGetTransactionReceipt(hash).send());
        Optional<TransactionReceipt> found = answer.getTransactionReceipt();
        if (found.isEmpty()) {
            return known;
        }
        TransactionReceipt tx = found.get();
        BigInteger gas = tx.getGasUsed();
        BigInteger price = tx.getEffectiveGasPrice() == null ? BigInteger.ZERO
                : Numeric.decodeQuantity(tx.getEffectiveGasPrice());
        lastCost = new Cost(hash, gas.longValueExact(), gas.multiply(price));
        return lastCost;
    }

    private Web3jRpc node() {
        if (rpc == null) {
            rpc = Web3jRpc.open(rpcUrl, timeout);
        }
        return rpc;
    }

    @Override
    public synchronized void close() {
        if (rpc != null) {
            rpc.shutdown();
            rpc = null;
        }
    }
}
