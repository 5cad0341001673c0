package io.caduceus.edge.hl7;

import static io.caduceus.edge.hl7.SlowKafkaApp.adt;
import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.edge.store.StoreDeadline;
import io.caduceus.edge.status.StatusReport;
import io.caduceus.edge.mllp.MllpConnectionErrors;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application as shipped, with Kafka replaced by a stand-in that takes as long as the test says: a message Kafka
 * does not acknowledge within caduceus.ingest.store-timeout-ms is answered AE 207 (CE in enhanced mode) at the
 * deadline, and its resend, once Kafka is back, is AA on the same record.
 */
class StoreTimeoutRouteTest {

    @TempDir
    static Path tmp;

    private static SlowKafkaApp app;

    @BeforeAll
    static void start() throws Exception {
        app = SlowKafkaApp.start(tmp, "caduceus.ingest.store-timeout-ms=700");
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    private static String timed(String message, long[] millis) throws Exception {
        long started = System.nanoTime();
        String ack = app.send(message);
        millis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        return ack;
    }

    @Test
    void kafkaTooSlowGivesAe207AtTheDeadlineAndTheResendAfterRecoveryIsAaOnTheSameRecord() throws Exception {
        StoreDeadline deadline = app.bean("storeDeadline", StoreDeadline.class);
        long before = deadline.timedOut();
        long[] millis = new long[1];
        SlowKafkaApp.kafkaDelay(5000);
        String ae;
        try {
            ae = timed(adt("SLOW-1", false), millis);
        } finally {
            SlowKafkaApp.kafkaDelay(0);
        }
        assertThat(ae).contains("\rMSA|AE|SLOW-1").contains("|207^Application internal error^HL70357|");
        assertThat(millis[0]).as("answered at the 700 ms deadline, not when Kafka gave up").isBetween(700L, 10_000L);
        assertThat(deadline.timedOut()).isEqualTo(before + 1);

        // Kafka is back (the stand-in answers at once); the overrunning write still waits, the resend does not.
        String aa = app.send(adt("SLOW-1", false));
        assertThat(aa).contains("\rMSA|AA|SLOW-1");
    }

    @Test
    void inEnhancedModeTheTimeoutIsACommitError() throws Exception {
        SlowKafkaApp.kafkaDelay(5000);
        String ce;
        try {
            ce = app.send(adt("SLOW-2", true));
        } finally {
            SlowKafkaApp.kafkaDelay(0);
        }
        assertThat(ce).contains("\rMSA|CE|SLOW-2").contains("207");
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(app.send(adt("SLOW-2", true))).contains("\rMSA|CA|SLOW-2"));
    }

    @Test
    void anAckForASenderThatHungUpIsCountedInTheStatus() throws Exception {
        MllpConnectionErrors errors = app.bean("mllpConnectionErrors", MllpConnectionErrors.class);
        long before = errors.acksNotDelivered();
        SlowKafkaApp.kafkaDelay(400);
        try (Socket sender = new Socket("127.0.0.1", app.mllpPort())) {
            byte[] message = adt("HUNG-UP-1", false).getBytes(StandardCharsets.ISO_8859_1);
            OutputStream out = sender.getOutputStream();
            out.write(0x0b);
            out.write(message);
            out.write(new byte[] {0x1c, 0x0d});
            out.flush();
            // Gives up before the answer, as a sender with a short timeout does.
        }
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> errors.acksNotDelivered() == before + 1);
        } finally {
            SlowKafkaApp.kafkaDelay(0);
        }
        // The message itself was stored: its resend is acknowledged, and the status shows the count.
        assertThat(app.send(adt("HUNG-UP-1", false))).contains("\rMSA|AA|HUNG-UP-1");
        String status = app.bean("statusReport", StatusReport.class)
                .report(app.context());
        assertThat(status).contains("\"acksNotDelivered\":" + (before + 1));
    }
}
