package io.caduceus.edge.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CaduceusMetricsTest {

    @Test
    void countersAndHistogramsFollowPrometheusConventions() {
        CaduceusMetrics metrics = CaduceusMetrics.standalone(10, 10);
        CaduceusMetrics.MessageLabels labels = metrics.labels("HIS", "GENERAL", "ADT", "A01");
        metrics.hl7Received(labels, 1_700_000_000_123L);
        metrics.hl7Acknowledged(labels, "AA", TimeUnit.MILLISECONDS.toNanos(30));
        metrics.hl7Quarantined(labels);
        metrics.mappingTime(TimeUnit.MICROSECONDS.toNanos(700));
        metrics.vaultWrite(TimeUnit.MILLISECONDS.toNanos(2));
        metrics.kafkaSend("caduceus.ledger-entries", false, TimeUnit.MILLISECONDS.toNanos(4));
        metrics.fhirRequest("read", 200, TimeUnit.MILLISECONDS.toNanos(12));

        String scrape = metrics.scrape().orElseThrow();
        assertThat(scrape)
                .contains("caduceus_hl7_messages_received_total{message_type=\"ADT^A01\",sender=\"HIS^GENERAL\"} 1.0")
                .contains("caduceus_hl7_messages_acknowledged_total{code=\"AA\",message_type=\"ADT^A01\",sender=\"HIS^GENERAL\"} 1.0")
                .contains("caduceus_hl7_messages_quarantined_total{message_type=\"ADT^A01\",sender=\"HIS^GENERAL\"} 1.0")
                .contains("caduceus_hl7_sender_last_message_timestamp_seconds{sender=\"HIS^GENERAL\"} 1.700000000123E9")
                // 30 ms falls in the 0.05 s bucket, not in the 0.025 s one.
                .contains("caduceus_hl7_ack_latency_seconds_bucket{code=\"AA\",le=\"0.025\"} 0")
                .contains("caduceus_hl7_ack_latency_seconds_bucket{code=\"AA\",le=\"0.05\"} 1")
                .contains("caduceus_hl7_mapping_seconds_bucket{le=\"0.001\"} 1")
                .contains("caduceus_vault_write_seconds_count 1")
                .contains("caduceus_kafka_produce_seconds_count{outcome=\"ok\",topic=\"caduceus.ledger-entries\"} 1")
                .contains("caduceus_fhir_requests_total{operation=\"read\",status=\"200\"} 1.0")
                .contains("caduceus_fhir_request_duration_seconds_count{operation=\"read\"} 1");
    }

    @Test
    void sendersAndMessageTypesBeyondTheCapAreFoldedIntoOther() {
        CaduceusMetrics metrics = CaduceusMetrics.standalone(2, 2);
        for (int i = 0; i < 50; i++) {
            metrics.hl7Received(metrics.labels("APP" + i, "FAC", "ADT", "A" + i), 0);
        }
        String scrape = metrics.scrape().orElseThrow();
        long series = scrape.lines().filter(l -> l.startsWith("caduceus_hl7_messages_received_total{")).count();
        assertThat(series).as("2 senders x 2 types at most, plus other").isLessThanOrEqualTo(4);
        assertThat(scrape).contains("sender=\"APP0^FAC\"", "sender=\"APP1^FAC\"", "sender=\"other\"")
                .doesNotContain("APP2^FAC", "APP49^FAC");
        assertThat(scrape).contains("caduceus_hl7_messages_received_total{message_type=\"other\",sender=\"other\"} 48.0");
    }

    @Test
    void labelValuesAreCutCleanedAndNeverEmpty() {
        assertThat(LabelLimiter.clean(null)).isEqualTo("unknown");
        assertThat(LabelLimiter.clean("  ")).isEqualTo("unknown");
        assertThat(LabelLimiter.clean("HIS\"\\\n")).isEqualTo("HIS___");
        assertThat(LabelLimiter.clean("X".repeat(500))).hasSize(LabelLimiter.MAX_LENGTH);
        CaduceusMetrics metrics = CaduceusMetrics.standalone(10, 10);
        assertThat(metrics.labels("", "", "", "")).isEqualTo(new CaduceusMetrics.MessageLabels("unknown", "unknown"));
        assertThat(metrics.labels("LAB", "", "ORU", "")).isEqualTo(new CaduceusMetrics.MessageLabels("LAB^", "ORU"));
    }

    @Test
    void disabledMetricsRecordNothingAndServeNothing() {
        CaduceusMetrics metrics = CaduceusMetrics.disabled();
        CaduceusMetrics.MessageLabels labels = metrics.labels("HIS", "GENERAL", "ADT", "A01");
        metrics.hl7Received(labels, 0);
        metrics.hl7Acknowledged(labels, "AA", 1);
        assertThat(metrics.enabled()).isFalse();
        assertThat(metrics.scrape()).isEmpty();
        assertThat(metrics.registry().getMeters()).allSatisfy(m -> assertThat(m.getId().getName())
                .isIn("caduceus.hl7.mapping", "caduceus.vault.write"));
    }

    @Test
    void kafkaTopicIsReadFromTheEndpointUri() {
        assertThat(ExchangeMetrics.kafkaTopic((String) null)).isNull();
        assertThat(ExchangeMetrics.kafkaTopic("kafka://caduceus.ledger-entries?brokers=x")).isEqualTo("caduceus.ledger-entries");
        assertThat(ExchangeMetrics.kafkaTopic("kafka:caduceus.quarantine")).isEqualTo("caduceus.quarantine");
        assertThat(ExchangeMetrics.kafkaTopic("direct://hl7-ingest")).isNull();
    }
}
