package io.caduceus.adapters.kafka.anchoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.adapters.kafka.RecordMac;
import io.caduceus.bridge.AnchoringLog;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.MessageId;
import io.caduceus.core.domain.RecordIds;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Sha256;
import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.adapters.kafka.TestKafka;
import io.caduceus.bridge.anchoring.AnchorLatency;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaLedgerFeedTest {

    private static final String TOPIC = "ledger";
    private static final RecordIds RECORD_IDS = new RecordIds(new DeploymentKeys(new byte[32]));

    @TempDir
    Path dir;

    @Test
    void theConsumerCarriesTheSecuritySettings() throws Exception {
        try (AnchoringLog log = AnchoringLog.open(dir.resolve("log"))) {
            KafkaLedgerFeed feed = feed(log, TestKafka.secured(dir));

            assertThat(feed.consumerProperties()).containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "PLAIN").containsEntry("ssl.truststore.password", "trust-pw")
                    .containsEntry("bootstrap.servers", "broker:9093").containsEntry("client.id", "caduceus-anchor-feed");
        }
    }

    @Test
    void aStrangersEntryForAFutureRecordIsRefusedAndTheRealEntryIsLoggedAfterIt() {
        LedgerEntry real = entry("C-1", "the real record");
        LedgerEntry bogus = new LedgerEntry(real.recordId(), Sha256.digest("forged".getBytes(StandardCharsets.UTF_8)),
                real.messageType(), real.source(), real.receivedAt(), Optional.empty());
        try (AnchoringLog log = AnchoringLog.open(dir.resolve("log"))) {
            KafkaLedgerFeed feed = feed(log, TestKafka.plain());
            Map<Integer, Long> next = new TreeMap<>();

            feed.append(batch(
                    TestKafka.record(TOPIC, 0, "k", bogus.toJson(), null, null),
                    TestKafka.record(TOPIC, 1, "k", bogus.toJson(), TestKafka.STRANGER, RecordMac.Stream.LEDGER_ENTRIES),
                    TestKafka.record(TOPIC, 2, "k", bogus.toJson(), TestKafka.MIDDLEWARE, RecordMac.Stream.ACCESS_EVENTS)),
                    next);

            assertThat(log.size()).as("nothing the middleware did not write").isZero();
            assertThat(next).containsEntry(0, 3L);
            assertThat(feed.status()).containsEntry("refusedUnauthenticated", 3L).containsEntry("skippedMalformed", 0L);

            feed.append(batch(TestKafka.record(TOPIC, 3, real.recordId().value(), real.toJson(), TestKafka.MIDDLEWARE,
                    RecordMac.Stream.LEDGER_ENTRIES)), next);

            assertThat(log.leafIndex(real.recordId())).hasValue(0);
            assertThat(log.commitment(0)).isEqualTo(real.commitment());
            assertThat(feed.status()).containsEntry("conflicts", 0L).containsEntry("refusedUnauthenticated", 3L);
        }
    }

    @Test
    void anAuthenticEntryThatIsNotALedgerEntryIsSkippedAsMalformed() {
        try (AnchoringLog log = AnchoringLog.open(dir.resolve("log"))) {
            KafkaLedgerFeed feed = feed(log, TestKafka.plain());

            feed.append(batch(TestKafka.record(TOPIC, 0, "k", "{not json", TestKafka.MIDDLEWARE,
                    RecordMac.Stream.LEDGER_ENTRIES)), new TreeMap<>());

            assertThat(feed.status()).containsEntry("skippedMalformed", 1L).containsEntry("refusedUnauthenticated", 0L);
        }
    }

    private static KafkaLedgerFeed feed(AnchoringLog log, io.caduceus.adapters.kafka.KafkaClients kafka) {
        return new KafkaLedgerFeed(log, kafka, TOPIC, Duration.ofMillis(100), Duration.ofSeconds(1), 100,
                new AnchorLatency());
    }

    @SafeVarargs
    private static ConsumerRecords<String, byte[]> batch(ConsumerRecord<String, byte[]>... records) {
        return new ConsumerRecords<>(Map.of(new TopicPartition(TOPIC, 0), List.of(records)));
    }

    private static LedgerEntry entry(String controlId, String content) {
        SourceSystem his = new SourceSystem("HIS", "GENERAL");
        return new LedgerEntry(RECORD_IDS.forMessage(new MessageId(his, controlId)),
                Sha256.digest(content.getBytes(StandardCharsets.UTF_8)), "ADT^A04", his,
                Instant.parse("2026-12-07T10:00:00Z"), Optional.empty());
    }
}
