package io.caduceus.adapters.ethereum;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.web3j.protocol.core.methods.response.EthBlockNumber;

/** The one failure policy of every web3j call: undelivered or unanswered is retriable, an error answer permanent. */
class Web3jRpcTest {

    private static final String TX = "0x" + "ab".repeat(32);
    /** A fresh JSON-RPC endpoint per test, on a loopback port of its own. */
    @RegisterExtension
    final WireMockExtension node = WireMockExtension.newInstance()
            .options(options().bindAddress("127.0.0.1").dynamicPort()).build();

    private Web3jRpc rpc(Duration timeout) {
        return Web3jRpc.open("http://127.0.0.1:" + node.getPort(), timeout);
    }

    private EthBlockNumber blockNumber(Web3jRpc rpc) {
        return rpc.send("eth_blockNumber", TX, () -> rpc.web3j().ethBlockNumber().send());
    }

    @Test
    void anAnswerIsHandedBack() {
        node.stubFor(post("/").willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x2a\"}")));
        Web3jRpc rpc = rpc(Duration.ofSeconds(2));
        assertThat(blockNumber(rpc).getBlockNumber()).hasToString("42");
        rpc.shutdown();
    }

    @Test
    void anErrorAnswerIsPermanentAndNamesTheTransaction() {
        node.stubFor(post("/").willReturn(okJson(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"nonce too low\"}}")));
        Web3jRpc rpc = rpc(Duration.ofSeconds(2));
        assertThatThrownBy(() -> blockNumber(rpc)).isInstanceOfSatisfying(EthereumException.class, e -> {
            assertThat(e.isRetriable()).isFalse();
            assertThat(e.transactionHash()).contains(TX);
            assertThat(e).hasMessageContaining("eth_blockNumber rejected").hasMessageContaining("nonce too low");
        });
        assertThat(rpc.sendAllowingError("eth_blockNumber", null, () -> rpc.web3j().ethBlockNumber().send())
                .getError().getMessage()).as("the caller that reads reverts gets the answer").isEqualTo("nonce too low");
        rpc.shutdown();
    }

    @Test
    void aNodeThatDoesNotAnswerInTimeIsRetriable() {
        node.stubFor(post("/").willReturn(aResponse().withFixedDelay(3_000)
                .withBody("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}")));
        Web3jRpc rpc = rpc(Duration.ofMillis(300));
        long start = System.nanoTime();
        assertThatThrownBy(() -> blockNumber(rpc)).isInstanceOfSatisfying(EthereumException.class, e -> {
            assertThat(e.isRetriable()).isTrue();
            assertThat(e).hasMessageContaining("timed out after PT0.3S");
        });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the deadline holds").isLessThan(Duration.ofSeconds(2));
        rpc.shutdown();
    }

    @Test
    void aResetConnectionIsRetriable() {
        node.stubFor(post("/").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        Web3jRpc rpc = rpc(Duration.ofSeconds(2));
        assertThatThrownBy(() -> blockNumber(rpc)).isInstanceOfSatisfying(EthereumException.class,
                e -> assertThat(e.isRetriable()).isTrue());
        rpc.shutdown();
    }

    @Test
    void aRefusedConnectionIsRetriable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Web3jRpc rpc = Web3jRpc.open("http://127.0.0.1:" + closedPort, Duration.ofSeconds(2));
        assertThatThrownBy(() -> blockNumber(rpc)).isInstanceOfSatisfying(EthereumException.class,
                e -> assertThat(e.isRetriable()).isTrue());
        rpc.shutdown();
    }
}
