package io.caduceus.it.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The devnet's real Kafka 4.4 KRaft broker, reached with the kafka-clients version Camel 4.17 uses (3.9.1):
 * topic creation, an idempotent acks=all produce, and a consume from a fresh group, with headers.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka"})
class KafkaDevnetIT {

    private static String bootstrap;
    private static Admin admin;
    private static String topic;

    @BeforeAll
    static void createTopic() throws Exception {
        bootstrap = Devnet.property("kafka.bootstrap.servers");
        admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "caduceus-it-admin"));
        topic = "caduceus.it.devnet." + UUID.randomUUID();
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        await("topic " + topic + " visible in the metadata").atMost(Duration.ofSeconds(30))
                .until(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic));
    }

    @AfterAll
    static void deleteTopic() throws Exception {
        if (admin != null) {
            if (topic != null) {
                admin.deleteTopics(Set.of(topic)).all().get(30, TimeUnit.SECONDS);
            }
            admin.close(Duration.ofSeconds(10));
        }
    }

    @Test
    void recordRoundTripsWithKeyValueAndHeaders() throws Exception {
        String key = "patient-ref-" + UUID.randomUUID();
        // Synthetic test payload: no PHI.
        String value = "MSH|^~\\&|CADUCEUS_IT|TEST|||20250101000000||ADT^A01|IT" + UUID.randomUUID() + "|P|2.5";
        String correlationId = UUID.randomUUID().toString();

        RecordMetadata metadata;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
            record.headers().add("caduceus-correlation-id", correlationId.getBytes(StandardCharsets.UTF_8));
            record.headers().add("content-type", "x-application/hl7-v2+er7".getBytes(StandardCharsets.UTF_8));
            metadata = producer.send(record).get(30, TimeUnit.SECONDS);
        }
        assertThat(metadata.topic()).isEqualTo(topic);
        assertThat(metadata.offset()).isGreaterThanOrEqualTo(0);

        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps("caduceus-it-" + UUID.randomUUID()))) {
            consumer.subscribe(List.of(topic));
            await("the produced record").atMost(Duration.ofSeconds(60)).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return !received.isEmpty();
            });
            consumer.commitSync(Duration.ofSeconds(10));
        }

        assertThat(received).hasSize(1);
        ConsumerRecord<String, String> got = received.get(0);
        assertThat(got.key()).isEqualTo(key);
        assertThat(got.value()).isEqualTo(value);
        assertThat(got.partition()).isEqualTo(metadata.partition());
        assertThat(got.offset()).isEqualTo(metadata.offset());
        assertThat(header(got, "caduceus-correlation-id")).isEqualTo(correlationId);
        assertThat(header(got, "content-type")).isEqualTo("x-application/hl7-v2+er7");
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        assertThat(header).as("header %s", name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    private static Properties producerProps() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "caduceus-it-producer");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return props;
    }

    private static Properties consumerProps(String groupId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "caduceus-it-consumer");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return props;
    }
}
