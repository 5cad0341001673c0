package io.caduceus.adapters.ethereum;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to reach an Ethereum JSON-RPC node.
 *
 * @param rpcUrl      HTTP(S) JSON-RPC endpoint, e.g. {@code http://127.0.0.1:8545}
 * @param chainId     the chain the deployment expects; a node on any other chain is refused, so a root is never
 *                    anchored on the wrong network by a configuration slip
 * @param callTimeout deadline of every single RPC call (connect, write and read)
 */
public record EthereumEndpoint(URI rpcUrl, long chainId, Duration callTimeout) {

    public EthereumEndpoint {
        Objects.requireNonNull(rpcUrl, "rpcUrl");
        Objects.requireNonNull(callTimeout, "callTimeout");
        String scheme = rpcUrl.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("Ethereum RPC URL must be http or https: " + rpcUrl);
        }
        if (chainId <= 0) {
            throw new IllegalArgumentException("chain id must be positive, got " + chainId);
        }
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("call timeout must be positive, got " + callTimeout);
        }
    }
}
