package io.caduceus.adapters.ethereum;

import io.caduceus.core.chain.ChainAccounts;
import java.math.BigInteger;
import java.util.Optional;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/** The chain port's {@link ChainAccounts} over web3j: {@code eth_getBalance} and a receipt's gas and price. */
final class Web3jChainAccounts implements ChainAccounts {

    private final Web3jRpc rpc;

    Web3jChainAccounts(Web3jRpc rpc) {
        this.rpc = rpc;
    }

    @Override
    public BigInteger balanceWei(String address) {
        return rpc.send("eth_getBalance",
                () -> rpc.web3j().ethGetBalance(address, DefaultBlockParameterName.LATEST).send()).getBalance();
    }

    @Override
    public Optional<TransactionCost> cost(String transactionHash) {
        Optional<TransactionReceipt> found = rpc.send("eth_getTransactionReceipt", transactionHash,
                () -> rpc.web3j().ethGetTransactionReceipt(transactionHash).send()).getTransactionReceipt();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        TransactionReceipt tx = found.get();
        BigInteger gas = tx.getGasUsed();
        // Nodes before London answer no effective price: the cost is then unknown, shown as zero.
        BigInteger price = tx.getEffectiveGasPrice() == null ? BigInteger.ZERO
                : Numeric.decodeQuantity(tx.getEffectiveGasPrice());
        return Optional.of(new TransactionCost(gas.longValueExact(), gas.multiply(price)));
    }

    @Override
    public void close() {
        rpc.shutdown();
    }
}
