package io.caduceus.bridge.anchoring;

import io.caduceus.adapters.ethereum.AnchorRegistryClient;
import io.caduceus.adapters.ethereum.AnchorRegistryConfig;
import io.caduceus.adapters.ethereum.EthereumEndpoint;
import io.caduceus.adapters.ethereum.EthereumNode;
import io.caduceus.adapters.ethereum.EthereumNodes;
import io.caduceus.bridge.AnchorChain;
import io.caduceus.bridge.AnchorPolicy;
import io.caduceus.bridge.Anchorer;
import io.caduceus.bridge.AnchoringLog;
import io.caduceus.bridge.ReceiptSink;
import io.caduceus.bridge.TransactionLookup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;

/**
 * Connects the anchorer to the registry: the node, the anchoring key (decrypted once), the registry (configured, or
 * the devnet's through the {@link DevnetHook}), a check that the registry accepts this key, and the anchorer's state
 * for that chain and contract ({@code chains/<chain id>-<contract>/}): a different registry (a devnet restarted from
 * genesis) starts its own anchors, from the whole log, instead of mixing receipts.
 */
final class ChainConnector {

    private static final Logger LOG = LoggerFactory.getLogger(ChainConnector.class);

    /** One connection to the registry: closed and rebuilt after a permanent failure. */
    record Connected(EthereumNode node, AnchorRegistryClient registry, TransactionLookup lookup,
                     Anchorer anchorer, String contract, String anchorerAddress) implements AutoCloseable {
        @Override
        public void close() {
            registry.close();
            lookup.close();
            node.close();
        }
    }

    private final AnchorSettings settings;
    private final Optional<DevnetHook> devnet;
    /** Decrypted once: a standard-strength keystore costs a second and 256 MB to open. Tick thread only. */
    private Credentials key;

    ChainConnector(AnchorSettings settings, Optional<DevnetHook> devnet) {
        this.settings = settings;
        this.devnet = devnet;
    }

    /** @throws RuntimeException whatever stopped the connection; nothing is left open */
    Connected connect(AnchoringLog log, ReceiptSink sink) {
        EthereumEndpoint endpoint = new EthereumEndpoint(settings.rpcUrl(), settings.chainId(), settings.rpcTimeout());
        EthereumNode node = null;
        AnchorRegistryClient registry = null;
        TransactionLookup lookup = null;
        try {
            node = EthereumNodes.connect(endpoint);
            if (key == null) {
                devnet.ifPresent(d -> d.ensureKey(settings));
                key = AnchorKeys.load(settings.keystoreFile(), settings.passwordFile());
            }
            devnet.ifPresent(d -> d.ensureFunded(settings, key.getAddress()));
            AnchorRegistryConfig config = new AnchorRegistryConfig(endpoint, null, settings.gasLimit(),
                    settings.deployGasLimit(), settings.receiptTimeout(), Duration.ofMillis(250));
            String contract;
            if (settings.contract().isPresent()) {
                contract = settings.contract().get();
            } else if (devnet.isPresent()) {
                contract = devnet.get().ensureRegistry(settings, config, key);
            } else {
                throw new AnchorSetupException("caduceus.anchor.contract is empty (only caduceus.anchor.devnet-bootstrap "
                        + "deploys a registry of its own)");
            }
            registry = AnchorRegistryClient.connect(config.withContractAddress(contract), key);
            String allowed = registry.anchorer();
            if (!allowed.equalsIgnoreCase(key.getAddress())) {
                throw new AnchorSetupException("the registry " + contract + " accepts anchors from " + allowed
                        + " only, not from the key in " + settings.keystoreFile() + " (" + key.getAddress() + ")");
            }
            lookup = TransactionLookup.connect(endpoint);
            AnchorChain anchorChain = new AnchorChain(settings.chainId(), contract, registry, lookup);
            Path state = settings.directory().resolve("chains")
                    .resolve(settings.chainId() + "-" + anchorChain.contractAddress());
            Anchorer anchorer = Anchorer.open(state, log, new AnchorPolicy(settings.maxEntries(), settings.maxInterval(),
                    settings.confirmations(), settings.fabricChannel()), anchorChain, sink);
            LOG.info("anchoring to registry {} on chain {} as {}", contract, settings.chainId(), key.getAddress());
            return new Connected(node, registry, lookup, anchorer, anchorChain.contractAddress(), key.getAddress());
        } catch (RuntimeException e) {
            closeQuietly(registry, lookup, node);
            throw e;
        }
    }

    static void closeQuietly(AutoCloseable... closeables) {
        for (AutoCloseable c : closeables) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.debug("closing failed: {}", e.getClass().getSimpleName());
                }
            }
        }
    }
}
