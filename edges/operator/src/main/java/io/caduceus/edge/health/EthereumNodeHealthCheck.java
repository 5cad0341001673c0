package io.caduceus.edge.health;

import io.caduceus.adapters.ethereum.EthereumEndpoint;
import io.caduceus.adapters.ethereum.EthereumException;
import io.caduceus.adapters.ethereum.EthereumNode;
import io.caduceus.adapters.ethereum.EthereumNodes;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** Ready when the configured Ethereum node answers and is on the configured chain. Registered when anchoring is on. */
final class EthereumNodeHealthCheck extends BoundedHealthCheck {

    EthereumNodeHealthCheck() {
        super("ethereum");
    }

    @Override
    protected Finding probe() {
        EthereumEndpoint endpoint = new EthereumEndpoint(
                URI.create(getCamelContext().resolvePropertyPlaceholders("{{ethereum.rpc.url}}")),
                Long.parseLong(getCamelContext().resolvePropertyPlaceholders("{{ethereum.chain.id}}")),
                Duration.ofSeconds(3));
        Map<String, Object> details = details("rpc.url", endpoint.rpcUrl().toString(), "chain.id", endpoint.chainId());
        try (EthereumNode node = EthereumNodes.connect(endpoint)) {
            details.put("block", node.blockNumber());
            return Finding.up(details);
        } catch (EthereumException e) {
            return Finding.down(e.getMessage(), details);
        }
    }
}
