package io.caduceus.adapters.ethereum;

import io.caduceus.core.chain.AnchoringChain;
import io.caduceus.core.chain.TransactionLookup;
import java.nio.file.Path;
import java.util.function.Supplier;

/** This adapter as the chain port ({@code io.caduceus.core.chain}) the bridge anchors through. */
public final class EthereumAnchoring {

    private EthereumAnchoring() {
    }

    /**
     * The chain of {@code config} (its contract address is ignored: the anchorer names the registry), signing with
     * the key in {@code keystore}, whose password is in {@code passwordFile}.
     *
     * @param config built at the first connection, so that a mistaken setting shows as the chain's problem at every
     *               attempt instead of stopping anchoring at start
     */
    public static AnchoringChain chain(Supplier<AnchorRegistryConfig> config, Path keystore, Path passwordFile) {
        return new Web3jAnchoringChain(config, keystore, passwordFile);
    }

    /** A transaction lookup over JSON-RPC, with the endpoint's deadline on every call. */
    public static TransactionLookup transactions(EthereumEndpoint endpoint) {
        return Web3jTransactionLookup.connect(endpoint);
    }
}
