package io.caduceus.adapters.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.adapters.kafka.RecordMac;
import io.caduceus.adapters.kafka.RecordMac.Stream;
import io.caduceus.adapters.kafka.RecordMac.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class KafkaRecordSignerTest {

    private static final RecordMac MAC = RecordMac.withKeys(new byte[32], List.of());
    private final KafkaRecordSigner signer = new KafkaRecordSigner(MAC);

    @Test
    void theLedgerEntryIsAuthenticatedOverTheUtf8BytesKafkaWillCarry() {
        String entry = "{\"recordId\":\"r_1\",\"source\":\"HIS^GÉNÉRAL\"}";
        Exchange exchange = exchange(entry.getBytes(StandardCharsets.UTF_8));
        exchange.getMessage().setHeader(RecordMac.HEADER, "forged by a caller");

        signer.ledgerEntry(exchange);

        assertThat(exchange.getMessage().getBody()).isEqualTo(entry);
        byte[] header = exchange.getMessage().getHeader(RecordMac.HEADER, byte[].class);
        assertThat(exchange.getMessage().getHeader(RecordMac.HEADER)).isInstanceOf(byte[].class);
        assertThat(MAC.verify(Stream.LEDGER_ENTRIES, entry.getBytes(StandardCharsets.UTF_8), header))
                .isEqualTo(Verdict.VALID);
        assertThat(MAC.verify(Stream.ACCESS_EVENTS, entry.getBytes(StandardCharsets.UTF_8), header))
                .as("only on the ledger-entry stream").isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void accessEventsAreAuthenticatedForTheirOwnStream() {
        Exchange exchange = exchange("{\"accessId\":\"a\"}");

        signer.accessEvent(exchange);

        assertThat(MAC.verify(Stream.ACCESS_EVENTS, "{\"accessId\":\"a\"}".getBytes(StandardCharsets.UTF_8),
                exchange.getMessage().getHeader(RecordMac.HEADER, byte[].class))).isEqualTo(Verdict.VALID);
    }

    @Test
    void camelKafkaPassesTheHeaderOnToTheRecord() {
        Exchange exchange = exchange("{}");
        signer.ledgerEntry(exchange);

        assertThat(new org.apache.camel.component.kafka.KafkaHeaderFilterStrategy().applyFilterToCamelHeaders(
                RecordMac.HEADER, exchange.getMessage().getHeader(RecordMac.HEADER), exchange))
                .as("filtered out").isFalse();
        assertThat(new org.apache.camel.component.kafka.serde.DefaultKafkaHeaderSerializer().serialize(RecordMac.HEADER,
                exchange.getMessage().getHeader(RecordMac.HEADER))).as("sent as the bytes verified")
                .isEqualTo(exchange.getMessage().getHeader(RecordMac.HEADER, byte[].class));
    }

    @Test
    void nothingToPublishIsAnError() {
        assertThatThrownBy(() -> signer.ledgerEntry(exchange(null))).isInstanceOf(IllegalStateException.class);
    }

    private static Exchange exchange(Object body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(body);
        return exchange;
    }
}
