package io.caduceus.adapters.ethereum;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP edge of the Ethereum adapter: chain checks and the retriable/permanent failure policy. */
class EthereumNodesTest {

    /** A fresh JSON-RPC endpoint per test, on a loopback port of its own. */
    @RegisterExtension
    final WireMockExtension rpc = WireMockExtension.newInstance()
            .options(options().bindAddress("127.0.0.1").dynamicPort()).build();

    private EthereumEndpoint endpoint(long chainId, Duration timeout) {
        return new EthereumEndpoint(URI.create("http://127.0.0.1:" + rpc.getPort()), chainId, timeout);
    }

    private void answer(String method, String resultJson) {
        rpc.stubFor(post("/").withRequestBody(matchingJsonPath("$.method", equalTo(method)))
                .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + resultJson + "}")));
    }

    @Test
    void connectsWhenTheNodeIsOnTheExpectedChain() {
        answer("eth_chainId", "\"0x7a69\"");
        answer("eth_blockNumber", "\"0x2a\"");
        try (EthereumNode node = EthereumNodes.connect(endpoint(31337, Duration.ofSeconds(2)))) {
            assertThat(node.chainId()).isEqualTo(31337);
            assertThat(node.blockNumber()).isEqualTo(42);
        }
    }

    @Test
    void refusesANodeOnAnotherChainPermanently() {
        answer("eth_chainId", "\"0x1\"");
        assertThatThrownBy(() -> EthereumNodes.connect(endpoint(31337, Duration.ofSeconds(2))))
                .isInstanceOfSatisfying(EthereumException.class, e -> assertThat(e.isRetriable()).isFalse())
                .hasMessageContaining("chain 1, expected 31337");
    }

    @Test
    void rpcErrorIsPermanent() {
        rpc.stubFor(post("/").willReturn(okJson(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"method not found\"}}")));
        assertThatThrownBy(() -> EthereumNodes.connect(endpoint(31337, Duration.ofSeconds(2))))
                .isInstanceOfSatisfying(EthereumException.class, e -> assertThat(e.isRetriable()).isFalse())
                .hasMessageContaining("method not found");
    }

    @Test
    void brokenConnectionIsRetriable() {
        rpc.stubFor(post("/").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertThatThrownBy(() -> EthereumNodes.connect(endpoint(31337, Duration.ofSeconds(2))))
                .isInstanceOfSatisfying(EthereumException.class, e -> assertThat(e.isRetriable()).isTrue());
    }

    @Test
    void slowNodeHitsTheDeadlineAndIsRetriable() {
        rpc.stubFor(post("/").willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x7a69\"}")
                .withFixedDelay(3_000)));
        assertThatThrownBy(() -> EthereumNodes.connect(endpoint(31337, Duration.ofMillis(300))))
                .isInstanceOfSatisfying(EthereumException.class, e -> assertThat(e.isRetriable()).isTrue());
    }

    @Test
    void nodeThatIsNotThereIsRetriable() throws Exception {
        int unused;
        try (ServerSocket socket = new ServerSocket(0)) {
            unused = socket.getLocalPort();
        }
        EthereumEndpoint nowhere = new EthereumEndpoint(URI.create("http://127.0.0.1:" + unused), 31337, Duration.ofSeconds(1));
        assertThatThrownBy(() -> EthereumNodes.connect(nowhere))
                .isInstanceOfSatisfying(EthereumException.class, e -> assertThat(e.isRetriable()).isTrue());
    }

    @Test
    void rejectsNonHttpEndpoints() {
        assertThatThrownBy(() -> new EthereumEndpoint(URI.create("ws://127.0.0.1:8545"), 1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
