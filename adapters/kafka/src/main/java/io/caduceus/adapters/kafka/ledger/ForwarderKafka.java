package io.caduceus.adapters.kafka.ledger;

import io.caduceus.adapters.kafka.KafkaClients;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka clients of the forwarders to Fabric: a consumer group that commits by hand, a dead-letter producer; both
 * with the middleware's Kafka security settings ({@link KafkaClients#properties}).
 */
final class ForwarderKafka {

    private static final int FETCH_MIN_BYTES = 256 * 1024;
    private static final long FETCH_MAX_WAIT_MILLIS = 100;

    private ForwarderKafka() {
    }

    /**
     * Offsets are committed only after Fabric committed what they cover. The broker gathers entries for a fetch
     * (256 KiB, or up to half the batch delay) instead of answering each poll with the few that just arrived: a fetch
     * per handful of entries cost the broker about three times its CPU per message under load.
     *
     * @param maxPollInterval how long the loop may go without polling: longer than a batch's whole retry budget
     */
    static Properties consumer(KafkaClients kafka, String group, String clientId, int maxPollRecords,
            Duration batchDelay, Duration maxPollInterval) {
        Properties c = kafka.properties(clientId);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
        c.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, Integer.toString(FETCH_MIN_BYTES));
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Long.toString(
                Math.max(1, Math.min(FETCH_MAX_WAIT_MILLIS, batchDelay.toMillis() / 2))));
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(Math.max(300_000, maxPollInterval.toMillis())));
        c.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return c;
    }

    static Properties deadLetterProducer(KafkaClients kafka, String clientId) {
        Properties p = kafka.properties(clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return p;
    }
}
