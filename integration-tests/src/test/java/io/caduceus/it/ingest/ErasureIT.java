package io.caduceus.it.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.Hl7Messages;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.KafkaTopicReader;
import io.caduceus.it.MllpClient;
import io.caduceus.it.TestIssuer;
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
 * erasure is recorded as an event without identifiers, a retransmission of the erased message is refused and kept
 * nowhere, not even in quarantine, and a new message about the same patient (same MRN) is stored again under a new
 * key generation. An unknown identifier is answered exactly alike and leaves no trace.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka"})
class ErasureIT {

    private static final String ANSWER = "{\"status\":\"processed\"}";

    @TempDir
    Path work;

    @Test
    void erasedPatientIsForgottenAndStoredAgainWhenTheyReturn() throws Exception {
        String suffix = Long.toString(System.nanoTime());
        String erasures = "it.erasures." + suffix;
        String ledger = "it.erasure.ledger-entries." + suffix;
        String mrn = "MRN-ERASE-" + suffix;
        try (InProcessMiddleware middleware = InProcessMiddleware.start(work, Map.of("caduceus.kafka.topic.ledger-entries", ledger,
                "caduceus.kafka.topic.quarantine", "it.erasure.quarantine." + suffix, "caduceus.kafka.topic.erasures", erasures))) {
            String message = adt("ERASE-" + suffix, mrn, "Forgetmenot");
            String recordId = middleware.recordIdOf("ERASE-" + suffix);
            try (MllpClient client = middleware.mllpClient()) {
                assertThat(MllpClient.ackCode(client.send(message))).isEqualTo("AA");
            }
            LedgerEntry entry = ledgerEntry(ledger, recordId);
            String pseudonym = entry.patientPseudonym().orElseThrow().value();
            assertThat(middleware.ingest().vault().get(recordId)).isPresent();

            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            URI erasure = URI.create("http://127.0.0.1:" + middleware.httpPort() + "/api/erasure");
            HttpResponse<String> bad = post(http, erasure, "{\"pseudonym\":\"Forgetmenot\",\"reason\":\"test\"}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).doesNotContain("Forgetmenot");
            HttpResponse<String> noReason = post(http, erasure, identifier(mrn, null));
            assertThat(noReason.statusCode()).isEqualTo(400);
            assertThat(middleware.ingest().vault().get(recordId)).as("refused requests erase nothing").isPresent();

            // An identifier nothing is stored under: the same answer as any other, and no trace.
            HttpResponse<String> unknown = post(http, erasure, identifier("MRN-NOBODY-" + suffix, "checking"));
            assertNoOracle(unknown);

            HttpResponse<String> erased = post(http, erasure, identifier(mrn, "the patient asked in writing"));
            assertNoOracle(erased);
            assertThat(erased.headers().map().keySet()).isEqualTo(unknown.headers().map().keySet());
            assertThatThrownBy(() -> middleware.ingest().vault().get(recordId)).isInstanceOf(RecordErasedException.class);
            assertThat(middleware.ingest().vault().recordsOfPatient(pseudonym)).isEmpty();

            // The erased message itself, sent again: refused, kept nowhere.
            int quarantined = middleware.ingest().vault().listQuarantined().size();
            try (MllpClient client = middleware.mllpClient()) {
                String again = client.send(message);
                assertThat(MllpClient.ackCode(again)).isEqualTo("AE");
                assertThat(again).contains("206^Application record locked").doesNotContain("Forgetmenot");
            }
            assertThat(middleware.ingest().vault().listQuarantined()).as("nothing about the erased message is kept").hasSize(quarantined);

            // The patient returns: a new message with the SAME MRN is stored again (new key generation, new ledger
            // entry under the same pseudonym); the erased record stays unreadable.
            String newerId = middleware.recordIdOf("ERASE-NEWER-" + suffix);
            try (MllpClient client = middleware.mllpClient()) {
                assertThat(MllpClient.ackCode(client.send(adt("ERASE-NEWER-" + suffix, mrn, "Forgetmenot")))).isEqualTo("AA");
            }
            assertThat(middleware.ingest().vault().get(newerId)).isPresent();
            assertThat(middleware.ingest().vault().recordsOfPatient(pseudonym)).containsExactly(newerId);
            assertThat(ledgerEntry(ledger, newerId).patientPseudonym().orElseThrow().value()).isEqualTo(pseudonym);
            assertThatThrownBy(() -> middleware.ingest().vault().get(recordId)).isInstanceOf(RecordErasedException.class);

            // Exactly one event: the unknown identifier wrote none.
            List<ConsumerRecord<String, String>> events = KafkaTopicReader.readAll(Devnet.property("kafka.bootstrap.servers"), erasures,
                    Duration.ofSeconds(20), records -> !records.isEmpty());
            assertThat(events).hasSize(1);
            assertThat(events.get(0).key()).isEqualTo(pseudonym);
            assertThat(events.get(0).value()).contains("\"event\":\"patient-erased\"").contains(pseudonym)
                    .contains("\"reason\":\"the patient asked in writing\"").contains("\"requestedBy\":\"it-client\"")
                    .doesNotContain("Forgetmenot").doesNotContain(mrn).doesNotContain("MRN-NOBODY");
        }
    }

    private static void assertNoOracle(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo(ANSWER);
        assertThat(answer.headers().map().toString()).doesNotContain("pp1_").doesNotContain("kafka");
    }

    private static HttpResponse<String> post(HttpClient http, URI uri, String body) throws Exception {
        return http.send(TestIssuer.authorized(HttpRequest.newBuilder(uri), "caduceus.privacy-officer").timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String identifier(String mrn, String reason) {
        // PID-3 "<mrn>^^^GENERAL^MR" is mapped to system urn:id:GENERAL, which the erasure pseudonymizes alike.
        return "{\"identifierSystem\":\"urn:id:GENERAL\",\"identifierValue\":\"" + mrn + "\""
                + (reason == null ? "" : ",\"reason\":\"" + reason + "\"") + "}";
    }

    private static LedgerEntry ledgerEntry(String topic, String recordId) {
        List<ConsumerRecord<String, String>> entries = KafkaTopicReader.readAll(Devnet.property("kafka.bootstrap.servers"), topic,
                Duration.ofSeconds(20), records -> records.stream().anyMatch(r -> r.key().equals(recordId)));
        return LedgerEntry.fromJson(entries.stream().filter(r -> r.key().equals(recordId)).findFirst().orElseThrow().value());
    }

    /** An ADT^A04 from HIS^GENERAL about the patient with this MRN. */
    private static String adt(String controlId, String mrn, String surname) {
        return "MSH|^~\\&|HIS|GENERAL|CADUCEUS|HUB|20261125101500||ADT^A04^ADT_A01|" + controlId + "|P|2.5.1\r"
                + "EVN|A04|20261125101500\r"
                + "PID|1||" + mrn + "^^^GENERAL^MR||" + surname + "^Jane^^^^^L||19700101|F\r"
                + "PV1|1|O|CLINIC^^^GENERAL\r";
    }
}
