package io.caduceus.adapters.kafka;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/** Kafka clients and records for the consumer tests: the middleware's key, and records as it or a stranger writes them. */
public final class TestKafka {

    /** The middleware's record MAC key in these tests. */
    public static final RecordMac MIDDLEWARE = RecordMac.withKeys(filled(3), List.of());
    /** A stranger's key: MACs under it are well-formed but not the middleware's. */
    public static final RecordMac STRANGER = RecordMac.withKeys(filled(4), List.of());

    private TestKafka() {
    }

    /** Plain clients to a cluster nothing listens on, authenticating records with {@link #MIDDLEWARE}. */
    public static KafkaClients plain() {
        return KafkaClients.create("127.0.0.1:1", KafkaClientSecurity.PLAINTEXT, MIDDLEWARE);
    }

    /** SASL_SSL clients, their secrets in files under {@code dir}. */
    public static KafkaClients secured(Path dir) throws Exception {
        Path trust = Files.writeString(dir.resolve("ca.p12"), "x");
        Path password = Files.writeString(dir.resolve("ca.password"), "trust-pw\n");
        Path jaas = Files.writeString(dir.resolve("jaas.conf"),
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"mw\" password=\"pw\";");
        return KafkaClients.create("broker:9093", new KafkaClientSecurity("SASL_SSL",
                new KafkaClientSecurity.Store(trust, "PKCS12", password), null, null, true, "PLAIN", jaas), MIDDLEWARE);
    }

    /** A record at {@code offset} of partition 0, MAC'd by {@code writer} for {@code stream} (null: no MAC header). */
    public static ConsumerRecord<String, byte[]> record(String topic, long offset, String key, String value,
            RecordMac writer, RecordMac.Stream stream) {
        byte[] bytes = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        RecordHeaders headers = new RecordHeaders();
        if (writer != null) {
            headers.add(RecordMac.HEADER, writer.header(stream, bytes));
        }
        return new ConsumerRecord<>(topic, 0, offset, 0L, TimestampType.CREATE_TIME, -1, -1, key, bytes, headers,
                Optional.empty());
    }

    private static byte[] filled(int b) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) b);
        return key;
    }
}
