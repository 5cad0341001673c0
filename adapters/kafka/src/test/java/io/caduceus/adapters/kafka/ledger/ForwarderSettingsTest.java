package io.caduceus.adapters.kafka.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.ingest.ledger.RetryPolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ForwarderSettingsTest {

    /** The application's configuration as Camel's properties component resolves it, without Camel. */
    private static Function<String, Optional<String>> properties(String... keyValues) {
        Map<String, String> props = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return key -> Optional.ofNullable(props.get(key));
    }

    @Test
    void readsTheBatchOptionsAndTheRetryBudget() {
        ForwarderSettings settings = ForwarderSettings.from(properties("caduceus.fabric.batch.max-entries", "500",
                "caduceus.fabric.batch.max-delay-ms", " 100 ", "caduceus.fabric.retry-budget-ms", "90000"));
        assertThat(settings.batcher().maxBatchSize()).isEqualTo(500);
        assertThat(settings.batcher().maxBatchDelay()).isEqualTo(Duration.ofMillis(100));
        assertThat(settings.batcher().retryPolicy().maxElapsed()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void withoutOptionsTakesTheDocumentedTopicsAndDefaults() {
        ForwarderSettings settings = ForwarderSettings.from(properties());
        assertThat(settings.ledgerTopic()).isEqualTo("caduceus.ledger-entries");
        assertThat(settings.deadLetterTopic()).isEqualTo("caduceus.ledger-entries.dead-letter");
        assertThat(settings.accessEventsTopic()).isEqualTo("caduceus.access-events");
        assertThat(settings.consumerGroup()).isEqualTo("caduceus-fabric-writer");
        assertThat(settings.commitInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.batcher().maxBatchSize()).isEqualTo(1000);
        assertThat(settings.batcher().maxInFlightBatches()).isEqualTo(8);
        assertThat(settings.batcher().retryPolicy().maxElapsed()).isEqualTo(RetryPolicy.DEFAULT_BUDGET);
    }
}
