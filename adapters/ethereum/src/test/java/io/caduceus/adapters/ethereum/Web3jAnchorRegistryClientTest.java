package io.caduceus.adapters.ethereum;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.caduceus.adapters.ethereum.AnchorRegistryContractTest.word;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.StringValuePattern;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * {@link Web3jAnchorRegistryClient} against a scripted JSON-RPC node: what is sent, how answers are decoded, and
 * the retriable/permanent failure policy.
 */
class Web3jAnchorRegistryClientTest {

    private static final String PRIVATE_KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    private static final Credentials SIGNER = Credentials.create(PRIVATE_KEY);
    private static final String CONTRACT = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    private static final byte[] ROOT = HexFormat.of().parseHex("1f0c" + "ab".repeat(30));
    private static final long GAS_PRICE = 1_000_000_000L;

    /** A fresh JSON-RPC endpoint per test, on a loopback port of its own. */
    @RegisterExtension
    final WireMockExtension rpc = WireMockExtension.newInstance()
            .options(options().bindAddress("127.0.0.1").dynamicPort()).build();

    @BeforeEach
    void start() {
        answer("eth_chainId", "\"0x7a69\"");
        answer("eth_gasPrice", "\"0x3b9aca00\"");
        answer("eth_getTransactionCount", "\"0x7\"");
    }

    private AnchorRegistryConfig config(Duration callTimeout) {
        EthereumEndpoint endpoint = new EthereumEndpoint(URI.create("http://127.0.0.1:" + rpc.getPort()), 31337, callTimeout);
        return AnchorRegistryConfig.of(endpoint, CONTRACT).withReceiptPolling(Duration.ofMillis(300), Duration.ofMillis(20));
    }

    private AnchorRegistryClient client() {
        return AnchorRegistryClient.connect(config(Duration.ofSeconds(2)), SIGNER);
    }

    private void answer(String method, String resultJson) {
        answer(method, null, resultJson);
    }

    private void answer(String method, StringValuePattern firstParam, String resultJson) {
        var request = post("/").withRequestBody(matchingJsonPath("$.method", equalTo(method)));
        if (firstParam != null) {
            request = request.withRequestBody(matchingJsonPath("$.params[1]", firstParam));
        }
        rpc.stubFor(request.willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + resultJson + "}")));
    }

    private void fail(String method, StringValuePattern blockParam, int code, String message, String dataJson) {
        var request = post("/").withRequestBody(matchingJsonPath("$.method", equalTo(method)));
        if (blockParam != null) {
            request = request.withRequestBody(matchingJsonPath("$.params[1]", blockParam));
        }
        rpc.stubFor(request.willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":" + code
                + ",\"message\":\"" + message + "\"" + (dataJson == null ? "" : ",\"data\":" + dataJson) + "}}")));
    }

    /** The hash of the anchor transaction the client will sign: deterministic (RFC 6979) for the scripted node. */
    private static String expectedHash(long treeSize) {
        RawTransaction raw = RawTransaction.createTransaction(BigInteger.valueOf(7), BigInteger.valueOf(GAS_PRICE),
                BigInteger.valueOf(AnchorRegistryConfig.DEFAULT_ANCHOR_GAS_LIMIT), CONTRACT, BigInteger.ZERO,
                AnchorRegistryContract.encodeAnchor(treeSize, ROOT, "caduceus", 17));
        return Hash.sha3(Numeric.toHexString(TransactionEncoder.signMessage(raw, 31337L, SIGNER)));
    }

    private static String receipt(String hash, String status, String gasUsed) {
        return "{\"transactionHash\":\"" + hash + "\",\"blockNumber\":\"0x2a\",\"blockHash\":\"0x" + "99".repeat(32)
                + "\",\"gasUsed\":\"" + gasUsed + "\",\"cumulativeGasUsed\":\"" + gasUsed + "\",\"status\":\"" + status
                + "\",\"from\":\"" + SIGNER.getAddress() + "\",\"to\":\"" + CONTRACT + "\",\"logs\":[" + (status.equals("0x1")
                ? "{\"address\":\"" + CONTRACT + "\",\"topics\":[\"" + AnchorRegistryContract.ANCHORED_TOPIC + "\",\"0x"
                + word("5") + "\",\"0x" + HexFormat.of().formatHex(ROOT) + "\"],\"data\":\"0x6361647563657573"
                + "0".repeat(48) + word("11") + "\",\"logIndex\":\"0x0\"}" : "") + "]}";
    }

    @Test
    void anchorDryRunsSignsForTheChainSendsAndReturnsTheMinedReceipt() {
        String hash = expectedHash(5);
        answer("eth_call", "\"0x\"");
        answer("eth_sendRawTransaction", "\"" + hash + "\"");
        answer("eth_getTransactionReceipt", receipt(hash, "0x1", "0xcb12"));
        answer("eth_getBlockByNumber", "{\"number\":\"0x2a\",\"timestamp\":\"0x6920a0b0\",\"hash\":\"0x" + "99".repeat(32)
                + "\",\"transactions\":[]}");

        try (AnchorRegistryClient client = client()) {
            EthereumReceipt receipt = client.anchor(5, ROOT, "caduceus", 17);
            assertThat(receipt).isEqualTo(new EthereumReceipt(hash, 42, Instant.ofEpochSecond(0x6920a0b0L), 0xcb12, true));
        }
        // The dry run is a call from the signer against the pending state, with the anchor's calldata.
        rpc.verify(postRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/"))
                .withRequestBody(matchingJsonPath("$.method", equalTo("eth_call")))
                .withRequestBody(matchingJsonPath("$.params[0].from", equalTo(SIGNER.getAddress())))
                .withRequestBody(matchingJsonPath("$.params[0].data",
                        equalTo(AnchorRegistryContract.encodeAnchor(5, ROOT, "caduceus", 17))))
                .withRequestBody(matchingJsonPath("$.params[1]", equalTo("pending"))));
    }

    @Test
    void aRefusedDryRunThrowsTheDecodedErrorAndSendsNothing() {
        String data = AnchorRegistryError.TREE_SIZE_MUST_GROW.selector() + word("5") + word("5");
        // hardhat's shape: data is an object holding the revert data
        fail("eth_call", null, -32603, "Error: VM Exception while processing transaction: reverted with custom error",
                "{\"message\":\"reverted\",\"data\":\"" + data + "\"}");
        try (AnchorRegistryClient client = client()) {
            assertThatThrownBy(() -> client.anchor(5, ROOT, "caduceus", 17))
                    .isInstanceOfSatisfying(AnchorRegistryRevertException.class, e -> {
                        assertThat(e.error()).contains(AnchorRegistryError.TREE_SIZE_MUST_GROW);
                        assertThat(e.arguments()).containsExactly(BigInteger.valueOf(5), BigInteger.valueOf(5));
                        assertThat(e.isRetriable()).isFalse();
                        assertThat(e.transactionHash()).isEmpty();
                    });
        }
        rpc.verify(0, postRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/"))
                .withRequestBody(matchingJsonPath("$.method", equalTo("eth_sendRawTransaction"))));
    }

    @Test
    void gethStyleRevertIsDecodedToo() {
        fail("eth_call", null, 3, "execution reverted", "\"" + AnchorRegistryError.NOT_ANCHORER.selector() + "\"");
        try (AnchorRegistryClient client = client()) {
            assertThatThrownBy(() -> client.anchor(5, ROOT, "caduceus", 17))
                    .isInstanceOfSatisfying(AnchorRegistryRevertException.class,
                            e -> assertThat(e.error()).contains(AnchorRegistryError.NOT_ANCHORER))
                    .hasMessageContaining("NotAnchorer()");
        }
    }

    @Test
    void aMinedFailureIsReplayedToNameTheErrorAndKeepsTheHash() {
        String hash = expectedHash(5);
        answer("eth_call", equalTo("pending"), "\"0x\""); // the dry run passes (another anchor lands meanwhile)
        fail("eth_call", equalTo("0x29"), 3, "execution reverted", "\"" + AnchorRegistryError.TREE_SIZE_MUST_GROW.selector()
                + word("6") + word("5") + "\"");
        answer("eth_sendRawTransaction", "\"" + hash + "\"");
        answer("eth_getTransactionReceipt", receipt(hash, "0x0", "0x6000"));
        try (AnchorRegistryClient client = client()) {
            assertThatThrownBy(() -> client.anchor(5, ROOT, "caduceus", 17))
                    .isInstanceOfSatisfying(AnchorRegistryRevertException.class, e -> {
                        assertThat(e.error()).contains(AnchorRegistryError.TREE_SIZE_MUST_GROW);
                        assertThat(e.arguments()).containsExactly(BigInteger.valueOf(6), BigInteger.valueOf(5));
                        assertThat(e.transactionHash()).contains(hash);
                        assertThat(e.isRetriable()).isFalse();
                    });
        }
    }

    @Test
    void aMinedFailureThatUsedAllGasIsReportedAsOutOfGas() {
        String hash = expectedHash(5);
        answer("eth_call", "\"0x\"");
        answer("eth_sendRawTransaction", "\"" + hash + "\"");
        answer("eth_getTransactionReceipt", receipt(hash, "0x0", "0x186a0")); // 100,000 = the limit
        try (AnchorRegistryClient client = client()) {
            assertThatThrownBy(() -> client.anchor(5, ROOT, "caduceus", 17))
                    .isInstanceOfSatisfying(AnchorRegistryRevertException.class, e -> {
                        assertThat(e.error()).isEmpty();
                        assertThat(e.transactionHash()).contains(hash);
                    })
                    .hasMessageContaining("out of gas");
        }
    }

    @Test
    void noReceiptBeforeTheDeadlineIsRetriableAndCarriesTheHash() {
        String hash = expectedHash(5);
        answer("eth_call", "\"0x\"");
        answer("eth_sendRawTransaction", "\"" + hash + "\"");
        answer("eth_getTransactionReceipt", "null");
        try (AnchorRegistryClient client = client()) {
            assertThatThrownBy(() -> client.anchor(5, ROOT, "caduceus", 17))
                    .isInstanceOfSatisfying(EthereumException.class, e -> {
                        assertThat(e.isRetriable()).isTrue();
                        assertThat(e.transactionHash()).contains(hash);
                    })
                    .hasMessageContaining("may still be mined");
        }
    }

    @Test
    void aSendThatTimesOutIsRetriableAndCarriesTheLocallyComputedHash() {
        answer("eth_call", "\"0x\"");
        rpc.stubFor(post("/").withRequestBody(matchingJsonPath("$.method", equalTo("eth_sendRawTransaction")))
                .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x00\"}").withFixedDelay(2_000)));
        try (AnchorRegistryClient client = AnchorRegistryClient.connect(config(Duration.ofMillis(300)), SIGNER)) {
            assertThatThrownBy(() -> client.anchor(5, ROOT, "caduceus", 17))
                    .isInstanceOfSatisfying(EthereumException.class, e -> {
                        assertThat(e.isRetriable()).isTrue();
                        assertThat(e.transactionHash()).contains(expectedHash(5));
                    })
                    .hasMessageContaining("timed out");
        }
    }

    @Test
    void aSendRefusedByTheNodeIsPermanent() {
        answer("eth_call", "\"0x\"");
        fail("eth_sendRawTransaction", null, -32000, "nonce too low", null);
        try (AnchorRegistryClient client = client()) {
            assertThatThrownBy(() -> client.anchor(5, ROOT, "caduceus", 17))
                    .isInstanceOfSatisfying(EthereumException.class, e -> {
                        assertThat(e).isNotInstanceOf(AnchorRegistryRevertException.class);
                        assertThat(e.isRetriable()).isFalse();
                    })
                    .hasMessageContaining("nonce too low");
        }
    }

    @Test
    void hardhatRevertOnSendKeepsTheNodesTransactionHash() {
        String nodeHash = "0x" + "ef".repeat(32);
        EthereumException e = Web3jAnchorRegistryClient.rejected("anchor", new org.web3j.protocol.core.Response.Error(
                -32603, "Error: VM Exception while processing transaction: reverted with an unrecognized custom error"),
                null);
        assertThat(e).isInstanceOf(AnchorRegistryRevertException.class); // a revert by its message alone
        org.web3j.protocol.core.Response.Error withData = new org.web3j.protocol.core.Response.Error(-32603, "reverted");
        withData.setData("{\"message\":\"reverted\",\"txHash\":\"" + nodeHash + "\",\"data\":\""
                + AnchorRegistryError.ZERO_ROOT.selector() + "\"}");
        assertThat(Web3jAnchorRegistryClient.rejected("anchor", withData, null))
                .isInstanceOfSatisfying(AnchorRegistryRevertException.class, r -> {
                    assertThat(r.error()).contains(AnchorRegistryError.ZERO_ROOT);
                    assertThat(r.transactionHash()).contains(nodeHash);
                });
    }

    @Test
    void viewsDecodeTheirResults() {
        answer("eth_call", "\"0x" + HexFormat.of().formatHex(ROOT) + "\"");
        try (AnchorRegistryClient client = client()) {
            assertThat(client.rootAt(5)).isEqualTo(ROOT);
        }
        answer("eth_call", "\"0x" + word("2a") + "\"");
        try (AnchorRegistryClient client = client()) {
            assertThat(client.latestTreeSize()).isEqualTo(42);
            assertThat(client.signerAddress()).isEqualTo(SIGNER.getAddress());
        }
    }

    @Test
    void brokenConnectionOnAViewIsRetriable() {
        try (AnchorRegistryClient client = client()) {
            rpc.stubFor(post("/").withRequestBody(matchingJsonPath("$.method", equalTo("eth_call")))
                    .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
            assertThatThrownBy(client::latestTreeSize)
                    .isInstanceOfSatisfying(EthereumException.class, e -> assertThat(e.isRetriable()).isTrue());
        }
    }

    @Test
    void refusesANodeOnAnotherChain() {
        answer("eth_chainId", "\"0x1\"");
        assertThatThrownBy(this::client)
                .isInstanceOfSatisfying(EthereumException.class, e -> assertThat(e.isRetriable()).isFalse())
                .hasMessageContaining("chain 1, expected 31337");
    }

    @Test
    void aClientWithoutContractCanOnlyDeploy() {
        EthereumEndpoint endpoint = new EthereumEndpoint(URI.create("http://127.0.0.1:" + rpc.getPort()), 31337,
                Duration.ofSeconds(2));
        try (AnchorRegistryClient client = AnchorRegistryClient.connect(AnchorRegistryConfig.of(endpoint, null), SIGNER)) {
            assertThatThrownBy(client::latestTreeSize).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void thePrivateKeyAppearsInNoFailure() {
        answer("eth_call", "\"0x\"");
        fail("eth_sendRawTransaction", null, -32000, "insufficient funds for gas * price + value", null);
        try (AnchorRegistryClient client = client()) {
            Throwable failure = catchThrowable(() -> client.anchor(5, ROOT, "caduceus", 17));
            assertThat(failure).isInstanceOf(EthereumException.class);
            for (Throwable t = failure; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage()) + t).doesNotContainIgnoringCase(PRIVATE_KEY);
            }
            assertThat(client.toString()).doesNotContainIgnoringCase(PRIVATE_KEY);
        }
        assertThat(config(Duration.ofSeconds(1)).toString()).doesNotContainIgnoringCase(PRIVATE_KEY);
    }
}
