package io.caduceus.it.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.Hl7Messages;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.KafkaTopicReader;
import io.caduceus.it.MllpClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The MLLP listener's limits against the real middleware and devnet Kafka, with small limits so that the test stays
 * fast: a frame over the size limit is answered AR and the connection goes on; a quiet connection is closed after the
 * idle timeout; connections over the cap are closed at once while the open ones keep working.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MllpLimitsIT {

    private static final int MAX_MESSAGE_BYTES = 4096;
    private static final int MAX_CONNECTIONS = 4;
    private static final int IDLE_SECONDS = 3;
    /** A surname no fixture uses: finding it outside the vault (logs, Kafka, the ACK) is a leak. */
    private static final String CANARY = "Zzyzxoversize";

    @TempDir
    static Path work;

    private InProcessMiddleware middleware;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    void start() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        middleware = InProcessMiddleware.start(work, Map.of(
                "caduceus.kafka.topic.ledger-entries", "it.ledger-entries." + System.nanoTime(),
                "caduceus.kafka.topic.quarantine", "it.quarantine." + System.nanoTime(),
                "caduceus.mllp.max-message-bytes", Integer.toString(MAX_MESSAGE_BYTES),
                "caduceus.mllp.max-connections", Integer.toString(MAX_CONNECTIONS),
                "caduceus.mllp.idle-timeout-seconds", Integer.toString(IDLE_SECONDS)));
        // The first record sent to each new topic waits for its metadata, seconds on a busy machine: longer than the
        // tests' idle timeout allows a sender to wait for its ACK. Both topics are written once before the tests.
        try (MllpClient client = client()) {
            assertThat(MllpClient.ackCode(client.send(Hl7Messages.adt("WARM-1", "Doe")))).isEqualTo("AA");
            assertThat(MllpClient.ackCode(client.send("not HL7"))).isEqualTo("AR");
        }
    }

    @AfterAll
    void stop() {
        if (middleware != null) {
            middleware.close();
        }
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        assertThat(logs.list).as("log lines quoting the oversize message")
                .noneMatch(e -> e.getFormattedMessage().contains(CANARY) || e.getFormattedMessage().contains("OVER-1"));
    }

    /** Each test starts with the listener's connections of earlier tests gone, so the cap counts only its own. */
    @BeforeEach
    void noConnectionLeftOpen() {
        await().atMost(Duration.ofSeconds(10)).until(() -> middleware.mllpStats().openConnections() == 0);
    }

    private MllpClient client() throws IOException {
        return new MllpClient("127.0.0.1", middleware.mllpPort(), 20_000);
    }

    /** An ADT whose PID and notes push it to {@code bytes}, well past the limit. */
    private static String oversize(String controlId, int bytes) {
        StringBuilder message = new StringBuilder(Hl7Messages.adt(controlId, CANARY));
        int note = 1;
        while (message.length() < bytes) {
            message.append("NTE|").append(note++).append("||").append(CANARY).append(" ").append("x".repeat(900)).append('\r');
        }
        return message.toString();
    }

    @Test
    void aFrameOverTheLimitIsAnsweredArAndTheConnectionThenTakesANormalMessage() throws Exception {
        String big = oversize("OVER-1", 2_000_000);
        long oversizeBefore = middleware.mllpStats().oversizeFrames();
        int quarantinedBefore = middleware.ingest().vault().listQuarantined().size();
        try (MllpClient client = client()) {
            String ack = client.send(big);
            assertThat(MllpClient.ackCode(ack)).as(ack).isEqualTo("AR");
            assertThat(MllpClient.ackedControlId(ack)).isEqualTo("OVER-1");
            assertThat(ack).contains("207^Application internal error^HL70357")
                    .contains("exceeds the size limit of " + MAX_MESSAGE_BYTES + " bytes").doesNotContain(CANARY);

            String next = client.send(Hl7Messages.adt("AFTER-OVER-1", "Doe"));
            assertThat(MllpClient.ackCode(next)).as(next).isEqualTo("AA");
            assertThat(MllpClient.ackedControlId(next)).isEqualTo("AFTER-OVER-1");
        }
        assertThat(middleware.mllpStats().oversizeFrames()).isEqualTo(oversizeBefore + 1);
        assertThat(middleware.ingest().vault().contains(middleware.recordIdOf("AFTER-OVER-1"))).isTrue();

        List<QuarantinedMessage> quarantined = middleware.ingest().vault().listQuarantined();
        assertThat(quarantined).hasSize(quarantinedBefore + 1);
        QuarantinedMessage notice = quarantined.stream().filter(q -> q.originalMessageId().equals("HIS^GENERAL^OVER-1"))
                .findFirst().orElseThrow();
        assertThat(notice.originalBytes()).as("no content kept").isEmpty();
        assertThat(notice.reason()).contains("207").contains(Integer.toString(big.length())).contains(Integer.toString(MAX_MESSAGE_BYTES));

        List<ConsumerRecord<String, String>> notices = KafkaTopicReader.readAll(Devnet.property("kafka.bootstrap.servers"),
                middleware.property("caduceus.kafka.topic.quarantine"), Duration.ofSeconds(20),
                records -> records.stream().anyMatch(r -> r.key().equals(notice.quarantineId())));
        String published = notices.stream().filter(r -> r.key().equals(notice.quarantineId())).findFirst().orElseThrow().value();
        assertThat(published).contains("\"sizeBytes\":" + big.length()).contains("\"contentKept\":false")
                .contains("\"sendingApplication\":\"HIS\"").doesNotContain(CANARY);
    }

    @Test
    void aFrameOverTheLimitWithoutReadableMshIsStillAnsweredAr() throws Exception {
        byte[] junk = ("no header at all " + CANARY + " " + "y".repeat(50_000)).getBytes(StandardCharsets.ISO_8859_1);
        try (MllpClient client = client()) {
            String ack = client.send(junk);
            assertThat(MllpClient.ackCode(ack)).as(ack).isEqualTo("AR");
            assertThat(ack).contains("exceeds the size limit").doesNotContain(CANARY);
            assertThat(MllpClient.ackCode(client.send(Hl7Messages.adt("AFTER-JUNK-1", "Doe")))).isEqualTo("AA");
        }
    }

    @Test
    void aQuietConnectionIsClosedAfterTheIdleTimeoutAndABusyOneIsNot() throws Exception {
        long idleBefore = middleware.mllpStats().idleClosedConnections();
        try (Socket quiet = new Socket(); MllpClient busy = client()) {
            quiet.connect(new InetSocketAddress("127.0.0.1", middleware.mllpPort()), 5_000);
            quiet.setSoTimeout((IDLE_SECONDS + 10) * 1000);
            long opened = System.nanoTime();
            // The busy connection sends a message every second, within the timeout, until the quiet one is closed.
            Thread sender = new Thread(() -> {
                for (int i = 0; i < IDLE_SECONDS * 2 && !Thread.currentThread().isInterrupted(); i++) {
                    try {
                        String ack = busy.send(Hl7Messages.adt("BUSY-" + i, "Doe"));
                        assertThat(MllpClient.ackCode(ack)).isEqualTo("AA");
                        Thread.sleep(1_000);
                    } catch (IOException | InterruptedException e) {
                        throw new AssertionError("the busy connection failed at message " + i, e);
                    }
                }
            });
            List<Throwable> senderFailures = new ArrayList<>();
            sender.setUncaughtExceptionHandler((t, e) -> senderFailures.add(e));
            sender.start();
            InputStream in = quiet.getInputStream();
            assertThat(in.read()).as("end of stream: the middleware closed the quiet connection").isEqualTo(-1);
            double closedAfter = (System.nanoTime() - opened) / 1e9;
            assertThat(closedAfter).as("seconds until closed").isBetween(IDLE_SECONDS - 0.5, IDLE_SECONDS + 5.0);
            sender.join();
            assertThat(senderFailures).as("the busy connection, open longer than the timeout, kept working").isEmpty();
            String last = busy.send(Hl7Messages.adt("BUSY-LAST", "Doe"));
            assertThat(MllpClient.ackCode(last)).isEqualTo("AA");
        }
        assertThat(middleware.mllpStats().idleClosedConnections()).isEqualTo(idleBefore + 1);
    }

    @Test
    void connectionsOverTheCapAreClosedAtOnceWhileOpenOnesKeepWorking() throws Exception {
        long refusedBefore = middleware.mllpStats().refusedConnections();
        List<MllpClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                MllpClient client = client();
                open.add(client);
                assertThat(MllpClient.ackCode(client.send(Hl7Messages.adt("CAP-" + i, "Doe")))).isEqualTo("AA");
            }
            assertThat(middleware.mllpStats().openConnections()).isEqualTo(MAX_CONNECTIONS);

            try (MllpClient refused = new MllpClient("127.0.0.1", middleware.mllpPort(), 5_000)) {
                assertThat(answerOrClosed(refused, "CAP-REFUSED")).as("no answer: the connection was closed").isEmpty();
            }
            assertThat(middleware.mllpStats().refusedConnections()).isEqualTo(refusedBefore + 1);
            assertThat(middleware.ingest().vault().contains(middleware.recordIdOf("CAP-REFUSED"))).as("nothing read").isFalse();

            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                String ack = open.get(i).send(Hl7Messages.adt("CAP-AGAIN-" + i, "Doe"));
                assertThat(MllpClient.ackCode(ack)).as("open connection %d after the refusal", i).isEqualTo("AA");
            }

            open.remove(0).close();
            await().atMost(Duration.ofSeconds(5)).until(() -> middleware.mllpStats().openConnections() == MAX_CONNECTIONS - 1);
            try (MllpClient again = client()) {
                assertThat(MllpClient.ackCode(again.send(Hl7Messages.adt("CAP-FREED", "Doe")))).as("a freed place is taken")
                        .isEqualTo("AA");
            }
        } finally {
            for (MllpClient client : open) {
                client.close();
            }
        }
    }

    /** What a refused connection gives a sender that writes its message anyway: an ACK, or (expected) nothing. */
    private static Optional<String> answerOrClosed(MllpClient client, String controlId) {
        try {
            client.writeRaw(MllpClient.frame(Hl7Messages.adt(controlId, "Doe").getBytes(StandardCharsets.ISO_8859_1)));
            return client.readAck();
        } catch (SocketException e) {
            return Optional.empty(); // reset: the middleware had closed it before the write arrived
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
