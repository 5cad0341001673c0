package io.caduceus.it.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.MessageId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.KafkaTopicReader;
import io.caduceus.it.MllpClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * HL7 v2 over MLLP into the real devnet Kafka: every message gets the right acknowledgement, an accepted one is in
 * the vault and its ledger entry on Kafka before the ACK, a rejected one is quarantined, and no patient data reaches
 * Kafka or the logs.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Hl7MllpIngestIT {

    /** A surname no fixture or library uses, so finding it anywhere outside the vault is a leak. */
    private static final String CANARY = "Zzyzxcanary";
    private static final Path FIXTURES = Devnet.repoDir().resolve("hl7-mappings/src/test/resources/fixtures");

    @TempDir
    static Path work;

    private InProcessMiddleware middleware;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    void start() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        middleware = InProcessMiddleware.start(work, Map.of("caduceus.kafka.topic.ledger-entries", "it.ledger-entries." + System.nanoTime(),
                "caduceus.kafka.topic.quarantine", "it.quarantine." + System.nanoTime(),
                "caduceus.hl7.strict-senders", "STRICT^*"));
    }

    @AfterAll
    void stop() {
        if (middleware != null) {
            middleware.close();
        }
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        assertThat(logs.list).as("log lines mentioning the canary patient").noneMatch(Hl7MllpIngestIT::mentionsCanary);
    }

    static Stream<Path> fixtures() throws IOException {
        try (Stream<Path> files = Files.list(FIXTURES)) {
            return files.filter(f -> f.toString().endsWith(".hl7")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everySupportedMessageIsAcknowledgedOnlyOnceDurable(Path fixture) throws Exception {
        byte[] message = Files.readAllBytes(fixture);
        Header header = Header.of(message);
        String recordId = middleware.ingest().recordIds().forMessage(new MessageId(new SourceSystem(header.application(),
                header.facility()), header.controlId())).value();
        try (MllpClient client = middleware.mllpClient()) {
            client.writeRaw(MllpClient.frame(message));
            Optional<String> ack = client.readAck();
            if (header.commitAckOnSuccess()) {
                assertThat(ack).as("acknowledgement").isPresent();
                assertThat(MllpClient.ackCode(ack.get())).as(ack.get()).isEqualTo(header.enhanced() ? "CA" : "AA");
                assertThat(MllpClient.ackedControlId(ack.get())).isEqualTo(header.controlId());
            } else if (header.applicationAckOnSuccess()) {
                // MSH-15 ER or NE with MSH-16 AL or SU and no destination configured: the application ACK answers.
                assertThat(ack).as("application acknowledgement").isPresent();
                assertThat(MllpClient.ackCode(ack.get())).as(ack.get()).isEqualTo("AA");
                assertThat(MllpClient.ackedControlId(ack.get())).isEqualTo(header.controlId());
            } else {
                // Enhanced mode with MSH-15 ER or NE: success is acknowledged by silence.
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> middleware.ingest().vault().contains(recordId));
            }
        }

        // Durable before the ACK: the vault holds it now, and Kafka already has the entry.
        Optional<VaultRecord> stored = middleware.ingest().vault().get(recordId);
        assertThat(stored).isPresent();
        assertThat(new String(stored.get().canonicalBundle(), StandardCharsets.UTF_8)).startsWith("{").contains("\"resourceType\":\"Bundle\"");
        assertThat(stored.get().originalMessage()).isEqualTo(message);

        ConsumerRecord<String, String> entry = ledgerEntry(recordId);
        LedgerEntry parsed = LedgerEntry.fromJson(entry.value());
        assertThat(parsed.recordId().value()).isEqualTo(recordId);
        assertThat(parsed.messageType()).startsWith(header.messageType());
        assertThat(entry.value()).doesNotContain(header.patientIdentifierFragment()).doesNotContain(header.surname());
    }

    @Test
    void aRetransmissionIsAcknowledgedAgainButStoredOnce() throws Exception {
        String message = adt("DUP-1", "Doe");
        try (MllpClient client = middleware.mllpClient()) {
            assertThat(MllpClient.ackCode(client.send(message))).isEqualTo("AA");
            assertThat(MllpClient.ackCode(client.send(message))).isEqualTo("AA");
        }
        String recordId = recordIdOf("DUP-1");
        List<ConsumerRecord<String, String>> entries = KafkaTopicReader.readAll(bootstrap(), ledgerTopic(), Duration.ofSeconds(20),
                records -> records.stream().filter(r -> r.key().equals(recordId)).count() >= 2);
        List<String> commitments = entries.stream().filter(r -> r.key().equals(recordId))
                .map(r -> LedgerEntry.fromJson(r.value()).commitment().hex()).distinct().toList();
        assertThat(commitments).as("the retransmission republishes the same commitment, so the ledger records it once").hasSize(1);
    }

    @Test
    void aReusedControlIdWithOtherContentIsAnErrorAndQuarantined() throws Exception {
        int before = middleware.ingest().vault().listQuarantined().size();
        try (MllpClient client = middleware.mllpClient()) {
            assertThat(MllpClient.ackCode(client.send(adt("REUSED-1", "Doe")))).isEqualTo("AA");
            String ack = client.send(adt("REUSED-1", "Roe"));
            assertThat(MllpClient.ackCode(ack)).isEqualTo("AE");
            assertThat(ack).contains("205^Duplicate key identifier");
        }
        assertThat(middleware.ingest().vault().listQuarantined()).hasSize(before + 1);
    }

    @Test
    void garbageIsRejectedAndQuarantinedWithoutLosingTheListener() throws Exception {
        int before = middleware.ingest().vault().listQuarantined().size();
        try (MllpClient client = middleware.mllpClient()) {
            String ack = client.send("this is not HL7 at all, patient " + CANARY);
            assertThat(MllpClient.ackCode(ack)).isEqualTo("AR");
            assertThat(ack).doesNotContain(CANARY);
            assertThat(MllpClient.ackCode(client.send(adt("AFTER-GARBAGE", "Doe")))).isEqualTo("AA");
        }
        assertThat(middleware.ingest().vault().listQuarantined()).hasSize(before + 1);
        List<ConsumerRecord<String, String>> notices = KafkaTopicReader.readAll(bootstrap(),
                middleware.property("caduceus.kafka.topic.quarantine"), Duration.ofSeconds(20), records -> !records.isEmpty());
        assertThat(notices).isNotEmpty().allSatisfy(n -> assertThat(n.value()).contains("\"hl7ErrorCode\"").doesNotContain(CANARY));
    }

    @Test
    void anUnsupportedMessageIsRejectedNamingMsh9() throws Exception {
        String query = "MSH|^~\\&|HIS|GH|CAD|HUB|20261125101500||QRY^A19^QRY_A19|Q-1|P|2.5.1\rQRD|20261125|R|I|Q1|||1^RD|" + CANARY + "|DEM\r";
        try (MllpClient client = middleware.mllpClient()) {
            String ack = client.send(query);
            assertThat(MllpClient.ackCode(ack)).isEqualTo("AR");
            assertThat(ack).contains("ERR||MSH^1^9").doesNotContain(CANARY);
        }
    }

    @Test
    void anUnmappableOptionalFieldIsAWarningForALenientSenderAndAnErrorForAStrictOne() throws Exception {
        String badBirthDate = adt("BADDATE-1", CANARY).replace("|19700101|", "|1970-13-45T99|");
        int quarantinedBefore = middleware.ingest().vault().listQuarantined().size();
        try (MllpClient client = middleware.mllpClient()) {
            String ack = client.send(badBirthDate);
            assertThat(MllpClient.ackCode(ack)).as(ack).isEqualTo("AA");
            assertThat(ack).contains("\rERR||PID^1^7^1|102^Data type error^HL70357|W").doesNotContain(CANARY);
            assertThat(middleware.ingest().vault().get(recordIdOf("BADDATE-1")).orElseThrow().originalMessage())
                    .isEqualTo(badBirthDate.getBytes(StandardCharsets.ISO_8859_1));

            String strict = client.send(badBirthDate.replace("|HIS|GENERAL|", "|STRICT|GENERAL|"));
            assertThat(MllpClient.ackCode(strict)).as(strict).isEqualTo("AE");
            assertThat(strict).contains("\rERR||PID^1^7^1|102^Data type error^HL70357|E").doesNotContain(CANARY);
        }
        assertThat(middleware.ingest().vault().listQuarantined()).hasSize(quarantinedBefore + 1);
    }

    @Test
    void framesSplitAcrossWritesAndSeveralInOneWriteAreAllAnswered() throws Exception {
        byte[] first = MllpClient.frame(adt("BATCH-1", "Doe").getBytes(StandardCharsets.ISO_8859_1));
        byte[] second = MllpClient.frame(adt("BATCH-2", "Doe").getBytes(StandardCharsets.ISO_8859_1));
        byte[] third = MllpClient.frame(adt("BATCH-3", "Doe").replace('\r', '\n').getBytes(StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream together = new ByteArrayOutputStream();
        together.write(first);
        together.write(second);
        try (MllpClient client = middleware.mllpClient()) {
            client.writeRaw(together.toByteArray());
            client.writeRaw(java.util.Arrays.copyOfRange(third, 0, 40));
            Thread.sleep(300);
            client.writeRaw(java.util.Arrays.copyOfRange(third, 40, third.length));
            for (String id : List.of("BATCH-1", "BATCH-2", "BATCH-3")) {
                String ack = client.readAck().orElseThrow();
                assertThat(MllpClient.ackCode(ack)).isEqualTo("AA");
                assertThat(MllpClient.ackedControlId(ack)).isEqualTo(id);
            }
        }
    }

    @Test
    void manyFramesInOneWriteAreAnsweredInTheirOrder() throws Exception {
        // Different patients, so their ledger entries go to different Kafka partitions and are acknowledged by Kafka
        // in no particular order; the ACKs must still leave in the order the frames came.
        ByteArrayOutputStream together = new ByteArrayOutputStream();
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = "ORDER-" + i;
            ids.add(id);
            together.write(MllpClient.frame(adt(id, "Doe" + i).getBytes(StandardCharsets.ISO_8859_1)));
        }
        try (MllpClient client = middleware.mllpClient()) {
            client.writeRaw(together.toByteArray());
            for (String id : ids) {
                String ack = client.readAck().orElseThrow();
                assertThat(MllpClient.ackCode(ack)).isEqualTo("AA");
                assertThat(MllpClient.ackedControlId(ack)).isEqualTo(id);
            }
        }
    }

    @Test
    void aConnectionClosedMidFrameLeavesNothingHalfStoredAndTheListenerServing() throws Exception {
        byte[] frame = MllpClient.frame(adt("HALF-1", CANARY).getBytes(StandardCharsets.ISO_8859_1));
        try (MllpClient client = middleware.mllpClient()) {
            client.writeRaw(java.util.Arrays.copyOfRange(frame, 0, frame.length / 2));
        }
        Thread.sleep(500);
        assertThat(middleware.ingest().vault().contains(recordIdOf("HALF-1")))
                .as("a message whose frame never completed was never acknowledged, so the sender still has it").isFalse();
        try (MllpClient client = middleware.mllpClient()) {
            assertThat(MllpClient.ackCode(client.send(adt("HALF-1", CANARY)))).isEqualTo("AA");
        }
        assertThat(middleware.ingest().vault().contains(recordIdOf("HALF-1"))).isTrue();
    }

    @Test
    void enhancedModeAnswersWithCommitAcknowledgements() throws Exception {
        String enhanced = adt("ENH-1", "Doe").replace("|P|2.5.1\r", "|P|2.5.1|||AL|NE\r");
        try (MllpClient client = middleware.mllpClient()) {
            assertThat(MllpClient.ackCode(client.send(enhanced))).isEqualTo("CA");
        }
    }

    @Test
    void withoutADestinationTheApplicationAckComesBackOnTheSameConnectionWithinASecond() throws Exception {
        String neverCommitAlwaysApplication = adt("ENH-2", "Doe").replace("|P|2.5.1\r", "|P|2.5.1|||NE|AL\r");
        try (MllpClient client = new MllpClient("127.0.0.1", middleware.mllpPort(), 1_000)) {
            client.writeRaw(MllpClient.frame(neverCommitAlwaysApplication.getBytes(StandardCharsets.ISO_8859_1)));
            Optional<String> ack = client.readAck();
            assertThat(ack).as("application acknowledgement within a second").isPresent();
            assertThat(MllpClient.ackCode(ack.get())).isEqualTo("AA");
            assertThat(MllpClient.ackedControlId(ack.get())).isEqualTo("ENH-2");
            assertThat(ack.get().split("\r")[0]).as("asks for nothing back on this connection").endsWith("|NE|NE");
            // The same connection goes on: the next message's answer follows, and nothing else came in between.
            String both = adt("ENH-3", "Doe").replace("|P|2.5.1\r", "|P|2.5.1|||AL|AL\r");
            client.writeRaw(MllpClient.frame(both.getBytes(StandardCharsets.ISO_8859_1)));
            assertThat(client.readAck().map(MllpClient::ackCode)).contains("CA");
            assertThat(client.readAck().map(MllpClient::ackCode)).contains("AA");
        }
        assertThat(middleware.ingest().vault().contains(recordIdOf("ENH-2"))).isTrue();
    }

    private ConsumerRecord<String, String> ledgerEntry(String recordId) {
        List<ConsumerRecord<String, String>> records = KafkaTopicReader.readAll(bootstrap(), ledgerTopic(), Duration.ofSeconds(20),
                all -> all.stream().anyMatch(r -> r.key().equals(recordId)));
        return records.stream().filter(r -> r.key().equals(recordId)).findFirst()
                .orElseThrow(() -> new AssertionError("no ledger entry on Kafka for " + recordId));
    }

    private String bootstrap() {
        return Devnet.property("kafka.bootstrap.servers");
    }

    private String ledgerTopic() {
        return middleware.property("caduceus.kafka.topic.ledger-entries");
    }

    private String recordIdOf(String controlId) {
        return middleware.recordIdOf(controlId);
    }

    static String adt(String controlId, String surname) {
        return io.caduceus.it.Hl7Messages.adt(controlId, surname);
    }

    private static boolean mentionsCanary(ILoggingEvent event) {
        String text = event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
        return text.contains(CANARY);
    }

    /** The MSH fields the assertions need, and two PHI fragments that must never leave the vault. */
    record Header(String application, String facility, String controlId, String messageType, boolean enhanced,
            String acceptAckType, String applicationAckType, String surname, String patientIdentifierFragment) {

        boolean commitAckOnSuccess() {
            return !acceptAckType.equals("ER") && !acceptAckType.equals("NE");
        }

        boolean applicationAckOnSuccess() {
            return applicationAckType.equals("AL") || applicationAckType.equals("SU");
        }

        static Header of(byte[] message) {
            String text = new String(message, StandardCharsets.ISO_8859_1);
            String[] segments = text.split("[\r\n]+");
            String[] msh = segments[0].split("\\|", -1);
            String surname = "";
            String identifier = "";
            for (String segment : segments) {
                if (segment.startsWith("PID|")) {
                    String[] pid = segment.split("\\|", -1);
                    surname = pid.length > 5 ? pid[5].split("\\^")[0] : "";
                    identifier = pid.length > 3 ? pid[3].split("\\^")[0] : "";
                    break;
                }
            }
            return new Header(msh[2].split("\\^")[0], msh[3].split("\\^")[0], msh[9], msh[8].split("\\^")[0],
                    (msh.length > 14 && !msh[14].isBlank()) || (msh.length > 15 && !msh[15].isBlank()),
                    msh.length > 14 ? msh[14].strip() : "", msh.length > 15 ? msh[15].strip() : "",
                    surname.isEmpty() ? "\u0000no-surname" : surname, identifier.isEmpty() ? "\u0000no-id" : identifier);
        }
    }
}
