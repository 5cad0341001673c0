package io.caduceus.adapters.kafka.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.ingest.ledger.LedgerBatcher;
import io.caduceus.ingest.ledger.RetryPolicy;
import io.caduceus.adapters.kafka.RecordMac;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.MessageId;
import io.caduceus.core.domain.RecordIds;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Sha256;
import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.adapters.kafka.KafkaClients;
import io.caduceus.adapters.kafka.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forwarders to Fabric take only records the middleware wrote: a stranger's goes to the dead-letter topic and never
 * to the batcher, and their Kafka clients carry the security settings.
 */
class ForwarderRefusalTest {

    private static final String LEDGER_TOPIC = "ledger";
    private static final String ACCESS_TOPIC = "access";
    private static final ForwarderSettings SETTINGS = new ForwarderSettings(LEDGER_TOPIC, "group", "ledger.dead-letter",
            Duration.ofSeconds(1), ACCESS_TOPIC, new LedgerBatcher.Config(10, Duration.ofMillis(100), 1,
                    new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), 2.0, 0.0, Duration.ofSeconds(1))));

    @TempDir
    Path dir;

    private final MockProducer<String, byte[]> deadLetters = new MockProducer<>(true, new StringSerializer(),
            new ByteArraySerializer());

    @Test
    void aLedgerEntryWithoutTheMiddlewaresMacGoesToTheDeadLetterTopicNotToFabric() {
        LedgerForwarder forwarder = new LedgerForwarder(SETTINGS, null, TestKafka.plain());
        LedgerEntry bogus = entry("forged");

        LedgerEntry admitted = forwarder.admit(TestKafka.record(LEDGER_TOPIC, 7, bogus.recordId().value(), bogus.toJson(),
                TestKafka.STRANGER, RecordMac.Stream.LEDGER_ENTRIES), deadLetters);

        assertThat(admitted).isNull();
        assertThat(deadLetters.history()).hasSize(1);
        ProducerRecord<String, byte[]> dead = deadLetters.history().get(0);
        assertThat(dead.topic()).isEqualTo("ledger.dead-letter");
        assertThat(dead.value()).isEqualTo(bogus.toJsonBytes());
        assertThat(header(dead, "caduceus.refusal")).isEqualTo("UNAUTHENTICATED");
        assertThat(header(dead, "caduceus.mac")).isEqualTo("UNKNOWN_KEY");
        assertThat(header(dead, "caduceus.source")).isEqualTo("ledger-0@7");
        assertThat(forwarder.status()).containsEntry("refusedUnauthenticated", 1L).containsEntry("forwarded", 0L);
    }

    @Test
    void aLedgerEntryWithoutAnyMacIsRefusedAndTheMiddlewaresOwnIsAdmitted() {
        LedgerForwarder forwarder = new LedgerForwarder(SETTINGS, null, TestKafka.plain());
        LedgerEntry real = entry("real");

        assertThat(forwarder.admit(TestKafka.record(LEDGER_TOPIC, 0, "k", entry("forged").toJson(), null, null),
                deadLetters)).isNull();
        assertThat(forwarder.admit(TestKafka.record(LEDGER_TOPIC, 1, "k", real.toJson(), TestKafka.MIDDLEWARE,
                RecordMac.Stream.LEDGER_ENTRIES), deadLetters)).isEqualTo(real);

        assertThat(deadLetters.history()).hasSize(1);
        assertThat(header(deadLetters.history().get(0), "caduceus.mac")).isEqualTo("MISSING");
        assertThat(forwarder.status()).containsEntry("refusedUnauthenticated", 1L);
    }

    @Test
    void anAccessEventWithoutTheMiddlewaresMacGoesToTheDeadLetterTopic() {
        AccessLogForwarder forwarder = new AccessLogForwarder(SETTINGS, null, TestKafka.plain());
        String event = "{\"accessId\":\"invented\"}";

        assertThat(forwarder.admit(TestKafka.record(ACCESS_TOPIC, 3, null, event, null, null), deadLetters)).isFalse();
        assertThat(forwarder.admit(TestKafka.record(ACCESS_TOPIC, 4, null, event, TestKafka.MIDDLEWARE,
                RecordMac.Stream.LEDGER_ENTRIES), deadLetters)).as("a ledger-entry MAC is not an access-event MAC")
                .isFalse();
        assertThat(forwarder.admit(TestKafka.record(ACCESS_TOPIC, 5, null, event, TestKafka.MIDDLEWARE,
                RecordMac.Stream.ACCESS_EVENTS), deadLetters)).isTrue();

        assertThat(deadLetters.history()).hasSize(2).allSatisfy(dead -> {
            assertThat(dead.topic()).isEqualTo("access.dead-letter");
            assertThat(header(dead, "caduceus.refusal")).isEqualTo("UNAUTHENTICATED");
            assertThat(dead.value()).isEqualTo(event.getBytes(StandardCharsets.UTF_8));
        });
        assertThat(header(deadLetters.history().get(1), "caduceus.source")).isEqualTo("access-0@4");
        assertThat(forwarder.status()).containsEntry("refusedUnauthenticated", 2L).containsEntry("deadLettered", 0L);
    }

    @Test
    void theForwardersConsumersAndDeadLetterProducersCarryTheSecuritySettings() throws Exception {
        KafkaClients kafka = TestKafka.secured(dir);
        for (Properties p : List.of(
                ForwarderKafka.consumer(kafka, "g", "c", 10, Duration.ofMillis(100), Duration.ofMinutes(1)),
                ForwarderKafka.deadLetterProducer(kafka, "p"))) {
            assertThat(p).containsEntry("bootstrap.servers", "broker:9093").containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "PLAIN").containsEntry("ssl.truststore.password", "trust-pw")
                    .containsKey("sasl.jaas.config");
        }
    }

    private static String header(ProducerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static LedgerEntry entry(String content) {
        SourceSystem his = new SourceSystem("HIS", "GENERAL");
        return new LedgerEntry(new RecordIds(new DeploymentKeys(new byte[32])).forMessage(new MessageId(his, "C-9")), Sha256.digest(content.getBytes(StandardCharsets.UTF_8)),
                "ADT^A04", his, Instant.parse("2026-12-07T10:00:00Z"), Optional.empty());
    }
}
