package io.caduceus.verifier;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.caduceus.core.hash.Digest;

/** A WireMock JSON-RPC node that answers the verifier's five calls; each answer can be replaced per test. */
final class FakeChain implements AutoCloseable {

    final WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    FakeChain() {
        server.start();
    }

    /** A node of chain 31337 at block 44 whose registry holds {@code root} at {@code treeSize}. */
    FakeChain holding(long treeSize, Digest root) {
        answer("eth_chainId", Fixture.hexQuantity(Fixture.CHAIN_ID));
        answer("eth_blockNumber", Fixture.hexQuantity(44));
        answer("eth_call", Fixture.quoted("0x" + root.hex()));
        answer("eth_getTransactionReceipt", Fixture.receipt("0x1", Fixture.CONTRACT, Fixture.CONTRACT, treeSize, root));
        answer("eth_getBlockByNumber", Fixture.block());
        return this;
    }

    FakeChain answer(String method, String resultJson) {
        return respond(method, okJson(Fixture.result(resultJson)));
    }

    FakeChain respond(String method, ResponseDefinitionBuilder response) {
        server.stubFor(post("/").withRequestBody(matchingJsonPath("$.method", equalTo(method))).willReturn(response));
        return this;
    }

    FakeChain error(String method, String message) {
        return respond(method, aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"" + message + "\"}}"));
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
