package io.caduceus.it.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.adapters.vault.RecordErasedException;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.KafkaTopicReader;
import io.caduceus.it.MllpClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Erasure on request end to end: the patient's records become unreadable, the ledger entry (a commitment) stays, the
 * erasure is recorded as an event without PHI, and an erased message sent again is refused and kept nowhere, not even
 * in quarantine.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka"})
class ErasureIT {

    @TempDir
    Path work;

    @Test
    void erasingAPatientMakesTheirRecordsUnreadableAndRefusesThemAgain() throws Exception {
        String suffix = Long.toString(System.nanoTime());
        String erasures = "it.erasures." + suffix;
        String ledger = "it.erasure.ledger-entries." + suffix;
        try (InProcessMiddleware middleware = InProcessMiddleware.start(work, Map.of("caduceus.kafka.topic.ledger-entries", ledger,
                "caduceus.kafka.topic.quarantine", "it.erasure.quarantine." + suffix, "caduceus.kafka.topic.erasures", erasures))) {
            String message = Hl7MllpIngestIT.adt("ERASE-" + suffix, "Forgetmenot");
            String recordId = middleware.recordIdOf("ERASE-" + suffix);
            try (MllpClient client = middleware.mllpClient()) {
                assertThat(MllpClient.ackCode(client.send(message))).isEqualTo("AA");
            }
            List<ConsumerRecord<String, String>> entries = KafkaTopicReader.readAll(Devnet.property("kafka.bootstrap.servers"), ledger,
                    Duration.ofSeconds(20), records -> records.stream().anyMatch(r -> r.key().equals(recordId)));
            LedgerEntry entry = LedgerEntry.fromJson(entries.stream().filter(r -> r.key().equals(recordId)).findFirst().orElseThrow().value());
            String pseudonym = entry.patientPseudonym().orElseThrow().value();
            assertThat(middleware.ingest().vault().get(recordId)).isPresent();

            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            URI erasure = URI.create("http://127.0.0.1:" + middleware.httpPort() + "/api/erasure");
            HttpResponse<String> bad = http.send(HttpRequest.newBuilder(erasure).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"pseudonym\":\"Forgetmenot\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).doesNotContain("Forgetmenot");
            HttpResponse<String> erased = http.send(HttpRequest.newBuilder(erasure).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"pseudonym\":\"" + pseudonym + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(erased.statusCode()).as(erased.body()).isEqualTo(200);

            assertThatThrownBy(() -> middleware.ingest().vault().get(recordId)).isInstanceOf(RecordErasedException.class);
            int quarantined = middleware.ingest().vault().listQuarantined().size();
            try (MllpClient client = middleware.mllpClient()) {
                String again = client.send(message);
                assertThat(MllpClient.ackCode(again)).isEqualTo("AE");
                assertThat(again).contains("206^Application record locked").doesNotContain("Forgetmenot");
            }
            assertThat(middleware.ingest().vault().listQuarantined()).as("nothing about the erased patient is kept").hasSize(quarantined);
            // A new message about the same patient, after the erasure, is new data (the patient came back): it is stored
            // under a new data key, and the erased record stays unreadable.
            try (MllpClient client = middleware.mllpClient()) {
                assertThat(MllpClient.ackCode(client.send(Hl7MllpIngestIT.adt("ERASE-NEWER-" + suffix, "Forgetmenot")))).isEqualTo("AA");
            }
            String newerId = middleware.recordIdOf("ERASE-NEWER-" + suffix);
            assertThat(middleware.ingest().vault().get(newerId)).isPresent();
            assertThatThrownBy(() -> middleware.ingest().vault().get(recordId)).isInstanceOf(RecordErasedException.class);

            List<ConsumerRecord<String, String>> events = KafkaTopicReader.readAll(Devnet.property("kafka.bootstrap.servers"), erasures,
                    Duration.ofSeconds(20), records -> !records.isEmpty());
            assertThat(events).hasSize(1);
            assertThat(events.get(0).key()).isEqualTo(pseudonym);
            assertThat(events.get(0).value()).contains("\"event\":\"patient-erased\"").contains(pseudonym)
                    .doesNotContain("Forgetmenot").doesNotContain("MRN");
        }
    }
}
