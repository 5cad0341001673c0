package io.caduceus.adapters.kafka;

import io.caduceus.adapters.kafka.RecordMac;
import io.caduceus.adapters.kafka.RecordMac.Stream;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;

/**
 * The step before a route's send to an authenticated topic: fixes the body as the exact text Kafka will carry and
 * sets the {@value RecordMac#HEADER} header over its bytes (camel-kafka passes it on as a record header, as bytes).
 * Bound as {@value #BEAN}; the ledger-entry and access-event consumers refuse records without a valid MAC.
 */
public final class KafkaRecordSigner {

    public static final String BEAN = "kafkaRecordSigner";

    private final RecordMac mac;

    public KafkaRecordSigner(RecordMac mac) {
        this.mac = mac;
    }

    /** Before {@code kafka:{{caduceus.kafka.topic.ledger-entries}}}. */
    public void ledgerEntry(Exchange exchange) {
        sign(exchange, Stream.LEDGER_ENTRIES);
    }

    /** Before {@code kafka:{{caduceus.kafka.topic.access-events}}}. */
    public void accessEvent(Exchange exchange) {
        sign(exchange, Stream.ACCESS_EVENTS);
    }

    private void sign(Exchange exchange, Stream stream) {
        String value = exchange.getMessage().getBody(String.class);
        if (value == null) {
            throw new IllegalStateException("no record to authenticate: the body is empty");
        }
        // A String body goes through Kafka's StringSerializer, which writes UTF-8: the bytes authenticated here.
        exchange.getMessage().setBody(value);
        exchange.getMessage().setHeader(RecordMac.HEADER, mac.header(stream, value.getBytes(StandardCharsets.UTF_8)));
    }
}
