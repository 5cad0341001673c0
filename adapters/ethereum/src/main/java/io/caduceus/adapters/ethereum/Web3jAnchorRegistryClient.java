package io.caduceus.adapters.ethereum;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.RawTransactionManager;

/**
 * {@link AnchorRegistryClient} on web3j: legacy transactions signed locally by a {@link RawTransactionManager} bound
 * to the configured chain id (EIP-155, so a signed anchor cannot be replayed on another chain), explicit gas
 * limits, and the endpoint's OkHttp deadline on every RPC call. Receipts are polled by this class, with its own
 * deadline, so a lost transaction surfaces as a retriable failure that carries the transaction hash.
 */
final class Web3jAnchorRegistryClient implements AnchorRegistryClient {

    private static final System.Logger LOG = System.getLogger(Web3jAnchorRegistryClient.class.getName());

    private final Web3j web3j;
    private final Web3jRpc rpc;
    private final AnchorRegistryConfig config;
    private final String signerAddress;
    private final RawTransactionManager transactions;

    Web3jAnchorRegistryClient(Web3j web3j, AnchorRegistryConfig config, Credentials signer) {
        this.web3j = web3j;
        this.rpc = new Web3jRpc(web3j, config.endpoint().rpcUrl().toString(), config.endpoint().callTimeout());
        this.config = config;
        this.signerAddress = signer.getAddress();
        this.transactions = new RawTransactionManager(web3j, signer, config.endpoint().chainId());
    }

    static Web3jAnchorRegistryClient connect(AnchorRegistryConfig config, Credentials signer) {
        Web3j web3j = EthereumNodes.web3j(config.endpoint());
        Web3jAnchorRegistryClient client = new Web3jAnchorRegistryClient(web3j, config, signer);
        try {
            client.checkChain();
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    void checkChain() {
        long actual = rpc.send("eth_chainId", null, () -> web3j.ethChainId().send()).getChainId().longValueExact();
        if (actual != config.endpoint().chainId()) {
            throw new EthereumException("node at " + config.endpoint().rpcUrl() + " is on chain " + actual
                    + ", expected " + config.endpoint().chainId(), false, null);
        }
    }

    @Override
    public String signerAddress() {
        return signerAddress;
    }

    @Override
    public AnchorRegistryDeployment deploy(String anchorer) {
        String data = AnchorRegistryContract.deployData(anchorer);
        Sent sent = send("deploy AnchorRegistry", "", data, config.deployGasLimit());
        TransactionReceipt receipt = awaitSuccess("deploy AnchorRegistry", sent);
        String address = receipt.getContractAddress();
        if (address == null) {
            throw new EthereumException("deployment mined without a contract address", false, null, sent.hash);
        }
        LOG.log(System.Logger.Level.INFO, "AnchorRegistry deployed at " + address + " (anchorer " + anchorer
                + ") in block " + receipt.getBlockNumber() + ", transaction " + sent.hash);
        return new AnchorRegistryDeployment(address, anchorer, toReceipt(receipt));
    }

    @Override
    public EthereumReceipt anchor(long treeSize, byte[] root, String fabricChannel, long fabricBlockHeight) {
        String context = "anchor(treeSize=" + treeSize + ")";
        String data = AnchorRegistryContract.encodeAnchor(treeSize, root, fabricChannel, fabricBlockHeight);
        String contract = contract();
        // Dry run first: a refusal (not anchorer, size not growing, zero root) then costs nothing.
        ethCall(context, contract, data, DefaultBlockParameterName.PENDING);
        Sent sent = send(context, contract, data, config.anchorGasLimit());
        TransactionReceipt receipt = awaitSuccess(context, sent);
        if (AnchorRegistryContract.anchoredEvents(receipt, contract).size() != 1) {
            throw new EthereumException(context + " mined without exactly one Anchored event of " + contract,
                    false, null, sent.hash);
        }
        EthereumReceipt result = toReceipt(receipt);
        LOG.log(System.Logger.Level.INFO, "anchored tree size " + treeSize + " in " + contract + ", block "
                + result.blockNumber() + ", gas " + result.gasUsed() + ", transaction " + sent.hash);
        return result;
    }

    @Override
    public byte[] rootAt(long treeSize) {
        return AnchorRegistryContract.decodeRootAt(view(AnchorRegistryContract.rootAtFunction(treeSize)));
    }

    @Override
    public long latestTreeSize() {
        return AnchorRegistryContract.decodeLatestTreeSize(view(AnchorRegistryContract.latestTreeSizeFunction()));
    }

    @Override
    public String anchorer() {
        return AnchorRegistryContract.decodeAnchorer(view(AnchorRegistryContract.anchorerFunction()));
    }

    @Override
    public void close() {
        web3j.shutdown();
    }

    // ---- calls ----------------------------------------------------------------------------------------------------

    private String contract() {
        String contract = config.contractAddress();
        if (contract == null) {
            throw new IllegalStateException("no AnchorRegistry address configured (AnchorRegistryConfig.contractAddress)");
        }
        return contract;
    }

    private String view(Function function) {
        return ethCall(function.getName() + "()", contract(), FunctionEncoder.encode(function),
                DefaultBlockParameterName.LATEST);
    }

    private String ethCall(String context, String to, String data, DefaultBlockParameter block) {
        EthCall response = rpc.sendAllowingError("eth_call", null,
                () -> web3j.ethCall(Transaction.createEthCallTransaction(signerAddress, to, data), block).send());
        if (response.hasError()) {
            throw rejected(context, response.getError(), null);
        }
        return response.getValue();
    }

    // ---- transactions ---------------------------------------------------------------------------------------------

    private record Sent(String hash, String to, String data, long gasLimit) {
    }

    /**
     * Signs locally and then sends, so the transaction hash is known before anything leaves this process: a send
     * that times out still reports the hash of a transaction the node may have accepted.
     */
    private Sent send(String context, String to, String data, long gasLimit) {
        BigInteger gasPrice = rpc.send("eth_gasPrice", null, () -> web3j.ethGasPrice().send()).getGasPrice();
        BigInteger nonce = rpc.send("eth_getTransactionCount", null, () -> web3j.ethGetTransactionCount(signerAddress,
                DefaultBlockParameterName.PENDING).send()).getTransactionCount();
        RawTransaction raw = RawTransaction.createTransaction(nonce, gasPrice, BigInteger.valueOf(gasLimit), to,
                BigInteger.ZERO, data);
        String signed = transactions.sign(raw);
        String hash = Hash.sha3(signed);
        EthSendTransaction sent = rpc.sendAllowingError("eth_sendRawTransaction", hash,
                () -> web3j.ethSendRawTransaction(signed).send());
        if (sent.hasError()) {
            throw rejected(context, sent.getError(), hash);
        }
        if (sent.getTransactionHash() != null && !hash.equalsIgnoreCase(sent.getTransactionHash())) {
            throw new EthereumException(context + ": node answered transaction hash " + sent.getTransactionHash()
                    + " for a transaction signed as " + hash, false, null, hash);
        }
        return new Sent(hash, to, data, gasLimit);
    }

    /** Polls for the receipt until the configured deadline; a failed receipt becomes a (decoded) revert. */
    private TransactionReceipt awaitSuccess(String context, Sent sent) {
        TransactionReceipt receipt = awaitReceipt(context, sent.hash);
        if (receipt.isStatusOK()) {
            return receipt;
        }
        if (receipt.getGasUsed() != null && receipt.getGasUsed().longValue() >= sent.gasLimit) {
            throw new AnchorRegistryRevertException(context + " ran out of gas (limit " + sent.gasLimit + ")", null,
                    List.of(), null, sent.hash);
        }
        // The receipt has no revert data: replay the call on the state the transaction saw to recover it.
        BigInteger block = receipt.getBlockNumber();
        DefaultBlockParameter before = DefaultBlockParameter.valueOf(block.subtract(BigInteger.ONE).max(BigInteger.ZERO));
        try {
            ethCall(context, sent.to, sent.data, before);
        } catch (AnchorRegistryRevertException e) {
            throw AnchorRegistryContract.revert(context, e.revertData().orElse(null), sent.hash);
        } catch (EthereumException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot replay failed transaction " + sent.hash, e);
        }
        throw AnchorRegistryContract.revert(context, null, sent.hash);
    }

    private TransactionReceipt awaitReceipt(String context, String hash) {
        long deadline = System.nanoTime() + config.receiptTimeout().toNanos();
        EthereumException lastFailure = null;
        while (true) {
            try {
                Optional<TransactionReceipt> receipt = rpc.send("eth_getTransactionReceipt", hash,
                        () -> web3j.ethGetTransactionReceipt(hash).send()).getTransactionReceipt();
                if (receipt.isPresent()) {
                    return receipt.get();
                }
            } catch (EthereumException e) {
                if (!e.isRetriable()) {
                    throw e;
                }
                lastFailure = e; // the node may come back before the deadline
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new EthereumException(context + ": no receipt within " + config.receiptTimeout()
                        + "; the transaction may still be mined", true, lastFailure, hash);
            }
            try {
                Thread.sleep(config.pollInterval().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EthereumException(context + ": interrupted while waiting for the receipt", true, e, hash);
            }
        }
    }

    private EthereumReceipt toReceipt(TransactionReceipt receipt) {
        BigInteger number = receipt.getBlockNumber();
        EthBlock.Block block = rpc.send("eth_getBlockByNumber", receipt.getTransactionHash(),
                () -> web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(number), false).send()).getBlock();
        if (block == null) {
            // Reorganised away between the receipt and this call: the caller should look again.
            throw new EthereumException("block " + number + " of the receipt is gone", true, null,
                    receipt.getTransactionHash());
        }
        return new EthereumReceipt(receipt.getTransactionHash(), number.longValueExact(),
                Instant.ofEpochSecond(block.getTimestamp().longValueExact()), receipt.getGasUsed().longValueExact(),
                receipt.isStatusOK());
    }

    // ---- failure policy -------------------------------------------------------------------------------------------

    /**
     * A JSON-RPC error answer: a revert (with the custom error decoded when the node returned its data) is
     * permanent; any other refusal by the node (bad nonce, underpriced, insufficient funds) is permanent too,
     * since sending the same bytes again cannot help.
     */
    static EthereumException rejected(String context, Response.Error error, String transactionHash) {
        String data = AnchorRegistryContract.revertData(error.getData());
        String hash = transactionHash != null ? transactionHash : txHashIn(error.getData());
        if (data != null || isRevertMessage(error)) {
            return AnchorRegistryContract.revert(context, data, hash);
        }
        return new EthereumException(context + " rejected by the node: " + error.getMessage(), false, null, hash);
    }

    private static boolean isRevertMessage(Response.Error error) {
        String message = error.getMessage() == null ? "" : error.getMessage().toLowerCase(Locale.ROOT);
        return error.getCode() == 3 || message.contains("revert");
    }

    private static String txHashIn(String errorData) {
        JsonNode node = AnchorRegistryContract.parseErrorData(errorData);
        if (node != null && node.isObject() && node.path("txHash").isTextual()) {
            String hash = node.get("txHash").asText();
            return hash.matches("0x[0-9a-fA-F]{64}") ? hash : null;
        }
        return null;
    }
}
