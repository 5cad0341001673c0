package io.caduceus.adapters.kafka.ledger;

import io.caduceus.ingest.ledger.LedgerBatcher;
import io.caduceus.ingest.ledger.RetryPolicy;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the forwarders from Kafka to the ledger read and how they batch: the part of the private ledger's options
 * ("Private ledger (Fabric)" in application.properties) that concerns Kafka.
 *
 * @param batcher        how entries are cut into ledger transactions (and the retry budget of each)
 * @param commitInterval how often consumed offsets are committed (those the ledger already holds)
 */
public record ForwarderSettings(String ledgerTopic, String consumerGroup, String deadLetterTopic,
                                Duration commitInterval, String accessEventsTopic, LedgerBatcher.Config batcher) {

    /** @param properties the application's configuration (Camel's {@code PropertiesComponent::resolveProperty}) */
    public static ForwarderSettings from(Function<String, Optional<String>> properties) {
        RetryPolicy retry = new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(200), Duration.ofSeconds(5), 2.0, 0.2,
                Duration.ofMillis(Long.parseLong(string(properties, "caduceus.fabric.retry-budget-ms",
                        Long.toString(RetryPolicy.DEFAULT_BUDGET.toMillis())))));
        LedgerBatcher.Config batcher = new LedgerBatcher.Config(
                Integer.parseInt(string(properties, "caduceus.fabric.batch.max-entries", "1000")),
                Duration.ofMillis(Long.parseLong(string(properties, "caduceus.fabric.batch.max-delay-ms", "250"))),
                Integer.parseInt(string(properties, "caduceus.fabric.batch.in-flight", "8")),
                retry);
        return new ForwarderSettings(
                string(properties, "caduceus.kafka.topic.ledger-entries", "caduceus.ledger-entries"),
                string(properties, "caduceus.fabric.consumer-group", "caduceus-fabric-writer"),
                string(properties, "caduceus.kafka.topic.ledger-dead-letter", "caduceus.ledger-entries.dead-letter"),
                Duration.ofMillis(Long.parseLong(string(properties, "caduceus.fabric.commit-interval-ms", "1000"))),
                string(properties, "caduceus.kafka.topic.access-events", "caduceus.access-events"),
                batcher);
    }

    private static String string(Function<String, Optional<String>> properties, String key, String fallback) {
        return properties.apply(key).map(String::trim).orElse(fallback);
    }
}
