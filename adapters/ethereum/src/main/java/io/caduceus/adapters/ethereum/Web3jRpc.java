package io.caduceus.adapters.ethereum;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.Response;

/**
 * The one way Caduceus sends a JSON-RPC call through web3j: the client's deadline (see
 * {@link EthereumNodes#web3j(String, Duration)}) bounds the call, and the failure policy is the same everywhere. A call
 * that could not be delivered or answered in time (refused, reset, timed out) is retriable: the node may be back
 * later. An error the node answered is permanent: sending the same request again gets the same answer.
 */
public final class Web3jRpc {

    /** One web3j request, {@code () -> web3j.ethBlockNumber().send()}. */
    @FunctionalInterface
    public interface Call<T> {
        T send() throws IOException;
    }

    private final Web3j web3j;
    private final String rpcUrl;
    private final Duration timeout;

    public Web3jRpc(Web3j web3j, String rpcUrl, Duration timeout) {
        this.web3j = web3j;
        this.rpcUrl = rpcUrl;
        this.timeout = timeout;
    }

    /** A client with the endpoint's deadline on every call. */
    public static Web3jRpc open(EthereumEndpoint endpoint) {
        return open(endpoint.rpcUrl().toString(), endpoint.callTimeout());
    }

    /** The same, for callers that talk to a node before they know its chain id. */
    public static Web3jRpc open(String rpcUrl, Duration timeout) {
        return new Web3jRpc(EthereumNodes.web3j(rpcUrl, timeout), rpcUrl, timeout);
    }

    public Web3j web3j() {
        return web3j;
    }

    /** Sends the call; an error answer becomes a permanent {@link EthereumException}. */
    public <T extends Response<?>> T send(String method, Call<T> call) {
        return send(method, null, call);
    }

    /** As {@link #send(String, Call)}, the exception naming the transaction the call is about. */
    public <T extends Response<?>> T send(String method, String transactionHash, Call<T> call) {
        T response = sendAllowingError(method, transactionHash, call);
        if (response.hasError()) {
            throw new EthereumException(method + " rejected by " + rpcUrl + ": " + response.getError().getMessage(),
                    false, null, transactionHash);
        }
        return response;
    }

    /** Sends the call and hands back an error answer for the caller to read (a revert's reason, say). */
    public <T extends Response<?>> T sendAllowingError(String method, String transactionHash, Call<T> call) {
        try {
            return call.send();
        } catch (InterruptedIOException e) {
            throw new EthereumException(method + " to " + rpcUrl + " timed out after " + timeout, true, e,
                    transactionHash);
        } catch (IOException e) {
            throw new EthereumException(method + " to " + rpcUrl + " failed: " + e.getMessage(), true, e,
                    transactionHash);
        }
    }

    public void shutdown() {
        web3j.shutdown();
    }
}
