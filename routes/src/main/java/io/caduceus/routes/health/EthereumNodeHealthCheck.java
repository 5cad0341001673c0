package io.caduceus.routes.health;

import io.caduceus.adapters.ethereum.EthereumEndpoint;
import io.caduceus.adapters.ethereum.EthereumException;
import io.caduceus.adapters.ethereum.EthereumNode;
import io.caduceus.adapters.ethereum.EthereumNodes;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Ready when the configured Ethereum node answers and is on the configured chain. */
final class EthereumNodeHealthCheck extends AbstractHealthCheck {

    EthereumNodeHealthCheck() {
        super("caduceus", "ethereum");
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        EthereumEndpoint endpoint = new EthereumEndpoint(
                URI.create(getCamelContext().resolvePropertyPlaceholders("{{ethereum.rpc.url}}")),
                Long.parseLong(getCamelContext().resolvePropertyPlaceholders("{{ethereum.chain.id}}")),
                Duration.ofSeconds(3));
        builder.detail("rpc.url", endpoint.rpcUrl().toString());
        builder.detail("chain.id", endpoint.chainId());
        try (EthereumNode node = EthereumNodes.connect(endpoint)) {
            builder.detail("block", node.blockNumber());
            builder.up();
        } catch (EthereumException e) {
            builder.message(e.getMessage()).down();
        }
    }
}
