package io.caduceus.adapters.kafka.anchoring;

import io.caduceus.adapters.kafka.KafkaClients;
import io.caduceus.bridge.anchoring.LedgerSource;
import java.time.Duration;
import java.util.Optional;

/**
 * The anchoring log fed from the ledger-entries topic, for a middleware without Fabric: receipts then stay in the
 * bridge's outbox file, and there is no ledger to ask about a transaction.
 */
public final class KafkaLedgerSource {

    private KafkaLedgerSource() {
    }

    /**
     * @param kafka    how the feed reaches the topic and authenticates its entries
     * @param maxBatch most entries appended to the log in one durable step
     */
    public static LedgerSource of(KafkaClients kafka, String topic, Duration pollTimeout, Duration callTimeout,
                                  int maxBatch) {
        return (log, outbox, latency) -> new LedgerSource.Binding(
                new KafkaLedgerFeed(log, kafka, topic, pollTimeout, callTimeout, maxBatch, latency), outbox,
                Optional.empty(), "Kafka topic " + topic + " (no Fabric configured)", () -> { });
    }
}
