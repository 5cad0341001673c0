package io.caduceus.devnet.bootstrap;

import io.caduceus.adapters.ethereum.AnchorKeys;
import io.caduceus.adapters.ethereum.AnchorRegistryClient;
import io.caduceus.adapters.ethereum.AnchorRegistryConfig;
import io.caduceus.adapters.ethereum.AnchorRegistryDeployment;
import io.caduceus.adapters.ethereum.EthereumEndpoint;
import io.caduceus.adapters.ethereum.EthereumException;
import io.caduceus.adapters.ethereum.Web3jRpc;
import io.caduceus.bridge.anchoring.AnchorSettings;
import io.caduceus.bridge.anchoring.AnchorSetupException;
import io.caduceus.bridge.anchoring.DevnetHook;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthGetTransactionReceipt;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.utils.Convert;
import org.web3j.utils.Numeric;

/**
 * Devnet only ({@code caduceus.anchor.devnet-bootstrap=true}): makes {@code ./caduceus up} anchor with no manual
 * step. Creates the anchoring key when its keystore is missing, keeps it funded from the devnet's well-known
 * {@code ethereum.dev.private.key} (a plain transfer signed with that key; the key itself is never logged), and,
 * without a configured contract, deploys an AnchorRegistry whose anchorer is that key and remembers its address.
 * A remembered registry is reused only while the chain still holds its code and it names this key as anchorer: a
 * devnet restarted from genesis gets a new one. Deploys with the anchoring key, which it opens itself from the
 * keystore the settings name: the bridge only knows the key's address.
 *
 * <p>A module of its own, found by the bridge through {@link java.util.ServiceLoader}: the devnet's {@code ./caduceus
 * up} and the integration tests put its jar on the classpath; production images do not ship it.
 */
public final class DevnetBootstrap implements DevnetHook {

    private static final Logger LOG = LoggerFactory.getLogger(DevnetBootstrap.class);
    private static final BigInteger TRANSFER_GAS = BigInteger.valueOf(21_000);

    /** The anchoring key, opened once: the bridge asks for a registry after every reconnection. */
    private Credentials key;

    public DevnetBootstrap() {
    }

    @Override
    public void ensureKey(AnchorSettings settings) {
        if (!Files.exists(settings.keystoreFile())) {
            AnchorKeys.generate(settings.keystoreFile(), settings.passwordFile());
            LOG.warn("generated a new anchoring key in {} (caduceus.anchor.devnet-bootstrap=true: devnet only)",
                    settings.keystoreFile());
        }
    }

    /** Tops the key up to the funding amount when it holds less than half of it. */
    @Override
    public void ensureFunded(AnchorSettings settings, String address) {
        BigInteger target = Convert.toWei(settings.devnetFundingEth(), Convert.Unit.ETHER).toBigIntegerExact();
        Web3jRpc rpc = Web3jRpc.open(settings.rpcUrl().toString(), settings.rpcTimeout());
        Web3j web3j = rpc.web3j();
        try {
            BigInteger balance = rpc.send("eth_getBalance",
                    () -> web3j.ethGetBalance(address, DefaultBlockParameterName.LATEST).send()).getBalance();
            if (balance.compareTo(target.shiftRight(1)) >= 0) {
                return;
            }
            String devKey = settings.devnetFundingKey().get().orElseThrow(() -> new AnchorSetupException(
                    "caduceus.anchor.devnet-bootstrap needs ethereum.dev.private.key (written by the devnet) to fund "
                            + "the anchoring key"));
            Credentials dev = Credentials.create(devKey);
            BigInteger nonce = rpc.send("eth_getTransactionCount", () -> web3j.ethGetTransactionCount(dev.getAddress(),
                    DefaultBlockParameterName.PENDING).send()).getTransactionCount();
            BigInteger gasPrice = rpc.send("eth_gasPrice", () -> web3j.ethGasPrice().send()).getGasPrice();
            RawTransaction transfer = RawTransaction.createEtherTransaction(nonce, gasPrice.shiftLeft(1), TRANSFER_GAS,
                    address, target.subtract(balance));
            String signed = Numeric.toHexString(TransactionEncoder.signMessage(transfer, settings.chainId(), dev));
            EthSendTransaction sent = rpc.send("eth_sendRawTransaction", () -> web3j.ethSendRawTransaction(signed).send());
            waitForReceipt(rpc, sent.getTransactionHash(), settings.receiptTimeout());
            LOG.info("funded the anchoring key {} with {} ETH from the devnet account", address,
                    Convert.fromWei(new BigDecimal(target.subtract(balance)), Convert.Unit.ETHER).toPlainString());
        } finally {
            rpc.shutdown();
        }
    }

    /** The registry to anchor in: the remembered one if the chain still holds it for this key, else a new one. */
    @Override
    public String ensureRegistry(AnchorSettings settings, String anchorer) {
        Credentials key = key(settings);
        if (!key.getAddress().equalsIgnoreCase(anchorer)) {
            throw new AnchorSetupException("the anchoring key in " + settings.keystoreFile() + " is " + key.getAddress()
                    + ", not the anchorer " + anchorer + " the bridge connected with");
        }
        AnchorRegistryConfig config = registryConfig(settings);
        Path remembered = settings.directory().resolve("devnet-registry-" + settings.chainId() + ".address");
        Optional<String> known = read(remembered);
        if (known.isPresent() && holdsRegistryFor(settings, config, key, known.get())) {
            return known.get();
        }
        AnchorRegistryDeployment deployment;
        try (AnchorRegistryClient deployer = AnchorRegistryClient.connect(config.withContractAddress(null), key)) {
            deployment = deployer.deploy(key.getAddress());
        }
        try {
            Files.createDirectories(remembered.toAbsolutePath().getParent());
            Files.writeString(remembered, deployment.contractAddress() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remember the devnet registry in " + remembered, e);
        }
        LOG.warn("deployed a devnet AnchorRegistry at {} (block {}, gas {}){}", deployment.contractAddress(),
                deployment.receipt().blockNumber(), deployment.receipt().gasUsed(),
                known.isPresent() ? "; the chain no longer held " + known.get() : "");
        return deployment.contractAddress();
    }

    /** As the composition root configures the chain port (routes/anchor AnchoringBeans), for the same node. */
    static AnchorRegistryConfig registryConfig(AnchorSettings settings) {
        return new AnchorRegistryConfig(new EthereumEndpoint(settings.rpcUrl(), settings.chainId(), settings.rpcTimeout()),
                null, settings.gasLimit(), settings.deployGasLimit(), settings.receiptTimeout(), Duration.ofMillis(250));
    }

    private synchronized Credentials key(AnchorSettings settings) {
        if (key == null) {
            key = AnchorKeys.load(settings.keystoreFile(), settings.passwordFile());
        }
        return key;
    }

    private static boolean holdsRegistryFor(AnchorSettings settings, AnchorRegistryConfig config, Credentials key,
                                            String address) {
        Web3jRpc rpc = Web3jRpc.open(settings.rpcUrl().toString(), settings.rpcTimeout());
        Web3j web3j = rpc.web3j();
        try {
            String code = rpc.send("eth_getCode", () -> web3j.ethGetCode(address, DefaultBlockParameterName.LATEST).send())
                    .getCode();
            if (code == null || code.equals("0x") || code.isEmpty()) {
                return false;
            }
        } finally {
            rpc.shutdown();
        }
        try (AnchorRegistryClient client = AnchorRegistryClient.connect(config.withContractAddress(address), key)) {
            return client.anchorer().equalsIgnoreCase(key.getAddress());
        } catch (EthereumException e) {
            if (e.isRetriable()) {
                throw e;
            }
            return false; // code there, but not a registry of ours
        }
    }

    private static Optional<String> read(Path file) {
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            String address = Files.readString(file, StandardCharsets.UTF_8).trim().toLowerCase(Locale.ROOT);
            return address.matches("0x[0-9a-f]{40}") ? Optional.of(address) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void waitForReceipt(Web3jRpc rpc, String hash, Duration timeout) {
        Web3j web3j = rpc.web3j();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            EthGetTransactionReceipt receipt = rpc.send("eth_getTransactionReceipt",
                    () -> web3j.ethGetTransactionReceipt(hash).send());
            if (receipt.getTransactionReceipt().isPresent()) {
                if (!receipt.getTransactionReceipt().get().isStatusOK()) {
                    throw new EthereumException("the funding transfer " + hash + " failed", false, null);
                }
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EthereumException("interrupted while waiting for the funding transfer", true, e);
            }
        }
        throw new EthereumException("the funding transfer " + hash + " was not mined within " + timeout, true, null);
    }
}
