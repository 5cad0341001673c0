package io.caduceus.verifier;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthBlockNumber;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthChainId;
import org.web3j.protocol.core.methods.response.EthGetTransactionReceipt;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * The five read-only JSON-RPC calls the verifier needs, each with a deadline. Built on web3j's request and response
 * types rather than its {@code Web3j} facade, which starts a thread pool per client that a one-shot audit (or a test
 * running thousands of them) does not want.
 */
final class EthereumRpc implements AutoCloseable {

    /** The endpoint could not be asked (refused, reset, timed out, not JSON-RPC): nothing can be concluded. */
    static final class Unreachable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The endpoint answered with a JSON-RPC error. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }

        /** An EVM revert, as opposed to the node declining the request. */
        boolean isRevert() {
            String message = getMessage() == null ? "" : getMessage().toLowerCase(java.util.Locale.ROOT);
            return message.contains("revert");
        }
    }

    private final String url;
    private final OkHttpClient http;
    private final HttpService service;

    EthereumRpc(String rpcUrl, Duration timeout) {
        URI uri = URI.create(rpcUrl);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("the RPC URL must be http:// or https:// with a host, got " + rpcUrl);
        }
        this.url = rpcUrl;
        long millis = timeout.toMillis();
        this.http = new OkHttpClient.Builder()
                .connectTimeout(millis, TimeUnit.MILLISECONDS)
                .readTimeout(millis, TimeUnit.MILLISECONDS)
                .writeTimeout(millis, TimeUnit.MILLISECONDS)
                .callTimeout(millis, TimeUnit.MILLISECONDS)
                .retryOnConnectionFailure(false)
                .build();
        this.service = new HttpService(rpcUrl, http);
    }

    long chainId() throws Unreachable, Refused {
        EthChainId response = send("eth_chainId", List.of(), EthChainId.class);
        return decode("eth_chainId", () -> response.getChainId().longValueExact());
    }

    long blockNumber() throws Unreachable, Refused {
        EthBlockNumber response = send("eth_blockNumber", List.of(), EthBlockNumber.class);
        return decode("eth_blockNumber", () -> response.getBlockNumber().longValueExact());
    }

    /** {@code eth_call} at the latest block; returns the raw {@code 0x...} result. */
    String call(String to, String data) throws Unreachable, Refused {
        Map<String, String> tx = new LinkedHashMap<>();
        tx.put("to", to);
        tx.put("data", data);
        String value = send("eth_call", List.of(tx, "latest"), EthCall.class).getValue();
        return value == null ? "0x" : value;
    }

    /** The receipt, or empty when the node knows no mined transaction of that hash. */
    Optional<TransactionReceipt> receipt(String transactionHash) throws Unreachable, Refused {
        return send("eth_getTransactionReceipt", List.of(transactionHash), EthGetTransactionReceipt.class)
                .getTransactionReceipt();
    }

    /** The block header (without transactions), or empty when the node has no such block. */
    Optional<EthBlock.Block> block(long number) throws Unreachable, Refused {
        return Optional.ofNullable(send("eth_getBlockByNumber",
                List.of(Numeric.encodeQuantity(BigInteger.valueOf(number)), false), EthBlock.class).getBlock());
    }

    String url() {
        return url;
    }

    private <T extends Response<?>> T send(String method, List<?> params, Class<T> type) throws Unreachable, Refused {
        T response;
        try {
            response = new Request<>(method, params, service, type).send();
        } catch (IOException | RuntimeException e) {
            // I/O, deadline, HTTP error status, or an answer that is not JSON-RPC: the endpoint said nothing usable.
            throw new Unreachable(method + " to " + url + " failed: " + describe(e), e);
        }
        if (response == null) {
            throw new Unreachable(method + " to " + url + " returned nothing", null);
        }
        if (response.hasError()) {
            throw new Refused(method + " refused by " + url + ": " + response.getError().getMessage());
        }
        if (response.getResult() == null && !method.equals("eth_getTransactionReceipt")
                && !method.equals("eth_getBlockByNumber")) {
            throw new Unreachable(method + " to " + url + " returned no result", null);
        }
        return response;
    }

    /** A result that is not the quantity it should be is as useless as no answer. */
    private <V> V decode(String method, java.util.function.Supplier<V> decoder) throws Unreachable {
        try {
            return decoder.get();
        } catch (RuntimeException e) {
            throw new Unreachable(method + " to " + url + " returned a malformed result: " + describe(e), e);
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
