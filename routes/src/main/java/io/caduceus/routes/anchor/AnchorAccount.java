package io.caduceus.routes.anchor;

import io.caduceus.adapters.ethereum.EthereumNodes;
import io.caduceus.core.domain.AnchorReceipt;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Optional;
import org.web3j.protocol.Web3j;
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
    private Web3j web3j;
    private volatile Cost lastCost;

    AnchorAccount(String rpcUrl, Duration timeout) {
        this.rpcUrl = rpcUrl;
        this.timeout = timeout;
    }

    synchronized BigInteger balanceWei(String address) {
        EthGetBalance balance = send(() -> node().ethGetBalance(address, DefaultBlockParameterName.LATEST).send());
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
        EthGetTransactionReceipt answer = send(() -> node().ethGetTransactionReceipt(hash).send());
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

    private Web3j node() {
        if (web3j == null) {
            web3j = EthereumNodes.web3j(rpcUrl, timeout);
        }
        return web3j;
    }

    private interface Call<T extends org.web3j.protocol.core.Response<?>> {
        T send() throws IOException;
    }

    private static <T extends org.web3j.protocol.core.Response<?>> T send(Call<T> call) {
        T response;
        try {
            response = call.send();
        } catch (IOException e) {
            throw new IllegalStateException("the Ethereum node did not answer", e);
        }
        if (response.hasError()) {
            throw new IllegalStateException("the Ethereum node refused: " + response.getError().getMessage());
        }
        return response;
    }

    @Override
    public synchronized void close() {
        if (web3j != null) {
            web3j.shutdown();
            web3j = null;
        }
    }
}
