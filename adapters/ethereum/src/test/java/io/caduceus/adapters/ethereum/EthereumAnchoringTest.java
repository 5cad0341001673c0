package io.caduceus.adapters.ethereum;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.caduceus.core.chain.AnchoringChain;
import io.caduceus.core.chain.ChainAccounts;
import io.caduceus.core.chain.ChainReceipt;
import io.caduceus.core.chain.TransactionLookup;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** This adapter as the bridge's chain port, against a node that answers JSON-RPC by method (WireMock). */
class EthereumAnchoringTest {

    private static final String TX = "0x" + "ab".repeat(32);
    private static final String BLOCK_HASH = "0x" + "01".repeat(32);

    @TempDir
    Path dir;
    /** A fresh JSON-RPC endpoint per test, on a loopback port of its own. */
    @RegisterExtension
    final WireMockExtension node = WireMockExtension.newInstance()
            .options(options().bindAddress("127.0.0.1").dynamicPort()).build();
    private final AtomicInteger configBuilt = new AtomicInteger();

    private void answer(String method, String resultJson) {
        node.stubFor(post("/").withRequestBody(matchingJsonPath("$.method", equalTo(method)))
                .willReturn(okJson("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + resultJson + "}")));
    }

    private AnchoringChain chain(Path keystore, Path password) {
        return EthereumAnchoring.chain(() -> {
            configBuilt.incrementAndGet();
            return AnchorRegistryConfig.of(new EthereumEndpoint(URI.create("http://127.0.0.1:" + node.getPort()), 31337,
                    Duration.ofSeconds(2)), null);
        }, keystore, password);
    }

    private static String receipt(String blockHash) {
        return "{\"transactionHash\":\"" + TX + "\",\"blockNumber\":\"0x7\",\"blockHash\":\"" + blockHash + "\","
                + "\"gasUsed\":\"0xb798\",\"effectiveGasPrice\":\"0x3b9aca00\",\"status\":\"0x1\",\"logs\":[]}";
    }

    @Test
    void theKeyIsOpenedOnceAndTheBridgeSeesOnlyItsAddress() throws Exception {
        Path keystore = dir.resolve("anchorer.keystore.json");
        Path password = dir.resolve("anchorer.password");
        AnchorKeys.generate(keystore, password);
        AnchoringChain chain = chain(keystore, password);
        String address = chain.signerAddress();
        assertThat(address).isEqualTo(AnchorKeys.load(keystore, password).getAddress());
        Files.delete(keystore);
        // Decrypted once: a keystore gone (or slow to open) later does not matter to a running anchorer.
        assertThat(chain.signerAddress()).isEqualTo(address);
        assertThat(configBuilt).as("no node asked for the key").hasValue(0);
    }

    @Test
    void aMistakenSettingIsTheFirstConnectionsProblemNotTheConstructors() {
        AnchoringChain chain = EthereumAnchoring.chain(() -> AnchorRegistryConfig.of(new EthereumEndpoint(
                URI.create("ftp://127.0.0.1:1"), 31337, Duration.ofSeconds(1)), null), dir.resolve("k"), dir.resolve("p"));
        assertThatThrownBy(chain::connectNode).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be http or https");
    }

    @Test
    void aReceiptCountsOnlyInTheBlockNowAtItsHeight() {
        answer("eth_getTransactionReceipt", receipt(BLOCK_HASH));
        answer("eth_getBlockByNumber", "{\"number\":\"0x7\",\"hash\":\"" + BLOCK_HASH + "\",\"timestamp\":\"0x6553f100\","
                + "\"transactions\":[]}");
        try (TransactionLookup lookup = chain(dir.resolve("k"), dir.resolve("p")).transactions()) {
            ChainReceipt found = lookup.canonicalReceipt(TX).orElseThrow();
            assertThat(found.blockNumber()).isEqualTo(7);
            assertThat(found.blockTimestamp()).isEqualTo(Instant.ofEpochSecond(0x6553f100L));
            assertThat(found.gasUsed()).isEqualTo(47_000);
            assertThat(found.succeeded()).isTrue();

            answer("eth_getTransactionReceipt", receipt("0x" + "02".repeat(32)));
            assertThat(lookup.canonicalReceipt(TX)).as("its block was reorganised away").isEmpty();
        }
    }

    @Test
    void theRegistryIsGoneWhenTheChainHoldsNoCodeThere() {
        try (TransactionLookup lookup = chain(dir.resolve("k"), dir.resolve("p")).transactions()) {
            answer("eth_getCode", "\"0x\"");
            assertThat(lookup.hasCode("0x" + "ab".repeat(20))).isFalse();
            answer("eth_getCode", "\"0x6080\"");
            assertThat(lookup.hasCode("0x" + "ab".repeat(20))).isTrue();
        }
    }

    @Test
    void balanceAndTheCostOfAnAnchorComeFromTheNode() {
        answer("eth_getBalance", "\"0xde0b6b3a7640000\"");
        answer("eth_getTransactionReceipt", receipt(BLOCK_HASH));
        try (ChainAccounts accounts = chain(dir.resolve("k"), dir.resolve("p")).accounts()) {
            assertThat(accounts.balanceWei("0x" + "cd".repeat(20))).isEqualTo(new BigInteger("1000000000000000000"));
            assertThat(accounts.cost(TX)).contains(new ChainAccounts.TransactionCost(47_000,
                    BigInteger.valueOf(47_000).multiply(BigInteger.valueOf(1_000_000_000))));
            answer("eth_getTransactionReceipt", "null");
            assertThat(accounts.cost(TX)).isEmpty();
        }
    }
}
