package io.caduceus.it.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.adapters.ethereum.AnchorRegistryClient;
import io.caduceus.adapters.ethereum.AnchorRegistryConfig;
import io.caduceus.adapters.ethereum.AnchorRegistryContract;
import io.caduceus.adapters.ethereum.AnchorRegistryDeployment;
import io.caduceus.adapters.ethereum.AnchorRegistryError;
import io.caduceus.adapters.ethereum.AnchorRegistryRevertException;
import io.caduceus.adapters.ethereum.AnchoredEvent;
import io.caduceus.adapters.ethereum.EthereumEndpoint;
import io.caduceus.adapters.ethereum.EthereumException;
import io.caduceus.adapters.ethereum.EthereumReceipt;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import java.math.BigInteger;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * {@code AnchorRegistry.sol} (compiled by the adapter's Maven build) and {@link AnchorRegistryClient} against the
 * devnet's real hardhat node. Every test deploys its own registry and signs with fresh keys funded through
 * {@code hardhat_setBalance}, so no nonce is shared with other tests using the devnet's dev account.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"ethereum"})
class AnchorRegistryIT {

    private static final String CHANNEL = "caduceus";
    private static final long GAS_TARGET = 60_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private static HttpService http;
    private static Web3j web3j;
    private static EthereumEndpoint endpoint;

    private final List<AnchorRegistryClient> clients = new ArrayList<>();
    private Credentials anchorerKey;
    private AnchorRegistryDeployment deployment;
    private AnchorRegistryClient registry;

    @BeforeAll
    static void connect() {
        String url = Devnet.property("ethereum.rpc.url");
        long chainId = Long.parseLong(Devnet.property("ethereum.chain.id"));
        endpoint = new EthereumEndpoint(URI.create(url), chainId, Duration.ofSeconds(10));
        http = new HttpService(url);
        web3j = Web3j.build(http);
    }

    @AfterAll
    static void disconnect() {
        if (web3j != null) {
            web3j.shutdown();
        }
    }

    @BeforeEach
    void deployRegistry() throws Exception {
        anchorerKey = fundedKey();
        try (AnchorRegistryClient deployer = AnchorRegistryClient.connect(config(null), anchorerKey)) {
            deployment = deployer.deploy(anchorerKey.getAddress());
        }
        registry = client(anchorerKey);
    }

    @AfterEach
    void closeClients() {
        clients.forEach(AnchorRegistryClient::close);
    }

    @Test
    void deploymentSetsTheAnchorerAndStartsEmpty() throws Exception {
        assertThat(deployment.contractAddress()).matches("0x[0-9a-fA-F]{40}");
        assertThat(deployment.receipt().succeeded()).isTrue();
        String code = web3j.ethGetCode(deployment.contractAddress(), DefaultBlockParameterName.LATEST).send().getCode();
        // Immutables (the anchorer) are patched into the runtime code at deployment: same length, not same bytes.
        assertThat(Numeric.cleanHexPrefix(code)).hasSameSizeAs(AnchorRegistryContract.runtimeCode());
        assertThat(Numeric.cleanHexPrefix(code)).contains(Numeric.cleanHexPrefix(anchorerKey.getAddress()).toLowerCase());
        assertThat(registry.anchorer()).isEqualToIgnoringCase(anchorerKey.getAddress());
        assertThat(registry.latestTreeSize()).isZero();
        assertThat(registry.rootAt(1)).isEqualTo(new byte[32]);
    }

    @Test
    void anchorStoresTheRootAndEmitsExactlyOneAnchoredEvent() throws Exception {
        byte[] root = randomRoot();
        EthereumReceipt receipt = registry.anchor(5, root, CHANNEL, 17);

        assertThat(receipt.succeeded()).isTrue();
        assertThat(receipt.transactionHash()).matches("0x[0-9a-f]{64}");
        TransactionReceipt raw = web3j.ethGetTransactionReceipt(receipt.transactionHash()).send()
                .getTransactionReceipt().orElseThrow();
        assertThat(raw.getBlockNumber().longValueExact()).isEqualTo(receipt.blockNumber());
        assertThat(raw.getGasUsed().longValueExact()).isEqualTo(receipt.gasUsed());
        EthBlock.Block block = web3j.ethGetBlockByNumber(
                org.web3j.protocol.core.DefaultBlockParameter.valueOf(raw.getBlockNumber()), false).send().getBlock();
        assertThat(receipt.blockTimestamp()).isEqualTo(Instant.ofEpochSecond(block.getTimestamp().longValueExact()));

        assertThat(raw.getLogs()).hasSize(1);
        assertThat(raw.getLogs().get(0).getTopics().get(0)).isEqualTo(AnchorRegistryContract.ANCHORED_TOPIC);
        List<AnchoredEvent> events = AnchorRegistryContract.anchoredEvents(raw, deployment.contractAddress());
        assertThat(events).containsExactly(
                new AnchoredEvent(deployment.contractAddress().toLowerCase(), 5, root, CHANNEL, 17));
        // fabricChannel on chain: UTF-8, right-padded with zeros.
        assertThat(raw.getLogs().get(0).getData()).startsWith("0x" + "6361647563657573" + "0".repeat(48));

        assertThat(registry.rootAt(5)).isEqualTo(root);
        assertThat(registry.rootAt(4)).isEqualTo(new byte[32]);
        assertThat(registry.rootAt(6)).isEqualTo(new byte[32]);
        assertThat(registry.latestTreeSize()).isEqualTo(5);
    }

    @Test
    void laterAnchorsKeepEarlierRoots() {
        byte[] first = randomRoot();
        byte[] second = randomRoot();
        registry.anchor(3, first, CHANNEL, 1);
        registry.anchor(1_000_000, second, "channel-ü-2", 2);
        assertThat(registry.rootAt(3)).isEqualTo(first);
        assertThat(registry.rootAt(1_000_000)).isEqualTo(second);
        assertThat(registry.rootAt(999_999)).isEqualTo(new byte[32]);
        assertThat(registry.latestTreeSize()).isEqualTo(1_000_000);
    }

    @Test
    void sameOrSmallerTreeSizeRevertsWithTreeSizeMustGrow() {
        byte[] root = randomRoot();
        registry.anchor(10, root, CHANNEL, 1);

        assertTreeSizeMustGrow(() -> registry.anchor(10, randomRoot(), CHANNEL, 2), 10, 10);
        assertTreeSizeMustGrow(() -> registry.anchor(9, randomRoot(), CHANNEL, 2), 10, 9);
        assertThat(registry.rootAt(10)).isEqualTo(root);
        assertThat(registry.latestTreeSize()).isEqualTo(10);
    }

    @Test
    void treeSizeZeroNeverAnchors() {
        assertTreeSizeMustGrow(() -> registry.anchor(0, randomRoot(), CHANNEL, 1), 0, 0);
    }

    @Test
    void zeroRootRevertsWithZeroRoot() {
        assertThatThrownBy(() -> registry.anchor(1, new byte[32], CHANNEL, 1))
                .isInstanceOfSatisfying(AnchorRegistryRevertException.class, e -> {
                    assertThat(e.error()).contains(AnchorRegistryError.ZERO_ROOT);
                    assertThat(e.isRetriable()).isFalse();
                })
                .hasMessageContaining("ZeroRoot()");
        assertThat(registry.latestTreeSize()).isZero();
    }

    @Test
    void anotherAccountRevertsWithNotAnchorer() {
        Credentials stranger = fundedKey();
        AnchorRegistryClient strangerClient = client(stranger);
        assertThatThrownBy(() -> strangerClient.anchor(1, randomRoot(), CHANNEL, 1))
                .isInstanceOfSatisfying(AnchorRegistryRevertException.class, e -> {
                    assertThat(e.error()).contains(AnchorRegistryError.NOT_ANCHORER);
                    assertThat(e.isRetriable()).isFalse();
                })
                .hasMessageContaining("NotAnchorer()")
                .hasMessageNotContaining(Numeric.toHexStringNoPrefix(stranger.getEcKeyPair().getPrivateKey()));
        assertThat(registry.latestTreeSize()).isZero();
    }

    @Test
    void aRevertedTransactionSentWithoutDryRunIsDecodedToo() throws Exception {
        // What a racing second bridge instance would see: its dry run passed, then the first one's anchor landed.
        registry.anchor(7, randomRoot(), CHANNEL, 1);
        org.web3j.tx.RawTransactionManager raw = new org.web3j.tx.RawTransactionManager(web3j, anchorerKey,
                endpoint.chainId());
        var sent = raw.sendTransaction(web3j.ethGasPrice().send().getGasPrice(), BigInteger.valueOf(100_000),
                deployment.contractAddress(), AnchorRegistryContract.encodeAnchor(7, randomRoot(), CHANNEL, 2),
                BigInteger.ZERO);
        // Hardhat mines the failing transaction and answers the send with the revert; other nodes accept the send
        // and the receipt has status 0. Either way the revert data names the custom error.
        if (sent.hasError()) {
            String data = AnchorRegistryContract.revertData(sent.getError().getData());
            AnchorRegistryRevertException e = AnchorRegistryContract.revert("anchor", data, null);
            assertThat(e.error()).contains(AnchorRegistryError.TREE_SIZE_MUST_GROW);
            assertThat(e.arguments()).containsExactly(BigInteger.valueOf(7), BigInteger.valueOf(7));
        } else {
            TransactionReceipt receipt = web3j.ethGetTransactionReceipt(sent.getTransactionHash()).send()
                    .getTransactionReceipt().orElseThrow();
            assertThat(receipt.isStatusOK()).isFalse();
        }
        assertThat(registry.latestTreeSize()).isEqualTo(7);
    }

    @Test
    void gasPerAnchorStaysUnderTarget() {
        byte[] root = randomRoot();
        long deployGas = deployment.receipt().gasUsed();
        long firstAnchor = registry.anchor(1, root, CHANNEL, 1).gasUsed();
        long secondAnchor = registry.anchor(2, randomRoot(), CHANNEL, 2).gasUsed();
        long laterAnchor = registry.anchor(1_000_000_000L, randomRoot(), "a-32-byte-channel-name-abcdefghi", 9_999_999L)
                .gasUsed();
        System.out.println("AnchorRegistry gas: deploy=" + deployGas + ", first anchor=" + firstAnchor
                + ", later anchor=" + secondAnchor + ", later anchor (32-byte channel, large sizes)=" + laterAnchor);
        assertThat(firstAnchor).isLessThan(GAS_TARGET);
        assertThat(secondAnchor).isLessThan(GAS_TARGET);
        assertThat(laterAnchor).isLessThan(GAS_TARGET);
    }

    @Test
    void aClientForAnotherChainIsRefused() {
        EthereumEndpoint wrongChain = new EthereumEndpoint(endpoint.rpcUrl(), endpoint.chainId() + 1,
                endpoint.callTimeout());
        assertThatThrownBy(() -> AnchorRegistryClient.connect(AnchorRegistryConfig.of(wrongChain, null), anchorerKey))
                .isInstanceOfSatisfying(EthereumException.class, e -> assertThat(e.isRetriable()).isFalse())
                .hasMessageContaining("expected " + (endpoint.chainId() + 1));
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private void assertTreeSizeMustGrow(org.assertj.core.api.ThrowableAssert.ThrowingCallable anchor, long latest,
                                        long proposed) {
        assertThatThrownBy(anchor)
                .isInstanceOfSatisfying(AnchorRegistryRevertException.class, e -> {
                    assertThat(e.error()).contains(AnchorRegistryError.TREE_SIZE_MUST_GROW);
                    assertThat(e.arguments()).containsExactly(BigInteger.valueOf(latest), BigInteger.valueOf(proposed));
                    assertThat(e.isRetriable()).isFalse();
                })
                .hasMessageContaining("TreeSizeMustGrow(" + latest + ", " + proposed + ")");
    }

    private AnchorRegistryConfig config(String contract) {
        return AnchorRegistryConfig.of(endpoint, contract)
                .withReceiptPolling(Duration.ofSeconds(30), Duration.ofMillis(50));
    }

    private AnchorRegistryClient client(Credentials key) {
        AnchorRegistryClient client = AnchorRegistryClient.connect(config(deployment.contractAddress()), key);
        clients.add(client);
        return client;
    }

    /** A new key with 100 ETH, set directly in the node's state (no transaction, no shared nonce). */
    private static Credentials fundedKey() {
        try {
            Credentials key = Credentials.create(Keys.createEcKeyPair(RANDOM));
            VoidResponse response = new Request<>("hardhat_setBalance",
                    List.of(key.getAddress(), "0x56bc75e2d63100000"), http, VoidResponse.class).send();
            assertThat(response.hasError()).as("hardhat_setBalance").isFalse();
            return key;
        } catch (Exception e) {
            throw new IllegalStateException("cannot fund a test key on the devnet", e);
        }
    }

    private static byte[] randomRoot() {
        byte[] root = new byte[32];
        RANDOM.nextBytes(root);
        root[0] |= 1; // never all zero
        return root;
    }
}
