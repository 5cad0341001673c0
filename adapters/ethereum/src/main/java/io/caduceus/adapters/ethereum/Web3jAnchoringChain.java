package io.caduceus.adapters.ethereum;

import io.caduceus.core.chain.AnchorRegistry;
import io.caduceus.core.chain.AnchoringChain;
import io.caduceus.core.chain.ChainAccounts;
import io.caduceus.core.chain.ChainNode;
import io.caduceus.core.chain.TransactionLookup;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.web3j.crypto.Credentials;

/**
 * The chain port over web3j. The key is decrypted once (a standard-strength keystore costs a second and 256 MB to
 * open) and kept here: the bridge only ever sees its address.
 */
final class Web3jAnchoringChain implements AnchoringChain {

    private final Supplier<AnchorRegistryConfig> settings;
    private final Path keystore;
    private final Path passwordFile;
    private AnchorRegistryConfig config;
    private Credentials key;

    Web3jAnchoringChain(Supplier<AnchorRegistryConfig> settings, Path keystore, Path passwordFile) {
        this.settings = settings;
        this.keystore = keystore;
        this.passwordFile = passwordFile;
    }

    @Override
    public ChainNode connectNode() {
        return EthereumNodes.connect(config().endpoint());
    }

    @Override
    public synchronized String signerAddress() {
        return key().getAddress();
    }

    @Override
    public AnchorRegistry registry(String contract) {
        return AnchorRegistryClient.connect(config().withContractAddress(contract), key());
    }

    @Override
    public TransactionLookup transactions() {
        return Web3jTransactionLookup.connect(config().endpoint());
    }

    @Override
    public ChainAccounts accounts() {
        return new Web3jChainAccounts(Web3jRpc.open(config().endpoint()));
    }

    /** Built at the first use, so a mistaken setting is the chain's problem at every attempt, as a node down is. */
    private synchronized AnchorRegistryConfig config() {
        if (config == null) {
            config = settings.get();
        }
        return config;
    }

    private synchronized Credentials key() {
        if (key == null) {
            key = AnchorKeys.load(keystore, passwordFile);
        }
        return key;
    }
}
