package io.caduceus.adapters.kafka;

import io.caduceus.adapters.kafka.KafkaTopics;
import io.caduceus.adapters.kafka.KafkaClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the middleware's Kafka topics in the background, retrying until the cluster answers, so the middleware
 * starts (and reports Kafka as down on its health endpoint) even when the broker comes up after it.
 */
public final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final Duration ATTEMPT_DEADLINE = Duration.ofSeconds(10);
    private static final long RETRY_MILLIS = 5_000;

    private TopicProvisioner() {
    }

    public static Thread start(CamelContext context) {
        var props = context.getPropertiesComponent();
        KafkaClients kafka = KafkaClients.of(context);
        List<KafkaTopics.Topic> topics = List.of(
                new KafkaTopics.Topic(props.resolveProperty("caduceus.kafka.topic.ledger-entries").orElseThrow(),
                        Integer.parseInt(props.resolveProperty("caduceus.kafka.topic.ledger-entries.partitions").orElse("6")),
                        (short) 1, Map.of()),
                new KafkaTopics.Topic(props.resolveProperty("caduceus.kafka.topic.quarantine").orElseThrow(), 1, (short) 1, Map.of()),
                new KafkaTopics.Topic(props.resolveProperty("caduceus.kafka.topic.erasures").orElseThrow(), 1, (short) 1, Map.of()),
                new KafkaTopics.Topic(props.resolveProperty("caduceus.kafka.topic.access-events").orElseThrow(), 1, (short) 1, Map.of()),
                new KafkaTopics.Topic(props.resolveProperty("caduceus.kafka.topic.ledger-dead-letter")
                        .orElse("caduceus.ledger-entries.dead-letter"), 1, (short) 1, Map.of()),
                new KafkaTopics.Topic(props.resolveProperty("caduceus.kafka.topic.access-events").orElseThrow()
                        + ".dead-letter", 1, (short) 1, Map.of()));
        Thread thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    List<String> created = KafkaTopics.ensureExist(kafka.bootstrapServers(),
                            kafka.securityProperties(), topics, ATTEMPT_DEADLINE);
                    LOG.info("Kafka topics ready{}", created.isEmpty() ? "" : " (created " + created + ")");
                    return;
                } catch (KafkaTopics.KafkaTopicsException e) {
                    LOG.warn("{}; retrying in {} s", e.getMessage(), RETRY_MILLIS / 1000);
                    try {
                        Thread.sleep(RETRY_MILLIS);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }, "caduceus-topic-provisioner");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
