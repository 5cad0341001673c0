package io.caduceus.adapters.ethereum;

import java.math.BigInteger;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/** Opens {@link EthereumNode}s. */
public final class EthereumNodes {

    private EthereumNodes() {
    }

    /**
     * Connects and verifies the chain id.
     *
     * @throws EthereumException retriable when the node cannot be reached in time; permanent when it is on another
     *                           chain than {@link EthereumEndpoint#chainId()}
     */
    public static EthereumNode connect(EthereumEndpoint endpoint) {
        Web3jNode node = new Web3jNode(web3j(endpoint), endpoint);
        try {
            long actual = node.chainId();
            if (actual != endpoint.chainId()) {
                throw new EthereumException("node at " + endpoint.rpcUrl() + " is on chain " + actual
                        + ", expected " + endpoint.chainId(), false, null);
            }
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /**
     * A web3j client whose every RPC call has the endpoint's deadline (connect, write, read and the whole call), so
     * a hung node turns into a retriable failure instead of a stuck caller.
     */
    public static Web3j web3j(EthereumEndpoint endpoint) {
        return web3j(endpoint.rpcUrl().toString(), endpoint.callTimeout());
    }

    /** The same, for callers that talk to a node before they know its chain id. */
    public static Web3j web3j(String rpcUrl, java.time.Duration callTimeout) {
        long millis = callTimeout.toMillis();
        OkHttpClient http = new OkHttpClient.Builder()
                .connectTimeout(millis, TimeUnit.MILLISECONDS)
                .readTimeout(millis, TimeUnit.MILLISECONDS)
                .writeTimeout(millis, TimeUnit.MILLISECONDS)
                .callTimeout(millis, TimeUnit.MILLISECONDS)
                .build();
        return Web3j.build(new HttpService(rpcUrl, http));
    }

    static final class Web3jNode implements EthereumNode {
        private final Web3jRpc rpc;

        Web3jNode(Web3j web3j, EthereumEndpoint endpoint) {
            this.rpc = new Web3jRpc(web3j, endpoint.rpcUrl().toString(), endpoint.callTimeout());
        }

        @Override
        public long chainId() {
            return rpc.send("eth_chainId", () -> rpc.web3j().ethChainId().send()).getChainId().longValueExact();
        }

        @Override
        public long blockNumber() {
            BigInteger number = rpc.send("eth_blockNumber", () -> rpc.web3j().ethBlockNumber().send()).getBlockNumber();
            return number.longValueExact();
        }

        @Override
        public void close() {
            rpc.shutdown();
        }
    }
}
