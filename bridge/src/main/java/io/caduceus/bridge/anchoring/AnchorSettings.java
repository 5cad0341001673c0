package io.caduceus.bridge.anchoring;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@code caduceus.anchor.*} options (application.properties, "Public anchor (bridge)"), plus the Ethereum
 * connection they use (Kafka's comes from the Kafka adapter's clients); the composition root builds the chain port's
 * adapter from them. Holds no key: the devnet
 * funding key is read only when bootstrapping, through {@link #devnetFundingKey}, so these settings can be logged.
 */
public record AnchorSettings(boolean enabled, Path directory, Path keystoreFile, Path passwordFile, Optional<String> contract,
                      long maxEntries, Duration maxInterval, int confirmations, Duration heldCheckInterval,
                      long gasLimit, long deployGasLimit,
                      Duration rpcTimeout, Duration receiptTimeout, String fabricChannel, boolean devnetBootstrap,
                      BigDecimal devnetFundingEth, URI rpcUrl, long chainId, String ledgerTopic,
                      Duration pollTimeout, Duration kafkaCallTimeout, int maxBatch,
                      Supplier<Optional<String>> devnetFundingKey) {

    /**
     * @param props resolves a property by its key (Camel's properties component in the middleware), empty when unset;
     *              a function rather than the component so the bridge needs no framework
     */
    public static AnchorSettings from(Function<String, Optional<String>> props) {
        String contract = string(props, "caduceus.anchor.contract", "").trim();
        return new AnchorSettings(
                Boolean.parseBoolean(string(props, "caduceus.anchor.enabled", "true")),
                Path.of(string(props, "caduceus.anchor.directory", "data/anchor")),
                Path.of(string(props, "caduceus.anchor.keystore-file", "data/anchor/anchorer.keystore.json")),
                Path.of(string(props, "caduceus.anchor.keystore-password-file", "data/anchor/anchorer.password")),
                contract.isEmpty() ? Optional.empty() : Optional.of(contract),
                Long.parseLong(string(props, "caduceus.anchor.max-entries", "1000")),
                Duration.ofMillis(Long.parseLong(string(props, "caduceus.anchor.max-interval-ms", "600000"))),
                Integer.parseInt(string(props, "caduceus.anchor.confirmations", "12")),
                Duration.ofMillis(Long.parseLong(string(props, "caduceus.anchor.held-check-interval-ms", "60000"))),
                Long.parseLong(string(props, "caduceus.anchor.gas-limit", "100000")),
                Long.parseLong(string(props, "caduceus.anchor.deploy-gas-limit", "1000000")),
                Duration.ofMillis(Long.parseLong(string(props, "caduceus.anchor.rpc-timeout-ms", "10000"))),
                Duration.ofMillis(Long.parseLong(string(props, "caduceus.anchor.receipt-timeout-ms", "120000"))),
                string(props, "caduceus.anchor.fabric-channel", "caduceus"),
                Boolean.parseBoolean(string(props, "caduceus.anchor.devnet-bootstrap", "false")),
                new BigDecimal(string(props, "caduceus.anchor.devnet-funding-eth", "10")),
                URI.create(string(props, "ethereum.rpc.url", "http://127.0.0.1:8545")),
                Long.parseLong(string(props, "ethereum.chain.id", "31337")),
                string(props, "caduceus.kafka.topic.ledger-entries", "caduceus.ledger-entries"),
                Duration.ofMillis(Long.parseLong(string(props, "caduceus.anchor.feed.poll-ms", "1000"))),
                Duration.ofMillis(Long.parseLong(string(props, "caduceus.anchor.feed.call-timeout-ms", "10000"))),
                Integer.parseInt(string(props, "caduceus.anchor.feed.max-batch", "5000")),
                () -> props.apply("ethereum.dev.private.key").map(String::trim).filter(k -> !k.isEmpty()));
    }

    private static String string(Function<String, Optional<String>> props, String key, String fallback) {
        return props.apply(key).map(String::trim).orElse(fallback);
    }
}
