package io.caduceus.adapters.ethereum;

import io.caduceus.core.chain.ChainReceipt;
import io.caduceus.core.chain.TransactionLookup;
import io.caduceus.core.hash.Digest;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/** The chain port's {@link TransactionLookup} over web3j, every call bounded by the endpoint's deadline. */
final class Web3jTransactionLookup implements TransactionLookup {

    private final Web3jRpc rpc;
    private final Web3j web3j;

    private Web3jTransactionLookup(Web3jRpc rpc) {
        this.rpc = rpc;
        this.web3j = rpc.web3j();
    }

    static Web3jTransactionLookup connect(EthereumEndpoint endpoint) {
        return new Web3jTransactionLookup(Web3jRpc.open(endpoint));
    }

    @Override
    public Optional<ChainReceipt> canonicalReceipt(String transactionHash) {
        Optional<TransactionReceipt> found = rpc.send("eth_getTransactionReceipt",
                () -> web3j.ethGetTransactionReceipt(transactionHash).send()).getTransactionReceipt();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        TransactionReceipt receipt = found.get();
        BigInteger number = receipt.getBlockNumber();
        EthBlock.Block block = rpc.send("eth_getBlockByNumber",
                () -> web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(number), false).send()).getBlock();
        // Some nodes answer a receipt from a block that has just been reorganised away; only the block now at that
        // height counts.
        if (block == null || !block.getHash().equalsIgnoreCase(receipt.getBlockHash())) {
            return Optional.empty();
        }
        return Optional.of(new EthereumReceipt(receipt.getTransactionHash(), number.longValueExact(),
                Instant.ofEpochSecond(block.getTimestamp().longValueExact()), receipt.getGasUsed().longValueExact(),
                receipt.isStatusOK()));
    }

    @Override
    public Optional<FoundAnchor> findAnchor(String contract, long treeSize) {
        EthFilter filter = new EthFilter(DefaultBlockParameterName.EARLIEST, DefaultBlockParameterName.LATEST, contract)
                .addSingleTopic(AnchorRegistryContract.ANCHORED_TOPIC)
                .addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(treeSize), 64));
        // web3j declares getLogs() with a raw element type; the wildcard view is all this method reads.
        @SuppressWarnings({"rawtypes", "unchecked"})
        List<EthLog.LogResult<?>> logs = (List) rpc.send("eth_getLogs", () -> web3j.ethGetLogs(filter).send()).getLogs();
        Optional<FoundAnchor> found = Optional.empty();
        for (EthLog.LogResult<?> result : logs) {
            if (result.get() instanceof Log log && !log.isRemoved()) {
                Optional<AnchoredEvent> event = AnchorRegistryContract.decodeAnchored(log);
                if (event.isPresent() && event.get().treeSize() == treeSize) {
                    found = Optional.of(new FoundAnchor(log.getTransactionHash(), Digest.of(event.get().root()),
                            event.get().fabricBlockHeight()));
                }
            }
        }
        return found;
    }

    @Override
    public boolean hasCode(String address) {
        String code = rpc.send("eth_getCode", () -> web3j.ethGetCode(address, DefaultBlockParameterName.LATEST).send())
                .getCode();
        return code != null && !code.isEmpty() && !code.equals("0x");
    }

    @Override
    public void close() {
        web3j.shutdown();
    }
}
