package io.caduceus.adapters.kafka.ledger;

import io.caduceus.adapters.kafka.RecordMac;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Where the forwarders put a record the middleware did not write: its dead-letter topic, as it was (key and value),
 * with {@code caduceus.refusal: UNAUTHENTICATED}, the MAC verdict and where it was read, for whoever investigates.
 */
final class UnauthenticatedRecords {

    private UnauthenticatedRecords() {
    }

    /**
     * Sends the record to {@code topic} and waits until Kafka took it.
     *
     * @throws IllegalStateException when it was not taken: the forwarder then starts over from its committed offsets,
     *                               so the record is read (and refused) again rather than skipped unrecorded
     */
    static void deadLetter(Producer<String, byte[]> producer, String topic, ConsumerRecord<String, byte[]> record,
            RecordMac.Verdict verdict) {
        ProducerRecord<String, byte[]> dead = new ProducerRecord<>(topic, record.key(), record.value());
        dead.headers().add("caduceus.refusal", "UNAUTHENTICATED".getBytes(StandardCharsets.UTF_8));
        dead.headers().add("caduceus.mac", verdict.name().getBytes(StandardCharsets.UTF_8));
        dead.headers().add("caduceus.source", (record.topic() + "-" + record.partition() + "@" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(dead).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering a refused record", e);
        } catch (Exception e) {
            throw new IllegalStateException("the dead-letter topic " + topic + " did not take a refused record", e);
        }
    }
}
