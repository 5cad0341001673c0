package io.caduceus.adapters.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics Caduceus writes to when they are missing. Brokers run with automatic topic creation off (as
 * production clusters should), and a producer writing to a missing topic would block for a minute and then fail.
 */
public final class KafkaTopics {

    /** A topic and its settings; {@code configs} are topic-level overrides such as {@code min.insync.replicas}. */
    public record Topic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
    }

    private KafkaTopics() {
    }

    /**
     * Creates every missing topic and returns the names it created.
     *
     * @throws KafkaTopicsException when the cluster cannot be reached or refuses within the deadline
     */
    public static List<String> ensureExist(String bootstrapServers, List<Topic> topics, Duration deadline) {
        return ensureExist(bootstrapServers, Map.of(), topics, deadline);
    }

    /**
     * As {@link #ensureExist(String, List, Duration)}, with further client properties (TLS and SASL settings).
     */
    public static List<String> ensureExist(String bootstrapServers, Map<String, ?> clientProperties, List<Topic> topics,
            Duration deadline) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) deadline.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) deadline.toMillis());
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topic topic : topics) {
                if (!existing.contains(topic.name())) {
                    missing.add(new NewTopic(topic.name(), topic.partitions(), topic.replicationFactor()).configs(topic.configs()));
                }
            }
            List<String> created = new ArrayList<>();
            for (var result : admin.createTopics(missing).values().entrySet()) {
                try {
                    result.getValue().get(deadline.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(result.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e; // another instance creating it at the same moment is fine; anything else is not
                    }
                }
            }
            return created;
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaTopicsException("cannot create Kafka topics at " + bootstrapServers + ": "
                    + (e.getCause() == null ? e : e.getCause()).getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaTopicsException("interrupted while creating Kafka topics", e);
        }
    }

    /** Creating topics failed; always retriable from the caller's point of view (the cluster may come up later). */
    public static final class KafkaTopicsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KafkaTopicsException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
