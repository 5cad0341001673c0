package io.caduceus.edge.hl7;

import io.caduceus.edge.services.IngestServices;
import static io.caduceus.edge.hl7.Hl7BatchReaderTest.BHS;
import static io.caduceus.edge.hl7.Hl7BatchReaderTest.FHS;
import static io.caduceus.edge.hl7.Hl7BatchReaderTest.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.domain.MessageId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.routes.AppWithoutKafka;
import io.caduceus.edge.mllp.MllpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch files and MLLP batches through the shipped routes (Kafka sends skipped, as in {@link LenientIntakeRouteTest}):
 * each message lands where it would have landed alone, the batch acknowledgement holds its ACK, and the file is moved
 * to done or failed. The real-stack version, with Kafka, is Hl7BatchIT.
 */
class Hl7BatchRouteTest {

    @TempDir
    static Path tmp;

    private static Main main;
    private static int mllpPort;
    private static Path batchDir;
    private static final MllpClient CLIENT = new MllpClient(Duration.ofSeconds(5), Duration.ofSeconds(60), 1 << 20);

    @BeforeAll
    static void start() throws Exception {
        mllpPort = AppWithoutKafka.freePort();
        batchDir = tmp.resolve("batches");
        main = AppWithoutKafka.start(tmp,
                "camel.server.port=" + AppWithoutKafka.freePort(),
                "caduceus.mllp.port=" + mllpPort,
                "caduceus.hl7.batch.enabled=true",
                "caduceus.hl7.batch.directory=" + batchDir,
                "caduceus.hl7.batch.poll-ms=200",
                "caduceus.hl7.batch.read-lock-min-age-ms=1000",
                "caduceus.hl7.batch.read-lock-check-ms=1000");
    }

    @AfterAll
    static void stop() throws Exception {
        if (main != null) {
            main.stop();
        }
    }

    private static IngestServices services() {
        return main.getCamelContext().getRegistry().lookupByNameAndType("ingestServices", IngestServices.class);
    }

    private static Optional<VaultRecord> stored(String controlId) {
        return services().vault().get(services().recordIds()
                .candidates(new MessageId(new SourceSystem("REGISTRY", "STATE"), controlId)).get(0).value());
    }

    private static List<QuarantinedMessage> quarantined(String controlId) {
        return services().vault().listQuarantined().stream()
                .filter(q -> q.originalMessageId().endsWith("^" + controlId)).toList();
    }

    /** A message with no patient identifier: AE 101 and quarantine, for a lenient sender too. */
    private static String withoutPid3(String controlId) {
        return message(controlId).replace("MRN-" + controlId + "^^^STATE^MR", "");
    }

    private static Path drop(String name, String content) throws Exception {
        Path inbox = Files.createDirectories(batchDir.resolve("inbox"));
        Path hidden = inbox.resolve("." + name);
        Files.writeString(hidden, content, StandardCharsets.ISO_8859_1);
        return Files.move(hidden, inbox.resolve(name));
    }

    private static String awaitFile(Path file) {
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file));
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aFileOfMessagesWithABadOneIsProcessedMessageByMessageAndAcknowledged() throws Exception {
        String input = (FHS + "\r" + BHS + "\r" + message("F1") + withoutPid3("F2") + message("F3") + "BTS|3\rFTS|1\r")
                .replace('\r', '\n');
        drop("registry-1.hl7", input);

        String ack = awaitFile(batchDir.resolve("outbox/registry-1.hl7.ack"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(batchDir.resolve("done/registry-1.hl7")));

        assertThat(Files.exists(batchDir.resolve("inbox/registry-1.hl7"))).isFalse();
        assertThat(Files.readString(batchDir.resolve("done/registry-1.hl7"), StandardCharsets.ISO_8859_1)).isEqualTo(input);
        String[] segments = ack.split("\n");
        assertThat(segments[0]).startsWith("FHS|^~\\&|CADUCEUS|HUB|REGISTRY|STATE|").endsWith("|F-77");
        assertThat(segments[1]).startsWith("BHS|^~\\&|CADUCEUS|HUB|REGISTRY|STATE|").endsWith("|B-12");
        assertThat(ack).contains("\nMSA|AA|F1\n").contains("\nMSA|AE|F2|")
                .contains("\nERR||PID^1^3^1|101^Required field missing^HL70357|E").contains("\nMSA|AA|F3\n")
                .endsWith("\nBTS|3\nFTS|1\n");
        // Each good message stored as it would be alone: its segments ended with CR, as the MLLP sender sends them.
        assertThat(stored("F1").orElseThrow().originalMessage()).isEqualTo(message("F1").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(stored("F3")).isPresent();
        assertThat(stored("F2")).isEmpty();
        assertThat(quarantined("F2")).hasSize(1);
        assertThat(quarantined("F1")).isEmpty();
    }

    @Test
    void aFileWhoseEnvelopeCannotBeReadGoesToFailedAndToTheQuarantine() throws Exception {
        int before = services().vault().listQuarantined().size();
        String input = "this is a report, not HL7\r" + message("X1");
        drop("garbage.txt", input);

        String ack = awaitFile(batchDir.resolve("outbox/garbage.txt.ack"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(batchDir.resolve("failed/garbage.txt")));

        assertThat(ack).startsWith("BHS|").contains("\rMSA|AR|").contains("100^Segment sequence error")
                .endsWith("\rBTS|1|batch refused, not processed; kept in quarantine\r");
        assertThat(stored("X1")).isEmpty();
        List<QuarantinedMessage> kept = services().vault().listQuarantined();
        assertThat(kept).hasSize(before + 1);
        assertThat(kept).anySatisfy(q -> assertThat(q.originalBytes()).isEqualTo(input.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void aBatchInOneMllpFrameIsAnsweredWithItsBatchAcknowledgement() throws Exception {
        // The second message asks for enhanced mode: inside a batch it is answered in original mode all the same.
        String enhanced = message("L2").replace("|P|2.5.1\r", "|P|2.5.1|||AL|AL\r");
        String batch = BHS + "\r" + message("L1") + enhanced + withoutPid3("L3") + "BTS|3\r";

        String ack = new String(CLIENT.send("127.0.0.1", mllpPort, batch.getBytes(StandardCharsets.ISO_8859_1)),
                StandardCharsets.ISO_8859_1);

        assertThat(ack).startsWith("BHS|^~\\&|CADUCEUS|HUB|REGISTRY|STATE|").contains("|B-12\r")
                .contains("\rMSA|AA|L1\r").contains("\rMSA|AA|L2\r").contains("\rMSA|AE|L3|").doesNotContain("MSA|CA")
                .endsWith("\rBTS|3\r");
        assertThat(stored("L1")).isPresent();
        assertThat(stored("L2")).isPresent();
        assertThat(quarantined("L3")).hasSize(1);
        // The connection goes on with single messages as before.
        String single = new String(CLIENT.send("127.0.0.1", mllpPort, message("L4").getBytes(StandardCharsets.ISO_8859_1)),
                StandardCharsets.ISO_8859_1);
        assertThat(single).startsWith("MSH|").contains("\rMSA|AA|L4\r");
    }

    @Test
    void mshAloneOnItsLineIsRefusedAndQuarantinedNotAnsweredPleaseResend() throws Exception {
        // Found by Hl7BatchFuzzTest: reading MSH-1 of such a message threw, which the route answered AE 207 (please
        // resend, nothing quarantined), so a sender would have resent it forever.
        int before = services().vault().listQuarantined().size();
        String batch = BHS + "\r" + "MSH\rPID|1||X-1^^^STATE^MR\r" + message("Q2") + "BTS|2\r";

        String ack = new String(CLIENT.send("127.0.0.1", mllpPort, batch.getBytes(StandardCharsets.ISO_8859_1)),
                StandardCharsets.ISO_8859_1);
        String single = new String(CLIENT.send("127.0.0.1", mllpPort,
                "MSH\rPID|1||X-2^^^STATE^MR\r".getBytes(StandardCharsets.ISO_8859_1)), StandardCharsets.ISO_8859_1);

        assertThat(ack).contains("\rMSA|AR|").contains("\rMSA|AA|Q2\r").endsWith("\rBTS|2\r");
        assertThat(single).contains("\rMSA|AR|").contains("|100^Segment sequence error").doesNotContain("|207^");
        assertThat(services().vault().listQuarantined()).hasSize(before + 2);
    }

    @Test
    void temporaryNamesOfTransfersAreLeftAlone() {
        // The option's regular expression reaches the file component intact (a URI would mangle it without RAW).
        org.apache.camel.component.file.FileEndpoint inbox = (org.apache.camel.component.file.FileEndpoint)
                main.getCamelContext().getRoute("hl7-batch-files").getEndpoint();
        assertThat(inbox.getExclude()).isEqualTo("(?i).*\\.(tmp|part|filepart|crdownload|ack)$");
        java.util.regex.Pattern exclude = java.util.regex.Pattern.compile(inbox.getExclude());
        assertThat(exclude.matcher("upload.HL7.part").matches()).isTrue();
        assertThat(exclude.matcher("upload.tmp").matches()).isTrue();
        assertThat(exclude.matcher("upload.hl7").matches()).isFalse();
    }

    @Test
    void aFileStillBeingWrittenIsNotTaken() throws Exception {
        Path inbox = Files.createDirectories(batchDir.resolve("inbox"));
        Path file = inbox.resolve("slow.hl7");
        String head = BHS + "\r" + message("S1");
        Files.writeString(file, head, StandardCharsets.ISO_8859_1);
        // Keep growing it for longer than the check interval: the read lock must wait for it to stop.
        for (int i = 0; i < 8; i++) { // 8 x 100 ms of growth, in all under the 1 s check interval plus the 1 s minimum age
            Thread.sleep(100);
            Files.writeString(file, head + message("S" + (i + 2)), StandardCharsets.ISO_8859_1);
            head = head + message("S" + (i + 2));
        }
        Files.writeString(file, head + "BTS|9\r", StandardCharsets.ISO_8859_1);

        String ack = awaitFile(batchDir.resolve("outbox/slow.hl7.ack"));
        assertThat(ack).contains("\rMSA|AA|S9\r").endsWith("\rBTS|9\r");
        for (int i = 1; i <= 9; i++) {
            assertThat(stored("S" + i)).as("S" + i).isPresent();
        }
    }
}
