package io.caduceus.bridge.anchoring;

import io.caduceus.bridge.AnchorChain;
import io.caduceus.bridge.AnchorPolicy;
import io.caduceus.bridge.Anchorer;
import io.caduceus.bridge.AnchoringLog;
import io.caduceus.bridge.ReceiptSink;
import io.caduceus.core.chain.AnchorRegistry;
import io.caduceus.core.chain.AnchoringChain;
import io.caduceus.core.chain.ChainNode;
import io.caduceus.core.chain.TransactionLookup;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the anchorer to the registry through the chain port: the node, the anchoring key (opened once, by the
 * port), the registry (configured, or the devnet's through the {@link DevnetHook}), a check that the registry accepts
 * this key, and the anchorer's state for that chain and contract ({@code chains/<chain id>-<contract>/}): a different
 * registry (a devnet restarted from genesis) starts its own anchors, from the whole log, instead of mixing receipts.
 */
final class ChainConnector {

    private static final Logger LOG = LoggerFactory.getLogger(ChainConnector.class);

    /** One connection to the registry: closed and rebuilt after a permanent failure. */
    record Connected(ChainNode node, AnchorRegistry registry, TransactionLookup lookup,
                     Anchorer anchorer, String contract, String anchorerAddress) implements AutoCloseable {
        @Override
        public void close() {
            registry.close();
            lookup.close();
            node.close();
        }
    }

    private final AnchorSettings settings;
    private final AnchoringChain chain;
    private final Optional<DevnetHook> devnet;
    /** The anchoring key's address, once the port opened the key. Tick thread only. */
    private String keyAddress;

    ChainConnector(AnchorSettings settings, AnchoringChain chain, Optional<DevnetHook> devnet) {
        this.settings = settings;
        this.chain = chain;
        this.devnet = devnet;
    }

    /** @throws RuntimeException whatever stopped the connection; nothing is left open */
    Connected connect(AnchoringLog log, ReceiptSink sink) {
        ChainNode node = null;
        AnchorRegistry registry = null;
        TransactionLookup lookup = null;
        try {
            node = chain.connectNode();
            if (keyAddress == null) {
                devnet.ifPresent(d -> d.ensureKey(settings));
                keyAddress = chain.signerAddress();
            }
            String address = keyAddress;
            devnet.ifPresent(d -> d.ensureFunded(settings, address));
            String contract;
            if (settings.contract().isPresent()) {
                contract = settings.contract().get();
            } else if (devnet.isPresent()) {
                contract = devnet.get().ensureRegistry(settings, address);
            } else {
                throw new AnchorSetupException("caduceus.anchor.contract is empty (only caduceus.anchor.devnet-bootstrap "
                        + "deploys a registry of its own)");
            }
            registry = chain.registry(contract);
            String allowed = registry.anchorer();
            if (!allowed.equalsIgnoreCase(address)) {
                throw new AnchorSetupException("the registry " + contract + " accepts anchors from " + allowed
                        + " only, not from the key in " + settings.keystoreFile() + " (" + address + ")");
            }
            lookup = chain.transactions();
            AnchorChain anchorChain = new AnchorChain(settings.chainId(), contract, registry, lookup);
            Path state = settings.directory().resolve("chains")
                    .resolve(settings.chainId() + "-" + anchorChain.contractAddress());
            Anchorer anchorer = Anchorer.open(state, log, new AnchorPolicy(settings.maxEntries(), settings.maxInterval(),
                    settings.confirmations(), settings.fabricChannel()), anchorChain, sink);
            LOG.info("anchoring to registry {} on chain {} as {}", contract, settings.chainId(), address);
            return new Connected(node, registry, lookup, anchorer, anchorChain.contractAddress(), address);
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
