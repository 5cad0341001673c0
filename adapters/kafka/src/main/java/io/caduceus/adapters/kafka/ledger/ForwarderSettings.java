package io.caduceus.adapters.kafka.ledger;

import io.caduceus.ingest.ledger.LedgerBatcher;
import java.time.Duration;

/**
 * What the forwarders from Kafka to the ledger read and how they batch: the part of the private ledger's options
 * ("Private ledger (Fabric)" in application.properties) that concerns Kafka.
 *
 * @param batcher        how entries are cut into ledger transactions (and the retry budget of each)
 * @param commitInterval how often consumed offsets are committed (those the ledger already holds)
 */
public record ForwarderSettings(String ledgerTopic, String consumerGroup, String deadLetterTopic,
                                Duration commitInterval, String accessEventsTopic, LedgerBatcher.Config batcher) {
}
