package io.caduceus.it.support;

import io.caduceus.it.Devnet;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writing to the devnet's Kafka broker directly, as the middleware does or as a stranger on the network could. */
public final class DevnetKafka {

    private DevnetKafka() {
    }

    /** A producer of string keys and values that gives up after 10 s when the broker does not answer. */
    public static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(
                "bootstrap.servers", Devnet.property("kafka.bootstrap.servers"),
                "key.serializer", StringSerializer.class.getName(),
                "value.serializer", StringSerializer.class.getName(),
                "max.block.ms", "10000"));
    }
}
