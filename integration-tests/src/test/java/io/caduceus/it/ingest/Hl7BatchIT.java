package io.caduceus.it.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.Hl7Messages;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.KafkaTopicReader;
import io.caduceus.it.MllpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * HL7 batches on the real devnet Kafka: a batch file of N messages with a bad one in the middle, dropped in the watched
 * folder, and the same kind of batch in one MLLP frame. Each good message is in the vault with its ledger entry on
 * Kafka exactly once, the bad one is quarantined with its code (AE 101) and announced once on the quarantine topic,
 * and the batch acknowledgement answers every message in order.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Hl7BatchIT {

    private static final int MESSAGES = 6;
    private static final int BAD = 3;
    /** A surname no fixture uses: it must never reach Kafka. */
    private static final String CANARY = "Zzyzxbatch";

    @TempDir
    static Path work;

    private InProcessMiddleware middleware;
    private Path batches;

    @BeforeAll
    void start() throws Exception {
        batches = work.resolve("hl7-batch");
        middleware = InProcessMiddleware.start(work, Map.of(
                "caduceus.kafka.topic.ledger-entries", "it.ledger-entries." + System.nanoTime(),
                "caduceus.kafka.topic.quarantine", "it.quarantine." + System.nanoTime(),
                "caduceus.hl7.batch.enabled", "true",
                "caduceus.hl7.batch.directory", batches.toString(),
                "caduceus.hl7.batch.poll-ms", "500"));
    }

    @AfterAll
    void stop() {
        if (middleware != null) {
            middleware.close();
        }
    }

    /** Message i of a batch; message {@link #BAD} has no patient identifier (PID-3), which no sender may leave out. */
    private static String message(String prefix, int i) {
        String message = Hl7Messages.adt(prefix + "-" + i, CANARY);
        return i == BAD ? message.replace("MRN-" + prefix + "-" + i + "^^^GENERAL^MR", "") : message;
    }

    private static String batch(String prefix, String lineEnd) {
        StringBuilder batch = new StringBuilder();
        batch.append("FHS|^~\\&|HIS|GENERAL|CADUCEUS|HUB|20261207101500||||F-").append(prefix).append("|\r");
        batch.append("BHS|^~\\&|HIS|GENERAL|CADUCEUS|HUB|20261207101500||||B-").append(prefix).append("|\r");
        for (int i = 1; i <= MESSAGES; i++) {
            batch.append(message(prefix, i));
        }
        batch.append("BTS|").append(MESSAGES).append("\rFTS|1\r");
        return batch.toString().replace("\r", lineEnd);
    }

    @Test
    void aBatchFileDroppedInTheInboxIsProcessedMessageByMessage() throws Exception {
        String input = batch("FILE", "\r\n");
        Path inbox = Files.createDirectories(batches.resolve("inbox"));
        Files.writeString(inbox.resolve(".registry-upload.hl7"), input, StandardCharsets.ISO_8859_1);
        Files.move(inbox.resolve(".registry-upload.hl7"), inbox.resolve("registry-upload.hl7"));

        Path ackFile = batches.resolve("outbox/registry-upload.hl7.ack");
        Path done = batches.resolve("done/registry-upload.hl7");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(ackFile) && Files.exists(done));

        assertThat(Files.exists(inbox.resolve("registry-upload.hl7"))).isFalse();
        assertThat(Files.exists(batches.resolve("failed/registry-upload.hl7"))).isFalse();
        String ack = Files.readString(ackFile, StandardCharsets.ISO_8859_1);
        // The input used CRLF: so does its acknowledgement.
        checkAcknowledgement(ack.replace("\r\n", "\r"), "FILE");
        assertThat(ack.split("\r\n")[0]).startsWith("FHS|^~\\&|CADUCEUS|HUB|HIS|GENERAL|").endsWith("|F-FILE");
        checkStoredOnceAndBadOneQuarantined("FILE");
    }

    @Test
    void aBatchInOneMllpFrameIsAnsweredOnTheConnection() throws Exception {
        String ack;
        try (MllpClient client = middleware.mllpClient()) {
            ack = client.send(batch("MLLP", "\r"));
        }

        checkAcknowledgement(ack, "MLLP");
        assertThat(ack.split("\r")[0]).startsWith("FHS|^~\\&|CADUCEUS|HUB|HIS|GENERAL|").endsWith("|F-MLLP");
        checkStoredOnceAndBadOneQuarantined("MLLP");
    }

    /** FHS, BHS naming the input's batch, one ACK per message in order (AE 101 for the bad one), BTS-1 the count. */
    private static void checkAcknowledgement(String ack, String prefix) {
        List<String> segments = List.of(ack.split("\r"));
        assertThat(segments.get(0)).startsWith("FHS|");
        assertThat(segments.get(1)).startsWith("BHS|^~\\&|CADUCEUS|HUB|HIS|GENERAL|").endsWith("|B-" + prefix);
        List<String> msa = segments.stream().filter(s -> s.startsWith("MSA|")).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= MESSAGES; i++) {
            expected.add(i == BAD ? "MSA|AE|" + prefix + "-" + i + "|" : "MSA|AA|" + prefix + "-" + i);
        }
        assertThat(msa).hasSize(MESSAGES);
        for (int i = 0; i < MESSAGES; i++) {
            assertThat(msa.get(i)).startsWith(expected.get(i));
        }
        assertThat(segments).anyMatch(s -> s.startsWith("ERR||PID^1^3^1|101^Required field missing^HL70357|E"));
        assertThat(segments.get(segments.size() - 2)).isEqualTo("BTS|" + MESSAGES);
        assertThat(segments.get(segments.size() - 1)).isEqualTo("FTS|1");
        assertThat(ack).doesNotContain(CANARY);
    }

    private void checkStoredOnceAndBadOneQuarantined(String prefix) {
        List<String> good = new ArrayList<>();
        for (int i = 1; i <= MESSAGES; i++) {
            String recordId = middleware.recordIdOf(prefix + "-" + i);
            Optional<VaultRecord> stored = middleware.ingest().vault().get(recordId);
            if (i == BAD) {
                assertThat(stored).as("the bad message is not stored").isEmpty();
                continue;
            }
            good.add(recordId);
            // As it would be stored alone over MLLP: segments ended with CR, whatever the file used.
            assertThat(stored).as(prefix + "-" + i).isPresent();
            assertThat(stored.get().originalMessage()).isEqualTo(message(prefix, i).getBytes(StandardCharsets.ISO_8859_1));
        }

        // Kafka acknowledged each entry before the batch acknowledgement was written: read the topic for a while and
        // count, so that a second entry of the same record would be seen.
        List<ConsumerRecord<String, String>> entries = KafkaTopicReader.readAll(Devnet.property("kafka.bootstrap.servers"),
                middleware.property("caduceus.kafka.topic.ledger-entries"), Duration.ofSeconds(5), records -> false);
        Map<String, Long> perRecord = entries.stream().collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
        for (String recordId : good) {
            assertThat(perRecord.get(recordId)).as("ledger entries of " + recordId).isEqualTo(1L);
        }
        entries.stream().filter(r -> good.contains(r.key())).forEach(r -> {
            assertThat(LedgerEntry.fromJson(r.value()).recordId().value()).isEqualTo(r.key());
            assertThat(r.value()).doesNotContain(CANARY);
        });
        assertThat(perRecord.get(middleware.recordIdOf(prefix + "-" + BAD))).as("no entry for the bad message").isNull();

        List<QuarantinedMessage> quarantined = middleware.ingest().vault().listQuarantined().stream()
                .filter(q -> q.originalMessageId().startsWith("HIS^GENERAL^" + prefix + "-")).toList();
        assertThat(quarantined).hasSize(1);
        assertThat(quarantined.get(0).originalMessageId()).isEqualTo("HIS^GENERAL^" + prefix + "-" + BAD);
        assertThat(quarantined.get(0).reason()).startsWith("101 ");
        assertThat(quarantined.get(0).originalBytes()).isEqualTo(message(prefix, BAD).getBytes(StandardCharsets.ISO_8859_1));

        List<ConsumerRecord<String, String>> notices = KafkaTopicReader.readAll(Devnet.property("kafka.bootstrap.servers"),
                middleware.property("caduceus.kafka.topic.quarantine"), Duration.ofSeconds(3), records -> false);
        Map<String, ConsumerRecord<String, String>> byId = notices.stream()
                .collect(Collectors.toMap(ConsumerRecord::key, Function.identity(), (a, b) -> a));
        assertThat(byId).containsKey(quarantined.get(0).quarantineId());
        assertThat(notices.stream().filter(n -> n.key().equals(quarantined.get(0).quarantineId()))).hasSize(1);
        assertThat(byId.get(quarantined.get(0).quarantineId()).value()).contains("\"hl7ErrorCode\":101")
                .doesNotContain(CANARY);
    }
}
